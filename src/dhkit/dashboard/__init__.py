"""The results dashboard: a static public site (``dhkit dashboard build``) and a team
server with roles (``dhkit serve``), both built from the report's published aggregates.

See ``docs/dashboard.md``.
"""
