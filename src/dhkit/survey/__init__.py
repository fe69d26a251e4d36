"""dhkit.survey"""
