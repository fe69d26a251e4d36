"""Benchmark: import and validate a 1,000,000-row Kobo CSV (plus its repeat file).

Builds the export by tiling the demo generator's Kobo CSV (unique ``_uuid``/``hh_id``/``_id``
per copy, so every row is a distinct, valid submission), then times ``dhkit import`` on a fresh
demo study and reports rows/s and peak memory (RSS of this process, which runs DuckDB; the
floor runs in a child process, so its in-memory tables do not count).

    /work/venv/bin/python benchmarks/ingest.py --rows 1000000 [--memory-limit 2GB]

Aim (issue 16): the whole import (validation and encrypted store included) within 1.5x of
the time DuckDB takes just to read the same two files as text into tables, measured side by
side in one run (``duckdb_floor``), memory not growing with the file (DuckDB streams the CSV
and spills to encrypted temporary files past its memory limit).

    python benchmarks/ingest.py --rows 1000000 --keep          # builds the export once
    python benchmarks/ingest.py --export DIR --repeat 3        # floor and import, 3 times
    python benchmarks/ingest.py --export DIR --parts           # the write's lower bound
    python benchmarks/ingest.py --export DIR --reexport        # then a cumulative re-export

``--parts`` times, on the main file alone, the ways an import writes it into an encrypted
store under the import's memory limit, beside the floor, each with the importer's own SQL:
the text staging (as other sheets are staged) plus its typed store write, against the typed
staging straight into the store that a CSV's main sheet now gets (on a clean first import
that table becomes ``main``: the rows are written once), and the same without the row rules.
Each keeps the file's row order: only an order-keeping write knows each row's file row
(DuckDB's CSV reader has no row-number column for a parallel scan), which the store keeps
(``_source_row``) and every problem names.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb


def build_export(out: Path, rows: int) -> tuple[Path, Path]:
    """A Kobo main CSV of ``rows`` submissions and its instance file, tiled from the demo."""
    from dhkit.demo.study import generate_study

    demo = generate_study(out / "demo", children=2000, formats=("kobo_csv",))
    main, instance, _ = demo.paths["kobo_csv"]
    con = duckdb.connect()
    base = con.execute(f"SELECT count(*) FROM read_csv('{main}', delim=';', all_varchar=true)"
                       ).fetchone()[0]
    copies = -(-rows // base)
    big_main, big_inst = out / "big.csv", out / "big-instance.csv"
    # every key made unique per copy: _uuid, the study key and Kobo's _id (a copy sharing
    # _id with another would be an edit or a copy of the same submission, ingest/edits.py)
    for src, dst, key_cols in ((main, big_main, ("_uuid", "hh_id", "_id")),
                               (instance, big_inst, ("_submission__uuid", "hh_id",
                                                     "_submission__id"))):
        cols = [r[0] for r in con.execute(
            f"DESCRIBE SELECT * FROM read_csv('{src}', delim=';', all_varchar=true)").fetchall()]
        sel = ", ".join(
            f"\"{c}\" || '-' || c AS \"{c}\"" if c in key_cols else
            (f"CAST(CAST(\"{c}\" AS BIGINT) + c * {base} AS VARCHAR) AS \"{c}\""
             if c in ("_index", "_parent_index") and src == main or c == "_parent_index" else
             f"\"{c}\"") for c in cols)
        limit = f"LIMIT {rows}" if src == main else ""
        keep = "" if src == main else \
            f"WHERE CAST(_parent_index AS BIGINT) + c * {base} <= {rows}"
        con.execute(f"""COPY (SELECT {sel} FROM read_csv('{src}', delim=';', all_varchar=true),
                                  range({copies}) t(c) {keep} ORDER BY c {limit})
                        TO '{dst}' (DELIMITER ';', HEADER)""")
    return big_main, big_inst


def duckdb_floor(paths: list[Path], threads: int | None = None) -> tuple[float, float]:
    """Seconds DuckDB takes just to read the files as text into tables (the floor the
    import is compared with: same files, same engine, no validation, no encryption)."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    t0, c0 = time.perf_counter(), time.process_time()
    for i, p in enumerate(paths):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{p}', delim=';', "
                    "header=true, all_varchar=true)")
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    con.close()
    return dt, dc


def reexport(main: Path, folder: Path) -> Path:
    """The next day's cumulative export: every submission again, the first one edited the
    way Kobo writes an edit (a new ``_uuid`` and a later ``_submission_time``, the same
    ``_id``)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / main.name
    if not out.exists():
        with main.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
            header = src.readline()
            cols = header.rstrip("\n").split(";")
            dst.write(header)
            first = src.readline().rstrip("\n").split(";")
            for col, change in (("_uuid", lambda v: v + "-edit"),
                                ("_submission_time", lambda v: "2099-01-01T00:00:00")):
                if col in cols:
                    first[cols.index(col)] = change(first[cols.index(col)])
            dst.write(";".join(first) + "\n")
            shutil.copyfileobj(src, dst, 1 << 20)
    return out


def write_parts(src: Path, memory_limit: str | None = None) -> list[tuple[str, float, float]]:
    """(what, seconds, CPU seconds) of the ways the main file is written, each with the
    importer's own SQL (recorded from one import of ``src`` each way), the floor first: the
    text staging other sheets use plus its typed store write, against the CSV main sheet's
    typed staging straight into the store (which a clean first import renames into ``main``)
    and, for scale, the same with no row rules."""
    from dhkit.ingest import importer
    from dhkit.workspace.config import init_study
    from dhkit.workspace.store import Store

    memory_limit = memory_limit or importer.IMPORT_MEMORY_LIMIT

    class Recording:       # the store connection, keeping every statement it runs
        def __init__(self, con):
            self.con, self.sql = con, []

        def execute(self, sql, *args):
            self.sql.append(sql)
            return self.con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.con, name)

    def recorded(typed: bool, d: Path) -> list[str]:
        importer._Importer.typed_stage = typed
        try:
            study = init_study(d, demo=True)
            store = study.open_store()
            rec = Recording(store.con)
            store.con = rec
            importer.import_files(study, [main_csv, src / "big-instance.csv"], store=store)
            store.con = rec.con
            store.close()
            return rec.sql
        finally:
            importer._Importer.typed_stage = True

    main_csv = src / "big.csv"
    out = [("floor: the main file read as text into a table", *_timed(duckdb.connect(),
            f"CREATE TABLE t AS SELECT * FROM read_csv('{main_csv}', delim=';', header=true, "
            "all_varchar=true)"))]
    with tempfile.TemporaryDirectory() as d:
        text = recorded(False, Path(d) / "text")
        stage = next(q for q in text if q.startswith("CREATE TEMP TABLE _nt0 AS "))
        stage = stage[len("CREATE TEMP TABLE _nt0 AS "):]
        write = next(q for q in text if q.startswith('INSERT INTO study."main" BY NAME'))
        typed_write = write[write.index("SELECT ") + 7:write.index(" FROM _n0 n")]
        head = f'CREATE TABLE study."{importer.STORE_STAGE}0" AS '
        one = next(q for q in recorded(True, Path(d) / "typed") if q.startswith(head))
        one = one[len(head):]
        # the same projection over the file with the row rules' flag a constant
        i = one.index("FROM (SELECT * EXCLUDE (_t") + 5
        j = one.index("read_csv(", i) + len("read_csv(")
        depth = 1
        while depth:
            depth += {"(": 1, ")": -1}.get(one[j], 0)
            j += 1
        base = one[one.rindex("(SELECT ", i, j) + 1:j]
        no_rules = f"{one[:i]}(SELECT *, FALSE AS _bad FROM ({base}))"
        for k, (what, order, sql) in enumerate((
                ("text staging (as other sheets), file order", True,
                 f"CREATE TEMP TABLE _nt0 AS {stage}"),
                ("  + its typed store write", False,
                 f"CREATE TABLE study.a AS SELECT {typed_write} FROM (SELECT rowid + 2 AS "
                 "_row, * FROM _nt0) n"),
                ("typed staging into the store, file order (kept)", True,
                 f"CREATE TABLE study.b AS {one}"),
                ("  the same without the row rules", True,
                 f"CREATE TABLE study.c AS {no_rules}"))):
            if k != 1:
                store = Store.open(Path(d) / f"w{k}.duckdb", "bench-key-not-secret",
                                   memory_limit=memory_limit)
            store.con.execute(f"SET preserve_insertion_order = {str(order).lower()}")
            # as the importer stages: no IN-clause rewrite (its join would lose the order)
            store.con.execute(f"SET disabled_optimizers = '{'in_clause' if order else ''}'")
            out.append((what, *_timed(store.con, sql)))
            if k != 0:
                store.close()
    return out


def _timed(con, sql: str) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    con.execute(sql)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 2GB")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--build-only", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--export", metavar="DIR", help="reuse big.csv/big-instance.csv built "
                    "before in DIR (see --keep) instead of building them")
    ap.add_argument("--repeat", type=int, default=1, help="run floor and import N times "
                    "(alternating) and report each")
    ap.add_argument("--floor-only", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--parts", action="store_true", help="time the main file's text staging "
                    "and store write against its typed staging into the store, beside the "
                    "floor (needs --export)")
    ap.add_argument("--reexport", action="store_true", help="after each import, import the "
                    "next day's cumulative export: the same submissions, one of them edited")
    args = ap.parse_args()
    if args.parts:
        if not args.export:
            ap.error("--parts needs --export DIR (a folder with big.csv)")
        parts = write_parts(Path(args.export), args.memory_limit)
        floor = parts[0][1]
        for what, sec, cpu in parts:
            print(f"{what:52s} {sec:6.2f} s (CPU {cpu:5.2f} s) = {sec / floor:.2f}x the floor")
        return
    if args.build_only:        # run in a child process so its memory is not counted
        build_export(Path(args.build_only), args.rows)
        return
    if args.floor_only:        # likewise: the floor's tables do not count in the import's RSS
        src = Path(args.floor_only)
        print(*duckdb_floor([src / "big.csv", src / "big-instance.csv"]))
        return

    import os

    from dhkit.ingest.importer import import_files
    from dhkit.workspace.config import init_study

    if args.memory_limit:
        os.environ["DHKIT_MEMORY_LIMIT"] = args.memory_limit
    work = Path(tempfile.mkdtemp(prefix="dhkit-bench-ingest-"))
    try:
        t0 = time.perf_counter()
        import subprocess
        import sys

        src = Path(args.export) if args.export else work
        if not args.export:
            subprocess.run([sys.executable, __file__, "--rows", str(args.rows),
                            "--build-only", str(work)], check=True)
        big_main, big_inst = src / "big.csv", src / "big-instance.csv"
        t1 = time.perf_counter()
        size = big_main.stat().st_size / 1e6
        print(f"export: {size:,.0f} MB main CSV (+ {big_inst.stat().st_size / 1e6:,.0f} MB "
              f"instance file), built in {t1 - t0:.1f} s")
        for k in range(args.repeat):
            load = os.getloadavg()[0]
            out = subprocess.run([sys.executable, __file__, "--floor-only", str(src)],
                                 check=True, capture_output=True, text=True).stdout
            floor, floor_cpu = map(float, out.split()[-2:])
            study = init_study(work / f"study{k}", demo=True)
            t2, c2 = time.perf_counter(), time.process_time()
            result = import_files(study, [big_main, big_inst])
            t3, c3 = time.perf_counter(), time.process_time()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            total = sum(result.accepted.values()) + sum(result.quarantined.values())
            rows = result.accepted.get("main", 0) + result.quarantined.get("main", 0)
            print(f"run {k + 1}: DuckDB read as text (floor) {floor:.1f} s (CPU {floor_cpu:.1f} s)"
                  f"; dhkit import {t3 - t2:.1f} s (CPU {c3 - c2:.1f} s) = "
                  f"{(t3 - t2) / floor:.2f}x the floor in wall time, "
                  f"{(c3 - c2) / floor_cpu:.2f}x in CPU time")
            print(f"  {rows:,} main rows ({total:,} rows in all tables), problems: "
                  f"{len(result.report)}; rows/s (main): {rows / (t3 - t2):,.0f}; CPU time "
                  f"(all threads): {c3 - c2:.1f} s; peak RSS: {rss:,.0f} MB; load average "
                  f"before: {load:.1f} on {os.cpu_count()} cores")
            if args.reexport:
                again = reexport(big_main, work / "again")
                t4, c4 = time.perf_counter(), time.process_time()
                result = import_files(study, [again])
                t5, c5 = time.perf_counter(), time.process_time()
                same, edited = result.unchanged.get("main", 0), result.edited.get("main", 0)
                print(f"  cumulative re-export of the main file ({same:,} unchanged, {edited:,} "
                      f"edited): {t5 - t4:.1f} s (CPU {c5 - c4:.1f} s) = "
                      f"{(t5 - t4) / floor:.2f}x the floor")
            shutil.rmtree(work / f"study{k}", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
