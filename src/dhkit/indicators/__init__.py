"""dhkit.indicators"""
