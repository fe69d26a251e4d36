"""dhkit.sampling"""
