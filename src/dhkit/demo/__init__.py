"""dhkit.demo"""
