"""dhkit.report"""
