"""dhkit.workspace"""
