"""IMP-022: a repeat whose XLSForm ``repeat_count`` fixes its number of entries.

ODK Collect and Enketo create exactly ``repeat_count`` entries (``${hh_size}`` members,
``3`` visits), so a submission whose repeat file holds fewer or more entries than its count
says was not sent that way: the export lost rows (a cut CSV, a filter left on in Excel) or
the repeat file belongs to another export. The check is set-based, after parents are
resolved: one aggregate of the import's entries per parent key, joined to the parents'
counts; it runs only when the form has a ``repeat_count`` and the import brings entries of
that repeat (the 1,000,000-row benchmark, a form without counts, pays nothing).

A mismatch is a *warning that keeps the data*: the submission and every entry go in (nothing
is lost, nothing waits in quarantine). A field coordinator then re-exports the repeat sheet
and imports it again: entries already stored are no-ops, the missing ones are added, and a
later check counts the stored entries with the new ones. Quarantining the submission instead
would hold back its own answers and, through IMP-013, every entry that did arrive.

No check where the count is not answered (NULL), not a whole number, or where the repeat was
not asked (its ``relevant`` or an enclosing group's is false); parents quarantined for other
reasons are not counted (their entries are IMP-013 already).

>>> WARNING_CODES
('IMP-022',)
"""

from __future__ import annotations

from dhkit.errors import DhkitError
from dhkit.ingest.validate import lit, qi, txt
from dhkit.validation import WARNING_CODES  # noqa: F401  (codes reported as warnings)

TABLE = "_counts"


def ensure_table(imp) -> None:
    """The import's count warnings: one row per submission whose entries differ."""
    imp.con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TABLE} (\"table\" VARCHAR, file VARCHAR, "
                    "_row BIGINT, _key VARCHAR, field VARCHAR, code VARCHAR, message VARCHAR, "
                    "value VARCHAR)")
    if TABLE not in imp.temps:
        imp.temps.append(TABLE)


def _rules(imp, level: str, columns: dict[str, str], expr: str) -> tuple[str, str]:
    """SQL of (expected count as DOUBLE, repeat asked) over a parent row with ``columns``."""
    from dhkit.instrument.expressions import to_sql, to_sql_value

    rep = imp.cb.repeats[level]
    count = to_sql_value(expr, columns=columns, question=level, column="repeat_count")
    rels = [g.relevant for g in (imp.cb.questions.get(n) for n in rep.group.split("/")
                                 if rep.group) if g is not None and g.type == "begin group"
            and g.relevant] + ([rep.relevant] if rep.relevant else [])
    asked = " AND ".join(f"({to_sql(e, columns=columns)})" for e in rels) or "TRUE"
    return f"TRY_CAST(CAST({count} AS VARCHAR) AS DOUBLE)", asked


def _counts_by_version(imp, level: str) -> dict[str, str]:
    """``repeat_count`` expression -> SQL of the rows whose form version has it (one entry,
    ``TRUE``, unless the study holds several versions that differ in it)."""
    if imp.versions is None:
        rep = imp.cb.repeats.get(level)
        return {rep.repeat_count: "TRUE"} if rep is not None and rep.repeat_count else {}
    by: dict[str, list[str]] = {}
    for v in imp.versions.versions:
        expr = getattr(v.codebook.repeats.get(level), "repeat_count", None)
        by.setdefault(expr or "", []).append(v.version)
    if list(by) != [""] and len(by) == 1:
        return {next(iter(by)): "TRUE"}
    return {e: f"_form_version IN ({', '.join(map(lit, vs))})" for e, vs in by.items() if e}


def check(imp, level: str, stages: list) -> None:
    """Add an IMP-022 row to ``_counts`` for each parent whose entries at ``level`` differ
    from its ``repeat_count`` (only when the import brings entries of ``level``); with
    several form versions, each parent by its own version's count."""
    if imp.release or level not in imp.cb.repeats or not stages:
        return
    for expr, held in _counts_by_version(imp, level).items():
        _check(imp, level, stages, expr, held)


def _check(imp, level: str, stages: list, expr: str, held: str) -> None:
    from dhkit.ingest.edits import family

    ensure_table(imp)
    parent = imp._parent_level(level)
    pt = "main" if parent is None else parent
    staged_cols = {q.name: txt(q.name) for q in imp.cb.data_questions(parent)}
    try:
        want, asked = _rules(imp, level, staged_cols, expr)
    except DhkitError as exc:
        note = f"{level}: repeat_count {expr} not checked ({exc.message})"
        if note not in imp.result.notes:
            imp.result.notes.append(note)
        return
    fams = {family(imp, s) for s in stages}
    pstages = [o for o in imp.stages if o.cmap.level == parent
               and (-1 in fams or family(imp, o) in fams)]
    kv = txt(imp.key_var) if parent is None and imp.has_key_var else "NULL::VARCHAR"
    # the parents going in (or already stored as they are), from the exports that brought
    # this repeat's file: quarantined rows, copies and older versions are not counted
    staged = [f"""SELECT {lit(o.sheet.label)} AS file, _row,
                         _row IN (SELECT _row FROM _st{imp.stages.index(o)} WHERE same)
                             AS stored, _key,
                         {kv} AS kv, {want} AS want, {asked} AS asked
                  FROM {o.n} WHERE _key IS NOT NULL AND {held}
                    AND _row NOT IN (SELECT _row FROM {o.p})
                    AND _row NOT IN (SELECT _row FROM _st{imp.stages.index(o)}
                                     WHERE kind IS NOT NULL OR (NOT same AND NOT newer))"""
              for o in pstages]
    entries = " UNION ALL ".join(
        f"SELECT _parent_key, _key FROM {s.n} WHERE _parent_key IS NOT NULL AND _row NOT IN "
        f"(SELECT _row FROM _st{imp.stages.index(s)} WHERE kind IS NOT NULL)" for s in stages)
    stored = _stored_parents(imp, level, parent, pt, pstages, entries, held, expr)
    parts = staged + ([stored] if stored else [])
    if not parts:
        return
    imp.con.execute(f"CREATE OR REPLACE TEMP TABLE _rc_par AS {' UNION ALL '.join(parts)}")
    if "_rc_par" not in imp.temps:
        imp.temps.append("_rc_par")
    # entries found per parent: those of this import; for a stored parent whose entries
    # arrive now (or a re-exported parent stored as it is), also the entries stored before
    # (a re-export of the missing ones; an export that lost a row the store holds)
    old = (f"UNION SELECT _parent_key, _key FROM study.{qi(level)} WHERE _parent_key IN "
           f"(SELECT _key FROM _rc_par WHERE stored)") if imp.store.has_table(level) else ""
    what = lit(expr)
    who = ("'submission ' || p._key || CASE WHEN p.kv IS NOT NULL THEN ' (' || "
           f"{lit(imp.key_var)} || ' ' || p.kv || ')' ELSE '' END" if parent is None
           else f"'{parent} entry ' || p._key")
    imp.con.execute(f"""
        INSERT INTO {TABLE}
        SELECT {lit(pt)}, p.file, p._row, p._key, {lit(level)}, 'IMP-022',
               {who} || ': ' || {lit(level)} || ' has ' || p.n || ' entr'
               || CASE WHEN p.n = 1 THEN 'y' ELSE 'ies' END || ' but its count ' || {what}
               || ' says ' || CAST(p.want AS BIGINT) || ' ('
               || CASE WHEN p.n < p.want THEN (CAST(p.want AS BIGINT) - p.n) || ' missing: an '
                       || 'export that lost rows?' ELSE (p.n - CAST(p.want AS BIGINT))
                       || ' too many: a ' || {lit(level)} || ' file from another export?' END
               || '); the data are kept. Re-export the ' || {lit(level)} || ' sheet of this '
               || 'form with the main sheet and import it again',
               CAST(p.n AS VARCHAR)
        FROM (SELECT r.*, COALESCE(f.n, 0) AS n FROM _rc_par r LEFT JOIN (
                  SELECT pk, count(DISTINCT k) AS n FROM (
                      SELECT _parent_key AS pk, _key AS k FROM ({entries}) {old})
                  GROUP BY pk) f ON f.pk = r._key) p
        WHERE p.asked AND p.want IS NOT NULL AND p.want >= 0 AND p.want = trunc(p.want)
          AND p.n <> p.want""")


def _stored_parents(imp, level, parent, pt: str, pstages, entries: str, held: str,
                    expr: str) -> str:
    """SQL of the stored parents some entry of this import names (its parent is not in the
    import: the repeat file is imported after its main file), or "" when there are none."""
    if not imp.store.has_table(pt):
        return ""
    have = {r[0] for r in imp.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'study' "
        "AND table_name = ?", [pt]).fetchall()}
    cols = {q.name: f"CAST({qi(q.name)} AS VARCHAR)" for q in imp.cb.data_questions(parent)
            if q.name in have}
    try:
        want, asked = _rules(imp, level, cols, expr)
    except DhkitError:
        return ""
    kv = (f"CAST({qi(imp.key_var)} AS VARCHAR)" if parent is None and imp.key_var in have
          else "NULL::VARCHAR")
    here = " UNION ALL ".join(f"SELECT _key FROM {o.n}" for o in pstages) or \
        "SELECT NULL::VARCHAR WHERE FALSE"
    return f"""SELECT _source_file AS file, _source_row AS _row, TRUE AS stored, _key, {kv} AS kv,
                      {want} AS want, {asked} AS asked
               FROM study.{qi(pt)} WHERE {held}
                 AND _key IN (SELECT _parent_key FROM ({entries}))
                 AND _key NOT IN (SELECT _key FROM ({here}) WHERE _key IS NOT NULL)"""
