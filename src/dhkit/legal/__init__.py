"""dhkit.legal"""
