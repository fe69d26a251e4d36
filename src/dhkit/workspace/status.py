"""What a study holds: imports, rows accepted and quarantined per table, validation problems
by code, the audit log's tail and whether weights exist (``dhkit status DIR``).

Only counts, codes, file names and hashes are shown — never values (no microdata on screen).

>>> import tempfile
>>> from dhkit.workspace.config import init_study
>>> st = study_status(init_study(tempfile.mkdtemp(), instrument=False, demo=True))
>>> st.store_exists, st.tables
(False, [])
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from dhkit.workspace.config import Study

#: tables the store keeps for itself; every other table holds survey data
INTERNAL_TABLES = ("audit_log", "quarantine", "problems", "value_labels", "imports")


@dataclass(frozen=True)
class ImportRecord:
    logged_at: str
    file: str
    sha256: str
    rows_accepted: int
    rows_quarantined: int
    note: str


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int                     # rows in the table (accepted)
    quarantined: int              # rows waiting in quarantine (not released)


@dataclass(frozen=True)
class AuditLine:
    logged_at: str
    command: str
    file: str
    rows_accepted: int | None
    rows_quarantined: int | None
    note: str


@dataclass
class StudyStatus:
    name: str
    country: str
    dir: str
    store_exists: bool
    imports: list[ImportRecord] = field(default_factory=list)
    tables: list[TableCount] = field(default_factory=list)
    problems_by_code: dict[str, int] = field(default_factory=dict)
    #: warnings whose rows were kept (IMP-022), apart from the problems
    warnings_by_code: dict[str, int] = field(default_factory=dict)
    audit_tail: list[AuditLine] = field(default_factory=list)
    weights_present: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)


def study_status(study: Study, audit_lines: int = 10) -> StudyStatus:
    """Summarise the study's store (opening it with the study key; refused without one)."""
    st = StudyStatus(name=study.name, country=study.country, dir=str(study.dir),
                     store_exists=study.store_path.exists())
    if not st.store_exists:
        return st
    with study.open_store() as store:
        con = store.con
        data_tables = [t for t in store.tables() if t not in INTERNAL_TABLES]
        quarantined: dict[str, int] = {}
        if store.has_table("quarantine"):
            quarantined = dict(con.execute(
                'SELECT "table", count(*) FROM quarantine WHERE NOT released GROUP BY 1'
            ).fetchall())
        for t in sorted(set(data_tables) | set(quarantined)):
            rows = con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] \
                if t in data_tables else 0
            st.tables.append(TableCount(t, int(rows), int(quarantined.get(t, 0))))
        if store.has_table("problems"):
            from dhkit.validation import WARNING_CODES

            for code, n in con.execute(
                    "SELECT code, count(*) FROM problems GROUP BY 1 ORDER BY 1").fetchall():
                by = st.warnings_by_code if code in WARNING_CODES else st.problems_by_code
                by[code] = n
        st.imports = [ImportRecord(str(r[0]), r[1] or "", r[2] or "", int(r[3] or 0),
                                   int(r[4] or 0), r[5] or "")
                      for r in con.execute(
                          "SELECT logged_at, file, sha256, rows_accepted, rows_quarantined, note "
                          "FROM audit_log WHERE command = 'import' AND rows_accepted IS NOT NULL "
                          "ORDER BY logged_at").fetchall()]
        st.audit_tail = [AuditLine(str(r[0]), r[1], r[2] or "", r[3], r[4], r[5] or "")
                         for r in reversed(con.execute(
                             "SELECT logged_at, command, file, rows_accepted, rows_quarantined, "
                             "note FROM audit_log ORDER BY logged_at DESC LIMIT ?",
                             [audit_lines]).fetchall())]
        weights = study.design.weights
        st.weights_present = store.has_table("weights") or (
            "main" in data_tables and bool(con.execute(
                "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'study' "
                "AND table_name = 'main' AND column_name = ?", [weights]).fetchone()[0]))
    return st


def print_status(st: StudyStatus) -> None:
    """Rich tables on stdout (the status is the command's result)."""
    from rich.table import Table

    from dhkit.console import out_console as c

    c.print(f"[bold]{st.name}[/bold] ({st.country}) — {st.dir}")
    if not st.store_exists:
        c.print("Nothing imported yet. Next: dhkit import DIR FILE...")
        return
    t = Table(title="Tables")
    for col in ("table", "rows", "quarantined"):
        t.add_column(col, justify="left" if col == "table" else "right")
    for tc in st.tables:
        t.add_row(tc.table, f"{tc.rows:,}", f"{tc.quarantined:,}")
    c.print(t if st.tables else "No survey data yet.")
    if st.imports:
        t = Table(title="Imports")
        for col in ("when (UTC)", "file", "sha256", "accepted", "quarantined"):
            t.add_column(col)
        for r in st.imports:
            t.add_row(r.logged_at[:19], r.file, r.sha256[:12], f"{r.rows_accepted:,}",
                      f"{r.rows_quarantined:,}")
        c.print(t)
    for title, counts in (("Validation problems by code", st.problems_by_code),
                          ("Warnings by code (data kept)", st.warnings_by_code)):
        if counts:
            t = Table(title=title)
            t.add_column("code")
            t.add_column("rows" if counts is st.warnings_by_code else "problems",
                         justify="right")
            for code, n in counts.items():
                t.add_row(code, f"{n:,}")
            c.print(t)
    c.print("Weights: " + ("present" if st.weights_present else
                           "not built yet (dhkit weights build)"))
    if st.audit_tail:
        t = Table(title="Audit log (latest)")
        for col in ("when (UTC)", "command", "file", "accepted", "quarantined", "note"):
            t.add_column(col)
        for a in st.audit_tail:
            t.add_row(a.logged_at[:19], a.command, a.file,
                      "" if a.rows_accepted is None else f"{a.rows_accepted:,}",
                      "" if a.rows_quarantined is None else f"{a.rows_quarantined:,}", a.note)
        c.print(t)
