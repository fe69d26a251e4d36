"""dhkit.ingest"""
