"""Shared by the recovery tests: keys and a row counter."""

KEY = "old-key-0123456789abcdef"
NEW_KEY = "new-key-fedcba9876543210"


def counts(study, key):
    """Row count of every user table, opening the store with ``key``."""
    from dhkit.workspace.store import Store

    with Store.open(study.store_path, key) as s:
        return {t: s.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("main", "roster")}
