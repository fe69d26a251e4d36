"""Copies of one submission inside one import: settle them the way re-exports are settled.

An import may bring the same submission more than once: the CSV and the XLSX export of the
same data passed together, a row repeated in a file, or two exports taken a week apart with
an edit in between (ODK Central keeps ``KEY``; Kobo gives the edit a new ``_uuid`` but keeps
``_id`` and, when the form has them, ``meta/deprecatedID``/``meta/rootUuid``). Rows are the
same submission when they share the key (``_uuid``/``KEY``/study key), Kobo's ``_id``, or one
names the other in ``deprecatedID``/``rootUuid``. Within such a group the newest row is
chosen by the rule the store uses for re-exports:

1. a row that names another as its ``deprecatedID`` is newer (chains are followed: a
   version is known by its own instanceID, ODK Central's ``meta-instanceID``, else its key);
2. else the larger ODK Central ``Edits`` count;
3. else the later ``_submission_time``;
4. else the file given later in the command (only between files that carry a submission id:
   two rows of a plain file that share only ``hh_id`` cannot be ordered).

Every other row of the group is then, in ``_st{k}.kind``:

- ``dup``: the same key and the same content as the chosen row: a no-op, counted as
  "duplicate in this import, identical";
- ``older``: an older version: kept in ``TABLE_history`` (never in the table);
- ``past``: a repeat entry of a submission whose version here is older than the one stored
  (ODK Central's older export imported after the newer): kept in ``TABLE_history``;
- ``stale``: an older version whose content is already stored as it is (nothing to write);
- ``conflict``: nothing orders it against the chosen row: quarantined as IMP-008.

Repeat entries follow their submission: entries of a version that goes to history go there
too; when several copies of a submission bring their entries, the entries of the chosen
copy's export go in (a Kobo or ODK export names its repeat files ``STEM-REPEAT.csv`` next to
``STEM.csv``; a workbook holds its own sheets), the others are duplicates or older versions,
and entries nothing can order are IMP-008. Nothing is dropped: every row lands in the table,
in history, or in quarantine, or is an exact duplicate of one that did.

Why not pandas ``drop_duplicates`` or DuckDB ``DISTINCT``: rows must be grouped through three
kinds of links (key, ``_id``, deprecatedID) and ordered by rule, and each outcome goes to a
different place; the grouping is a short label propagation in SQL so it stays in DuckDB's
bounded memory and costs one grouped pass when there are no copies.

>>> # import_files(study, ["export.csv", "export.xlsx"])   # doctest: +SKIP
>>> # -> result.duplicates == {"main": 120, "members": 310}  (identical copies, no-op)
"""

from __future__ import annotations

from pathlib import Path

from dhkit.ingest.validate import lit, sql_type, txt

#: why a row of this import went to ``TABLE_history`` (``_superseded_why``)
OLDER_IN_IMPORT = "edited: an older version than the one applied in the same import"
OLDER_THAN_STORED = "edited: an older version than the one stored"

#: labels propagate along shared links; chains of copies are short, this bounds the loop
_MAX_PASSES = 30

#: the stored columns naming the version of a submission (ODK Central keeps ``KEY`` and
#: ``SubmissionDate`` on an edit; the version's own instanceID, the one it replaced and
#: Central's count of edits tell an older export from a newer one), and the meta roles that
#: bring them; a study whose exports carry none of them gets no such column
VERSION_COLUMNS = {"_instance_id": "VARCHAR", "_deprecated_id": "VARCHAR", "_edits": "BIGINT"}
VERSION_ROLES = {"instance", "deprecated", "edits"}
#: the staged (text) column each :data:`VERSION_COLUMNS` column is made from
VERSION_SOURCES = {"_instance_id": "_instance", "_deprecated_id": "_deprecated",
                   "_edits": "_edits"}


def version_column_sql(col: str, alias: str) -> str:
    """SQL of a :data:`VERSION_COLUMNS` column from a staged row ``alias``."""
    v = f"{alias}.{VERSION_SOURCES[col]}"
    ty = VERSION_COLUMNS[col]
    return f"{v if ty == 'VARCHAR' else f'TRY_CAST({v} AS {ty})'} AS {col}"


def same_version_sql(a: str, b: str) -> str:
    """SQL: two rows are the same version of a submission as far as their instanceIDs tell
    (one unknown: yes). Central's version 2 and 3 may hold the same main answers (the edit
    changed a repeat): they are still two versions, and the older goes to history."""
    return f"({a} IS NULL OR {b} IS NULL OR {strip_uuid(a)} = {strip_uuid(b)})"


def version_order_sql(n: str, o: str) -> str:
    """``WHEN ... THEN`` branches of "is staged row ``n`` newer than stored row ``o``":
    the stored row names ``n`` as the version it replaced (older); ``n`` names the stored
    row (newer); else the larger Central ``Edits`` count. Rows stored without these
    columns fall through to the submission time and the export order."""
    ni, nd = strip_uuid(f"{n}._instance"), strip_uuid(f"{n}._deprecated")
    oi, od = strip_uuid(f"{o}._instance_id"), strip_uuid(f"{o}._deprecated_id")
    ne, oe = f"TRY_CAST({n}._edits AS BIGINT)", f"{o}._edits"
    return (f"WHEN {od} = {ni} THEN FALSE WHEN {nd} = {oi} THEN TRUE "
            f"WHEN {ne} <> {oe} THEN {ne} > {oe}")


def strip_uuid(col: str) -> str:
    """SQL: an instance id without its ``uuid:`` prefix (Kobo's ``_uuid`` has none)."""
    return f"CASE WHEN starts_with({col}, 'uuid:') THEN substr({col}, 6) ELSE {col} END"


def _content(imp, level: str | None, alias: str) -> str:
    """SQL: hash of a staged row's answers, typed as they are stored (so the CSV and the XLSX
    of the same answers hash alike)."""
    cols = []
    for q in imp.cb.data_questions(level):
        ty = sql_type(q, imp.cb) if q.base_type != "calculate" else "VARCHAR"
        v = f"{alias}.{txt(q.name)}"
        cols.append(v if ty == "VARCHAR" else f"TRY_CAST({v} AS {ty})")
    return f"hash({', '.join(cols) or 'NULL'})"


def family(imp, s) -> int:
    """The main-level stage of the export a staged sheet belongs to (-1: not known).

    A workbook's sheets belong to its main sheet; a CSV ``STEM-REPEAT.csv`` belongs to
    ``STEM.csv`` in the same folder (Kobo's and ODK Central's own naming)."""
    i = imp.stages.index(s)
    if s.cmap.level is None:
        return i
    mains = [(j, o) for j, o in enumerate(imp.stages) if o.cmap.level is None]
    for j, o in mains:
        if o.sheet.file == s.sheet.file:
            return j
    f = Path(s.sheet.file)
    best = [(len(Path(o.sheet.file).stem), j) for j, o in mains
            if Path(o.sheet.file).parent == f.parent
            and f.stem.startswith(Path(o.sheet.file).stem + "-")]
    return max(best)[1] if best else -1


def settle_copies(imp, level: str | None, stages: list) -> None:
    """Group the copies of each submission (or repeat entry) at ``level`` in this import and
    record what happens to each (``_st{k}.kind``; IMP-008 for copies nothing orders)."""
    if imp.release or not stages:
        return
    if level is None:
        cl = _settle_main(imp, stages)
    else:
        cl = _settle_repeat(imp, level, stages)
    if cl is None:
        return
    _record(imp, stages, cl)


def _temp(imp, name: str, sql: str) -> str:
    imp.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
    if name not in imp.temps:
        imp.temps.append(name)
    return name


def _count(imp, table: str) -> int:
    return imp.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _labels(imp, stages) -> str:
    return "CASE stage " + " ".join(f"WHEN {imp.stages.index(s)} THEN {lit(s.sheet.label)}"
                                    for s in stages) + " END"


# --------------------------------------------------------------------------- submissions
def _settle_main(imp, stages) -> str | None:
    """Group submissions by key, Kobo ``_id`` and deprecatedID/rootUuid; classify copies."""
    toks = []
    key = strip_uuid("_key")
    for s in stages:
        i, m = imp.stages.index(s), s.cmap.meta
        toks.append(f"SELECT {i} AS stage, _row, 'k' AS kd, {key} AS v FROM {s.n} "
                    "WHERE _key IS NOT NULL")
        if "kobo_id" in m:
            toks.append(f"SELECT {i}, _row, 'i', _kobo_id FROM {s.n} WHERE _kobo_id IS NOT NULL")
        if "deprecated" in m:
            dep = strip_uuid("_deprecated")
            toks.append(f"SELECT {i}, _row, 'k', {dep} FROM {s.n} WHERE _deprecated IS NOT "
                        f"NULL AND {dep} IS DISTINCT FROM {key}")
        if "root" in m:
            root, dep = strip_uuid("_root"), strip_uuid("_deprecated")
            toks.append(f"SELECT {i}, _row, 'k', {root} FROM {s.n} WHERE _root IS NOT NULL "
                        f"AND {root} IS DISTINCT FROM {key} AND {root} IS DISTINCT FROM "
                        f"COALESCE({dep}, '')")
    # links held by more than one row: the only rows that can be copies (found first on a
    # 64-bit hash of the link, so the strings are built only for the few candidates). A Kobo
    # export never holds one _id twice: a file that does is not using Kobo's numbers (a
    # merge of servers, another tool's _id), so its _id links nothing
    tk = _temp(imp, "_ed_tk", f"""
        WITH t AS (SELECT *, hash(kd, v) AS h FROM ({' UNION ALL '.join(toks)})),
             c AS (SELECT stage, _row, kd || ':' || v AS tok FROM t
                   WHERE h IN (SELECT h FROM t GROUP BY h HAVING count(*) > 1)),
             odd AS (SELECT tok FROM c WHERE starts_with(tok, 'i:') GROUP BY tok, stage
                     HAVING count(*) > 1)
        SELECT stage, _row, tok FROM c WHERE tok NOT IN (SELECT tok FROM odd)
        QUALIFY count(*) OVER (PARTITION BY tok) > 1""")
    if not _count(imp, tk):
        return None
    cm = _components(imp, tk)
    keyed = {imp.stages.index(s): "key" in s.cmap.meta for s in stages}
    parts = [f"""SELECT c.stage, c._row, c.comp, n._key, {strip_uuid('n._key')} AS sk,
                        {strip_uuid('n._deprecated')} AS dep,
                        {strip_uuid('n._instance')} AS inst, TRY_CAST(n._edits AS BIGINT) AS ed,
                        TRY_CAST(n._submission_time AS TIMESTAMP) AS ts,
                        {_content(imp, None, 'n')} AS h, {lit(keyed[i])}::BOOLEAN AS keyed,
                        (n._deprecated IS NOT NULL)::INTEGER AS gen
                 FROM {cm} c JOIN {s.n} n ON n._row = c._row WHERE c.stage = {i}"""
             for s in stages for i in [imp.stages.index(s)]]
    ca = _temp(imp, "_ed_ca", " UNION ALL ".join(parts))
    for _ in range(_MAX_PASSES):     # generations of edits: deprecatedID -> a copy's key
        n = imp.con.execute(f"""
            UPDATE {ca} SET gen = x.g FROM (
                SELECT a.stage, a._row, max(b.gen) + 1 AS g FROM {ca} a JOIN {ca} b
                  ON a.comp = b.comp AND COALESCE(b.inst, b.sk) = a.dep
                  AND NOT (a.stage = b.stage AND a._row = b._row)
                GROUP BY ALL) x
            WHERE {ca}.stage = x.stage AND {ca}._row = x._row AND x.g > {ca}.gen""").fetchone()[0]
        if not n:
            break
    label = _labels(imp, stages)
    # w: the newest row of each group; of the rows identical to it (same key and answers)
    # the first in file order goes in (so the XLSX after the CSV is the reported copy)
    t = _temp(imp, "_ed_t", f"""
        WITH r AS (SELECT *, {label} || ' row ' || _row AS pos, row_number() OVER (
                       PARTITION BY comp ORDER BY gen DESC, ed DESC NULLS LAST,
                       ts DESC NULLS LAST,
                       CASE WHEN keyed THEN stage ELSE -stage END DESC, _row) AS rk
                   FROM {ca}),
             s AS (SELECT r.*, r._key = w._key AND r.h = w.h
                              AND {same_version_sql('r.inst', 'w.inst')} AS likew,
                          w._key AS wkey, w.gen AS wgen, w.ed AS wed, w.ts AS wts,
                          w.stage AS wstage,
                          w.keyed AS wkeyed
                   FROM r JOIN r w ON w.comp = r.comp AND w.rk = 1)
        SELECT *, likew AND row_number() OVER (PARTITION BY comp, likew ORDER BY stage, _row)
                  = 1 AS chosen FROM s""")
    _inherit_match(imp, stages, t)
    return _temp(imp, "_ed_cl", f"""
        SELECT o.stage, o._row, o._key, o.wkey, rep.pos AS wat,
               CASE WHEN o.likew THEN 'dup'
                    WHEN o.gen < o.wgen THEN 'older'
                    WHEN o.ed < o.wed THEN 'older'
                    WHEN o.keyed AND o.wkeyed AND o.ts < o.wts THEN 'older'
                    WHEN o.keyed AND o.wkeyed AND o.stage < o.wstage
                         AND (o.ts IS NULL OR o.wts IS NULL OR o.ts = o.wts) THEN 'older'
                    ELSE 'conflict' END AS kind
        FROM {t} o JOIN {t} rep ON rep.comp = o.comp AND rep.chosen
        WHERE NOT o.chosen""")


def _inherit_match(imp, stages, t: str) -> None:
    """The chosen row of a group that matched no stored row takes the stored row another
    copy of its group matched (e.g. a Kobo edit chain A <- B <- C: B names the stored A as
    deprecatedID, C names B), so the stored version is replaced, not kept beside it."""
    sts = " UNION ALL ".join(f"SELECT {imp.stages.index(s)} AS stage, * FROM "
                             f"_st{imp.stages.index(s)}" for s in stages)
    inh = _temp(imp, "_ed_inh", f"""
        SELECT c.stage, c._row, m.old_key, m.same OR m.newer AS newer
        FROM {t} c JOIN (SELECT o.comp, st.old_key, st.same, st.newer FROM {t} o
                         JOIN ({sts}) st ON st.stage = o.stage AND st._row = o._row
                         WHERE NOT o.chosen AND st.old_key IS NOT NULL) m ON m.comp = c.comp
        WHERE c.chosen AND NOT EXISTS (SELECT 1 FROM ({sts}) x WHERE x.stage = c.stage
                                       AND x._row = c._row)
        QUALIFY row_number() OVER (PARTITION BY c.stage, c._row ORDER BY m.old_key) = 1""")
    if not _count(imp, inh):
        return
    for s in stages:
        k = imp.stages.index(s)
        imp.con.execute(f"INSERT INTO _st{k} SELECT _row, old_key, NULL, FALSE, newer, NULL "
                        f"FROM {inh} WHERE stage = {k}")


def _components(imp, tk: str) -> str:
    """Connected groups of rows sharing a link (label propagation: every row takes the
    smallest label among rows it shares a link with, until nothing changes)."""
    cm = _temp(imp, "_ed_cm", f"SELECT stage, _row, min(tok) AS comp FROM {tk} GROUP BY ALL")
    for _ in range(_MAX_PASSES):
        _temp(imp, "_ed_cm2", f"""
            SELECT t.stage, t._row, min(l.comp) AS comp FROM {tk} t JOIN (
                SELECT t2.tok, min(c.comp) AS comp FROM {tk} t2 JOIN {cm} c
                  ON c.stage = t2.stage AND c._row = t2._row GROUP BY t2.tok) l
              ON l.tok = t.tok GROUP BY ALL""")
        changed = imp.con.execute(
            f"SELECT count(*) FROM _ed_cm2 a JOIN {cm} b ON a.stage = b.stage "
            "AND a._row = b._row WHERE a.comp <> b.comp").fetchone()[0]
        _temp(imp, cm, "SELECT * FROM _ed_cm2")
        if not changed:
            break
    return cm


# --------------------------------------------------------------------------- repeat entries
def _settle_repeat(imp, level: str, stages) -> str | None:
    """Entries follow their submission: those of a version going to history go with it;
    copies of one entry keep the one from the chosen copy's export."""
    parent = imp._parent_level(level)
    pstages = [o for o in imp.stages if o.cmap.level == parent]
    if not pstages:
        return None
    # parent rows that do not go in as the current version (copies, older versions)
    special = " UNION ALL ".join(
        f"SELECT n._key FROM {o.n} n JOIN _st{j} st ON st._row = n._row WHERE st.kind IS NOT "
        "NULL OR (NOT st.same AND NOT st.newer)"
        for o in pstages for j in [imp.stages.index(o)])
    grp = _temp(imp, "_ed_grp", "SELECT _key FROM (" + " UNION ALL ".join(
        f"SELECT _key FROM {s.n} WHERE _key IS NOT NULL" for s in stages)
        + ") GROUP BY _key HAVING count(*) > 1")
    parents_of_grp = " UNION ALL ".join(
        f"SELECT _parent_key FROM {s.n} WHERE _key IN (SELECT _key FROM {grp})"
        for s in stages)
    pk_keys = _temp(imp, "_ed_pkk", f"SELECT DISTINCT _key FROM ({special} UNION ALL "
                    f"{parents_of_grp}) WHERE _key IS NOT NULL")
    if not _count(imp, pk_keys) and not _count(imp, grp):
        return None
    # per relevant parent key: the export family of its current row (W), or "no current
    # version in this import, only older ones" (nc)
    prow = " UNION ALL ".join(
        f"""SELECT n._key, {family(imp, o)} AS fam,
                   CASE WHEN n._row IN (SELECT _row FROM {o.p}) THEN 'bad'
                        WHEN st.kind IS NOT NULL THEN st.kind
                        WHEN st._row IS NOT NULL AND NOT st.same AND NOT st.newer THEN 'past'
                        ELSE 'cur' END AS state
            FROM {o.n} n LEFT JOIN _st{j} st ON st._row = n._row
            WHERE n._key IN (SELECT _key FROM {pk_keys})"""
        for o in pstages for j in [imp.stages.index(o)])
    pk = _temp(imp, "_ed_pk", f"""
        SELECT _key, min(fam) FILTER (WHERE state = 'cur' AND fam >= 0) AS w,
               count(*) FILTER (WHERE state IN ('cur', 'bad')) = 0
                   AND count(*) FILTER (WHERE state IN ('older', 'stale', 'past')) > 0 AS nc,
               count(*) FILTER (WHERE state = 'past') > 0 AS past
        FROM ({prow}) GROUP BY _key""")
    fams = sorted({family(imp, s) for s in stages} - {-1})
    brought = f"p.w IN ({', '.join(map(str, fams))})" if fams else "FALSE"
    parts = [f"""SELECT {i} AS stage, n._row, n._key, {fam} AS fam, {_content(imp, level, 'n')}
                        AS h,
                        CASE WHEN p.nc THEN -1
                             WHEN p.w IS NULL OR NOT ({brought}) OR {fam} < 0 THEN 1
                             WHEN {fam} = p.w THEN 2 ELSE 0 END AS pref,
                        COALESCE(p.past, FALSE) AS past
                 FROM {s.n} n LEFT JOIN {pk} p ON p._key = n._parent_key
                 WHERE n._parent_key IN (SELECT _key FROM {pk_keys})
                    OR n._key IN (SELECT _key FROM {grp})"""
             for s in stages for i, fam in [(imp.stages.index(s), family(imp, s))]]
    ca = _temp(imp, "_ed_ca", " UNION ALL ".join(parts))
    label = _labels(imp, stages)
    return _temp(imp, "_ed_cl", f"""
        WITH r AS (SELECT *, {label} || ' row ' || _row AS pos,
                          row_number() OVER (PARTITION BY _key ORDER BY pref DESC, stage, _row)
                              AS rk FROM {ca} WHERE pref >= 0),
             top AS (SELECT * FROM r WHERE rk = 1)
        SELECT stage, _row, _key, NULL::VARCHAR AS wkey, NULL::VARCHAR AS wat,
               CASE WHEN past THEN 'past' ELSE 'older' END AS kind
        FROM {ca} WHERE pref < 0
        UNION ALL
        SELECT o.stage, o._row, o._key, t._key, t.pos,
               CASE WHEN o.rk > 1 AND o.h = t.h THEN 'dup'
                    WHEN o.pref = 0 THEN 'older'
                    ELSE 'conflict' END
        FROM r o JOIN top t ON t._key = o._key
        WHERE o.rk > 1 OR o.pref = 0""")


# --------------------------------------------------------------------------- outcome
def _record(imp, stages, cl: str) -> None:
    """Write each settled row's kind into ``_st{k}`` (a row identical to the stored one
    stays a no-op) and IMP-008 for the copies nothing orders."""
    con = imp.con
    for s in stages:
        k = imp.stages.index(s)
        st = f"_st{k}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE _ed_old AS SELECT * FROM {st} "
                    f"WHERE _row IN (SELECT _row FROM {cl} WHERE stage = {k})")
        con.execute(f"DELETE FROM {st} WHERE _row IN (SELECT _row FROM {cl} WHERE stage = {k})")
        con.execute(f"""
            INSERT INTO {st}
            SELECT c._row,
                   CASE WHEN c.kind = 'dup' THEN c.wkey
                        WHEN c.kind IN ('older', 'past') AND COALESCE(o.same, FALSE)
                        THEN o.old_key END,
                   o.old_parent,
                   c.kind = 'dup' OR (c.kind IN ('older', 'past') AND COALESCE(o.same, FALSE)),
                   FALSE,
                   CASE WHEN c.kind IN ('older', 'past') AND COALESCE(o.same, FALSE) THEN 'stale'
                        ELSE c.kind END
            FROM {cl} c LEFT JOIN _ed_old o ON o._row = c._row WHERE c.stage = {k}""")
        con.execute(f"""
            INSERT INTO {s.p}
            SELECT _row, _key, 'IMP-008', '_key',
                   'duplicate key: the same submission as ' || wat || ' (same key, Kobo _id or '
                   || 'deprecatedID) with other content, and no deprecatedID, '
                   || '_submission_time or file order tells which is newer (that row goes '
                   || 'in; this one is quarantined)', _key
            FROM {cl} WHERE stage = {k} AND kind = 'conflict'""")
    con.execute("DROP TABLE IF EXISTS _ed_old")


def counts(con, k: int, problems: str) -> tuple[int, int, int]:
    """(unchanged, edited, duplicate) rows of stage ``k`` that change nothing in the table
    or replace a version (rows that go to quarantine are counted there only)."""
    return con.execute(f"""
        SELECT count(*) FILTER (WHERE same AND kind IS DISTINCT FROM 'dup'),
               count(*) FILTER (WHERE NOT same AND kind IS DISTINCT FROM 'conflict'),
               count(*) FILTER (WHERE kind = 'dup')
        FROM _st{k} WHERE _row NOT IN (SELECT _row FROM {problems})""").fetchone()


def history_why() -> str:
    """SQL over ``_st`` alias ``e``: why an older version goes to ``TABLE_history``."""
    return (f"CASE WHEN e.kind = 'older' THEN {lit(OLDER_IN_IMPORT)} "
            f"ELSE {lit(OLDER_THAN_STORED)} END")


__all__ = ["settle_copies", "counts", "family", "history_why"]
