"""dhkit.disclosure"""
