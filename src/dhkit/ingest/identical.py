"""Files skipped because an identical file (same SHA-256) was imported before: say so per
table, so a level that brings nothing new is still in the import's summary.

A Kobo or ODK Central re-export often holds a repeat file that did not change (ODK's
``FORM-episodes.csv`` when an edit touched only the main sheet). The import skips it — its
rows are already stored or quarantined — but the summary then had no line for ``episodes``
and the user could not tell whether the level was lost. Each skipped file now names, per
table, "0 new" and the earlier file it is identical to (name and date), with the number of
rows that file brought then, read back from that import's audit note (which this module's
caller writes: ``main 3+0q, members 6+0q; unchanged (...): members 2``).

>>> rows_of_note("import 1a2b; kobo_xlsx; main 3+1q, members 6+0q; unchanged (already "
...              "stored, no-op): members 2")
{'main': 4, 'members': 8}
>>> rows_of_note("already imported (2026-01-01); nothing added")
{}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: ``TABLE ACCEPTED+QUARANTINEDq`` in an import's audit note
_COUNTS = re.compile(r"([^\s,;:]+) (\d+)\+(\d+)q")
#: ``; unchanged (...): TABLE N, TABLE N`` (and edited, duplicate) in an import's audit note
_OTHER = re.compile(r"; (?:unchanged|edited|duplicate)[^:]*: ([^;]+)")


@dataclass
class Identical:
    """An earlier import of the same bytes: which file, when, rows per table then."""

    file: str
    when: str                  # "2026-12-06 17:02:11" or "in this import"
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """``members: 0 new (file identical to X.csv imported on DATE; its 4 rows were
        handled then)``, one part per table."""
        when = self.when if self.when == "in this import" else f"imported on {self.when} UTC"
        same = f"file identical to {self.file} {when}"
        if not self.rows:
            return f"0 new ({same}); nothing added"
        return ", ".join(f"{t}: 0 new ({same}; its {n:,} row{'s' if n != 1 else ''} were "
                         "handled then)" for t, n in self.rows.items())


def rows_of_note(note: str | None) -> dict[str, int]:
    """Rows per table an import's audit note counts (accepted, quarantined, unchanged,
    edited, identical copies); empty when the note is not an import's."""
    out: dict[str, int] = {}
    for t, a, b in _COUNTS.findall(note or ""):
        out[t] = out.get(t, 0) + int(a) + int(b)
    for part in _OTHER.findall(note or ""):
        for t, n in re.findall(r"([^\s,]+) (\d+)", part):
            out[t] = out.get(t, 0) + int(n)
    return out


def earlier_import(con, sha: str) -> Identical | None:
    """The first import that brought a file with this SHA-256 (from the audit log)."""
    row = con.execute(
        "SELECT file, logged_at, note FROM audit_log WHERE command = 'import' AND sha256 = ? "
        "AND rows_accepted IS NOT NULL ORDER BY logged_at, seq LIMIT 1", [sha]).fetchone()
    if row is None:
        return None
    return Identical(row[0], str(row[1])[:19], rows_of_note(row[2]))


#: problems the same bytes may pass on another day: a parent row that was missing (IMP-012)
#: or quarantined (IMP-013), a form version the study did not hold yet (IMP-020)
RECHECK_CODES = ("IMP-012", "IMP-013", "IMP-020")


def pending(con, sha: str) -> list[tuple[str, str]]:
    """(import id, file name) of earlier imports of a file with this SHA-256 some of whose
    rows still wait in the quarantine for a reason of :data:`RECHECK_CODES`: such a file is
    checked again rather than skipped (a repeat file whose entries had no parent row before
    may find it in a fixing re-export). Rows held for their values (IMP-005 ...) would fail
    the same way: a file with only those stays a skipped no-op."""
    has_q = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'study' "
                        "AND table_name = 'quarantine'").fetchone()[0]
    if not has_q:
        return []
    rows = con.execute(
        "SELECT file, regexp_extract(note, '^import ([0-9a-f]+);', 1) FROM audit_log "
        "WHERE command = 'import' AND sha256 = ? AND rows_quarantined > 0", [sha]).fetchall()
    out = []
    for file, imp in rows:
        if imp and con.execute(
                'SELECT count(*) FROM study.quarantine WHERE NOT released AND import_id = ? '
                "AND (source_file = ? OR starts_with(source_file, ? || '[')) AND list_has_any("
                "list_transform(problems, p -> split_part(p, ' ', 1)), ?)",
                [imp, file, file, list(RECHECK_CODES)]).fetchone()[0]:
            out.append((imp, file))
    return out


def close_pending(con, entries: list[tuple[str, str]], now) -> int:
    """Mark the quarantine entries of ``entries`` (from :func:`pending`) released: the file
    was checked again in this import, so each of its rows went in or was quarantined anew
    (with its problems of today) — one open entry per row, never two."""
    n = 0
    for imp, file in entries:
        n += con.execute(
            "UPDATE study.quarantine SET released = TRUE, released_at = ? WHERE NOT released "
            "AND import_id = ? AND (source_file = ? OR starts_with(source_file, ? || '['))",
            [now, imp, file, file]).fetchone()[0]
    return n
