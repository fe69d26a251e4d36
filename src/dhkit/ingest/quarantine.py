"""The quarantine: rows that failed validation, kept (never dropped) until corrected.

``list_quarantine`` shows ids, tables, files, rows, keys and problem codes — no values.
``export_quarantine`` writes the rows as they were in the file (plus ``_quarantine_id``) so a
data manager can correct them; ``release`` re-validates a corrected file with exactly the
import's rules and moves the rows that pass into the study tables (one transaction), marking
their quarantine entries released.

>>> QuarantinedRow(1, "main", "a.csv", 5, "k", ["IMP-005 cg_sex"], False).problems
['IMP-005 cg_sex']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dhkit.errors import DhkitError


@dataclass(frozen=True)
class QuarantinedRow:
    id: int
    table: str
    source_file: str
    row: int
    key: str | None
    problems: list[str]          # "CODE field"
    released: bool


def list_quarantine(study, table: str | None = None,
                    include_released: bool = False) -> list[QuarantinedRow]:
    """Quarantined rows of the study, oldest first (ids, codes; never values)."""
    with study.open_store() as store:
        if not store.has_table("quarantine"):
            return []
        where = ["TRUE"] + ([] if include_released else ["NOT released"])
        args = []
        if table:
            where.append('"table" = ?')
            args.append(table)
        rows = store.con.execute(
            f'SELECT id, "table", source_file, "row", "key", problems, released FROM quarantine '
            f"WHERE {' AND '.join(where)} ORDER BY id", args).fetchall()
    return [QuarantinedRow(int(r[0]), r[1], r[2], int(r[3]), r[4], list(r[5] or []), bool(r[6]))
            for r in rows]


def export_quarantine(study, out: str | Path, table: str = "main") -> int:
    """Write unreleased quarantined rows of ``table`` as a ``;`` CSV with their original
    headers plus ``_quarantine_id``; returns the number of rows."""
    import pandas as pd

    with study.open_store() as store:
        if not store.has_table("quarantine"):
            raise DhkitError("IMP-019", "the quarantine is empty; nothing to export.")
        rows = store.con.execute(
            'SELECT id, raw FROM quarantine WHERE NOT released AND "table" = ? ORDER BY id',
            [table]).fetchall()
    if not rows:
        raise DhkitError("IMP-019", f"no quarantined rows in table '{table}'; see "
                         "dhkit quarantine list.")
    frame = pd.DataFrame([{"_quarantine_id": i, **json.loads(raw)} for i, raw in rows])
    from dhkit.safetext import csv_frame

    csv_frame(frame).to_csv(out, sep=";", index=False)   # raw text: no formula injection
    return len(frame)


def release(study, file: str | Path, codebook=None):
    """Re-validate corrected rows and move those that pass in; returns an
    :class:`~dhkit.ingest.importer.ImportResult` (``accepted`` = rows released)."""
    from dhkit.ingest.importer import _Importer

    versions = None
    if codebook is None:     # each row re-checked against its own form version
        from dhkit.instrument.versions import load_versions

        versions = load_versions(study)
        codebook = versions.merged
    with study.open_store() as store:
        return _Importer(study, codebook, store, None, None, release=True,
                         versions=versions).run([Path(file)])
