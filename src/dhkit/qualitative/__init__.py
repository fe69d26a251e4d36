"""dhkit.qualitative"""
