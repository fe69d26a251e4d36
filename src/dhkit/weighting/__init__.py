"""dhkit.weighting"""
