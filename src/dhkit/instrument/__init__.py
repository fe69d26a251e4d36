"""dhkit.instrument"""
