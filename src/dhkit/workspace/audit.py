"""The audit log is a hash chain: ``dhkit audit verify DIR`` finds the first broken link.

Every entry :meth:`Store.audit <dhkit.workspace.store.Store.audit>` writes carries ``seq``,
the previous entry's hash (``prev_hash``) and its own (``entry_hash``, SHA-256 of the previous
hash and the entry's fields). Editing an entry changes its hash; deleting or inserting one
breaks the next entry's ``prev_hash``; so any change inside the log shows. Entries written
before the chain existed (no hash) are counted as legacy and not checked. Cutting entries off
the end leaves a shorter valid chain: compare the head hash printed here (or kept in a backup's
manifest) with one you noted earlier to detect that.

>>> import tempfile, os
>>> from dhkit.workspace.store import Store
>>> with Store.open(os.path.join(tempfile.mkdtemp(), "s.duckdb"), key="k" * 16) as s:
...     s.audit("import", file="a.csv", rows_accepted=3)
...     s.audit("weights build")
...     verify_audit(s).ok
True
"""

from __future__ import annotations

from dataclasses import dataclass

from dhkit.workspace.store import ALIAS, GENESIS, Store, audit_hash


@dataclass(frozen=True)
class AuditCheck:
    """The result of checking the chain: ``broken_at`` is the first bad ``seq`` or None."""

    entries: int
    legacy: int
    head: str
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_audit(store: Store) -> AuditCheck:
    """Recompute every link of the audit log's hash chain, oldest first."""
    rows = store.con.execute(
        f"SELECT logged_at, command, file, sha256, rows_accepted, rows_quarantined, note, seq, "
        f"prev_hash, entry_hash FROM {ALIAS}.audit_log ORDER BY seq NULLS FIRST, logged_at"
    ).fetchall()
    legacy = sum(1 for r in rows if r[9] is None and r[7] is None)
    chained = [r for r in rows if not (r[9] is None and r[7] is None)]
    prev, expected_seq = GENESIS, 1
    for r in chained:
        fields, seq, prev_hash, entry_hash = tuple(r[:7]), r[7], r[8], r[9]
        if seq != expected_seq:
            return AuditCheck(len(rows), legacy, prev, seq if seq is not None else expected_seq,
                              f"entry {expected_seq} is missing (found {seq} next): an entry "
                              "was deleted or inserted")
        if prev_hash != prev:
            return AuditCheck(len(rows), legacy, prev, seq, "its link to the previous entry "
                              "does not match: an earlier entry was changed or removed")
        if entry_hash != audit_hash(prev, seq, fields):
            return AuditCheck(len(rows), legacy, prev, seq, "its fields do not match its hash: "
                              "the entry was edited")
        prev, expected_seq = entry_hash, expected_seq + 1
    return AuditCheck(len(rows), legacy, prev)
