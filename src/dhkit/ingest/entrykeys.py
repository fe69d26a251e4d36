"""Keys of Kobo repeat entries that survive a re-export: matched to the stored entries by
content, not by position.

ODK Central gives every repeat entry a lasting ``KEY`` (``uuid:x/members[2]``). Kobo does not:
its exporter (formpack, ``reporting/export.py``) numbers each sheet's rows ``_index`` 1, 2, 3
... on the fly while it writes the export ("like an auto-increment id that we generate on the
fly"), across every submission in that export, and links children by ``_parent_index``. So
``_index`` changes with the submissions an export holds (a date filter, a new submission, a
lost row) and is no key. dhkit keys a Kobo entry by its place under its parent,
``PARENT/members[n]`` (:meth:`~dhkit.ingest.importer._Importer._resolve_parents`), which
is right for a first import but not for a re-export of a parent whose entries are stored:
when an export lost a middle row (household with members A, B, C exported as A, C), C was
stored as ``members[2]``; the fixing re-export (A, B, C) then made B an "edit" of C (C moved
to history) and C a new ``members[3]`` — the table ended right, the history wrong.

Here, for each parent with stored entries, incoming entries take the key of a stored entry
of the same parent with the same answers (typed as stored; identical entries paired in
order). Entries left over on both sides are paired in order of position (a changed entry:
an edit, as before); entries still left are new and numbered after the parent's highest
stored position. Entries of parents with nothing stored keep their positional keys, so a
first import (the 1,000,000-row benchmark) pays one ``LIMIT 1`` probe per repeat file.

>>> position_sql("_key")
"TRY_CAST(regexp_extract(_key, '\\\\[(\\\\d+)\\\\]$', 1) AS BIGINT)"
"""

from __future__ import annotations

from dhkit.ingest.validate import lit, qi, txt


def position_sql(key: str) -> str:
    """SQL: the ``n`` of a positional key ``PARENT/level[n]`` (NULL for other keys)."""
    return f"TRY_CAST(regexp_extract({key}, '\\[(\\d+)\\]$', 1) AS BIGINT)"


def match_stored(imp, level: str, s) -> None:
    """Re-key the staged entries of ``s`` (a Kobo repeat sheet, keyed by position) against
    the entries stored under the same parents (see module docstring)."""
    t = level
    if imp.release or "key" in s.cmap.meta or not imp.store.has_table(t):
        return
    parents = f"SELECT DISTINCT _parent_key FROM {s.n} WHERE _parent_key IS NOT NULL"
    if not imp.con.execute(f"SELECT count(*) FROM (SELECT 1 FROM study.{qi(t)} WHERE "
                           f"_parent_key IN ({parents}) LIMIT 1)").fetchone()[0]:
        return
    have = imp._store_columns(t)
    qs = [q for q in imp.cb.data_questions(level) if q.name in have]
    new = ", ".join(f"TRY_CAST({txt(q.name)} AS {have[q.name]})" if have[q.name] != "VARCHAR"
                    else txt(q.name) for q in qs) or "NULL"
    old = ", ".join(qi(q.name) for q in qs) or "NULL"
    pos = position_sql("_key")
    top = [f"SELECT _parent_key AS pk, max({pos}) AS top FROM study.{qi(t)} "
           f"WHERE _parent_key IN ({parents}) GROUP BY ALL"]
    if imp.store.has_table(f"{t}_history"):     # a key once used stays that entry's
        top.append(f"SELECT _parent_key, max({pos}) FROM study.{qi(t + '_history')} "
                   f"WHERE _parent_key IN ({parents}) GROUP BY ALL")
    name = f"_ek{imp.stages.index(s)}"
    imp.temps.append(name)
    imp.con.execute(f"""
        CREATE TEMP TABLE {name} AS
        WITH i AS (SELECT _row, _parent_key AS pk, hash({new}) AS h,
                          row_number() OVER (PARTITION BY _parent_key, hash({new})
                                             ORDER BY _row) AS r
                   FROM {s.n} WHERE _parent_key IS NOT NULL AND _key IS NOT NULL),
             o AS (SELECT _key AS k, _parent_key AS pk, {pos} AS p, hash({old}) AS h,
                          row_number() OVER (PARTITION BY _parent_key, hash({old})
                                             ORDER BY {pos}, _key) AS r
                   FROM study.{qi(t)} WHERE _parent_key IN ({parents})),
             same AS (SELECT i._row, o.k FROM i JOIN o USING (pk, h, r)),
             iu AS (SELECT _row, pk, row_number() OVER (PARTITION BY pk ORDER BY _row) AS r
                    FROM i WHERE _row NOT IN (SELECT _row FROM same)),
             ou AS (SELECT k, pk, row_number() OVER (PARTITION BY pk ORDER BY p, k) AS r
                    FROM o WHERE k NOT IN (SELECT k FROM same)),
             changed AS (SELECT iu._row, ou.k FROM iu JOIN ou USING (pk, r)),
             top AS (SELECT pk, max(top) AS top FROM ({' UNION ALL '.join(top)}) GROUP BY pk),
             fresh AS (SELECT iu._row, iu.pk || '/' || {lit(level)} || '[' || (COALESCE(
                              top.top, 0) + row_number() OVER (PARTITION BY iu.pk
                                                               ORDER BY iu._row)) || ']' AS k
                       FROM iu JOIN top USING (pk)
                       WHERE iu._row NOT IN (SELECT _row FROM changed))
        SELECT * FROM same UNION ALL SELECT * FROM changed UNION ALL SELECT * FROM fresh""")
    imp.con.execute(f"UPDATE {s.t} SET _key = e.k FROM {name} e "
                    f"WHERE {s.row_of(s.t)} = e._row")
