"""Import survey exports into the study store: read, validate, accept or quarantine, audit.

One call of :func:`import_files` is one transaction: every file is staged and validated first
(temporary tables in DuckDB; a CSV's main sheet typed, in a store table of its own that is
dropped unless it becomes ``main`` — see :meth:`_Importer._adopt`), then valid rows go into
``main`` and the repeat tables, invalid rows into ``quarantine`` with their problems, every
problem into ``problems`` and one line per file into ``audit_log`` — all committed together
or not at all. A file whose SHA-256 is
already in the audit log is skipped ("already imported"), so importing twice adds nothing.

Store tables (all in schema ``study``):

- ``main``: one row per submission, bare variable names typed from the codebook (the merged
  codebook of every form version the study holds), plus ``_key`` (ODK ``KEY`` / ``_uuid`` /
  the study key), ``_submission_time``, ``_form_version``, ``_kobo_id`` (Kobo's ``_id``),
  ``_source_file``, ``_source_row``, ``_import_id``;
- one table per repeat (``roster``, ``instance``): the repeat's variables, ``_key``,
  ``_parent_key`` (the parent row's ``_key``), the study key variable copied from the parent
  (``hh_id``), ``_source_file``, ``_source_row``, ``_import_id``;
- ``quarantine``, ``problems``, ``value_labels``, ``audit_log``; ``TABLE_history`` (earlier
  versions of edited rows).

A table gains a column when the form gains a question (audited as ``schema``); nothing is
dropped.

Cross-row rules here: IMP-008 duplicate key in the import that nothing settles (copies of
one submission are settled by :mod:`dhkit.ingest.edits`; the first row goes in, later ones
are quarantined), IMP-009 key already in the store for another submission, IMP-012 repeat
row without a parent, IMP-013 repeat row whose parent was quarantined, IMP-014 submission
without a key, IMP-020 a form version the study does not hold; IMP-022 (entries against
a repeat's ``repeat_count``, a warning that keeps the rows) is :mod:`dhkit.ingest.repeatcount`.
Re-exported rows already
stored are no-ops (same content) or edits (``TABLE_history`` keeps the other version).

>>> from dhkit.workspace.config import init_study   # doctest: +SKIP
>>> result = import_files(init_study("s", demo=True), ["kobo.csv", "kobo-instance.csv"])  # doctest: +SKIP
>>> result.accepted["main"]                          # doctest: +SKIP
1309
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from dhkit.errors import DhkitError
from dhkit.ingest import edits as copies
from dhkit.ingest import entrykeys, repeatcount
from dhkit.ingest.readers import (ROW_COL, ColumnMap, Sheet, csv_error, load_file,
                                  map_columns, suggest, unzip_export)
from dhkit.ingest.validate import (Check, any_problem, any_problem_sql, choice_kind,
                                   effective_relevance,
                                   labelled_codes, lit, normalise, problems_sql, qi,
                                   question_checks, shared_terms, sql_type, translate_codes,
                                   translate_labels, txt, whole_number,
                                   finite_number)
from dhkit.instrument.codebook import Codebook
from dhkit.validation import Problem, ValidationReport
from dhkit.workspace.store import STAGE_PREFIX, Store, file_sha256

if TYPE_CHECKING:
    from dhkit.ingest.identical import Identical

#: problem codes whose value may appear in a message (type and choice errors of coded
#: fields); every other message names only file, row, field and code
VALUE_SHOWN = {"IMP-004", "IMP-005"}
#: DuckDB memory for an import unless DHKIT_MEMORY_LIMIT says otherwise; past it DuckDB
#: spills to encrypted temporary files, so memory does not grow with the file. Staging keeps
#: the file's order, and DuckDB writes an ordered table on every thread only while the
#: table's blocks fit: the 1,000,000-row benchmark export imports mostly on one thread at
#: 1GB (19.6 s) and on two at 2GB (12.6 s, peak RSS 716 MB). A larger export staged past
#: the limit spills and slows the same way; nothing is numbered wrong.
IMPORT_MEMORY_LIMIT = "2GB"
#: a CSV main sheet is staged typed in the store under this name (+ its number): the table
#: becomes ``main`` itself on a first import with nothing to leave out, else it is copied
#: from and dropped; a name left by an import that was killed is dropped by the next one
STORE_STAGE = STAGE_PREFIX

#: DuckDB memory one worker thread needs to parse, stage and write a wide export (each thread
#: fills its own row group, a block of every column, before it can be written or spilled);
#: under a smaller share of DHKIT_MEMORY_LIMIT the import runs on fewer threads
THREAD_MEMORY = 200 * 2**20
#: the smallest DHKIT_MEMORY_LIMIT an import succeeds at, in MB: a fixed part (the CSV reader's
#: buffer) and ~2MB per column of the widest file (blocks of every column of the row group
#: being built, and of the file's text re-read for the rows with problems). Measured on one
#: thread with benchmarks/ingest.py cuts of the shipped form's export (94 columns): 200,000
#: clean rows import at 160MB (not 128MB); 30,000 rows, most with problems, at 224MB (not
#: 160MB). Named by MEM-001.
MIN_MEMORY_MB = (32, 2)

#: what to do, per problem code, when it is not "fix the value and release"
HINTS = {
    "IMP-008": "Give each submission its own key, or drop the resubmission",
    "IMP-009": "Give each submission its own key, or drop the resubmission",
    "IMP-013": None,
    "IMP-020": "Once the version is added, re-check the rows: dhkit quarantine export, "
               "then dhkit quarantine release",
}

QUARANTINE_DDL = """
CREATE SEQUENCE IF NOT EXISTS study.quarantine_id START 1;
CREATE TABLE IF NOT EXISTS study.quarantine (
    id BIGINT PRIMARY KEY, "table" VARCHAR NOT NULL, source_file VARCHAR, "row" BIGINT,
    "key" VARCHAR, parent_key VARCHAR, raw VARCHAR, problems VARCHAR[],
    imported_at TIMESTAMP, import_id VARCHAR, released BOOLEAN DEFAULT FALSE,
    released_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS study.problems (
    import_id VARCHAR, "table" VARCHAR, file VARCHAR, "row" BIGINT, "key" VARCHAR,
    field VARCHAR, code VARCHAR, message VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS study.value_labels (
    source_file VARCHAR, variable VARCHAR, value VARCHAR, label VARCHAR);
"""


@dataclass
class FileResult:
    file: str
    sha256: str
    format: str = ""
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (ok, quarantined)
    already_imported: bool = False
    unchanged: dict[str, int] = field(default_factory=dict)   # table -> rows already stored as is
    edited: dict[str, int] = field(default_factory=dict)  # table -> rows replacing a version
    duplicates: dict[str, int] = field(default_factory=dict)  # table -> identical copies
    #: a skipped file (already_imported): the earlier file with the same SHA-256, when it
    #: was imported and its rows per table then (``dhkit.ingest.identical``)
    identical_to: Identical | None = None


@dataclass
class ImportResult:
    """What an import did: per file, per table, and every problem found."""

    import_id: str
    files: list[FileResult] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, int] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)
    notes: list[str] = field(default_factory=list)     # rules that could not be checked
    report_rows: list[Problem] = field(default_factory=list)   # with values, for the CSV
    unchanged: dict[str, int] = field(default_factory=dict)   # re-exported rows, same content
    edited: dict[str, int] = field(default_factory=dict)      # re-exported rows, changed content
    duplicates: dict[str, int] = field(default_factory=dict)  # identical copies in this import
    #: warnings that keep the data (IMP-022: entries against ``repeat_count``): listed apart
    #: from ``report`` and do not make the import "not ok" (exit code 0)
    warnings: list[Problem] = field(default_factory=list)
    #: table -> rows its files brought in an earlier import, for files skipped as identical
    #: (same SHA-256): "members: 0 new, file identical to one imported on DATE"
    identical: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No problem that quarantined a row or refused a column (warnings do not count)."""
        return self.report.ok

    def write_report(self, path: str | Path) -> Path:
        """Every problem and warning as CSV, one row each with a ``severity`` column
        (``error``: the row is quarantined or the column ignored; ``warning``: the data are
        kept), values included (keep it inside the study folder)."""
        import csv
        from dataclasses import asdict, fields

        from dhkit.safetext import csv_cell

        path = Path(path)
        names = [f.name for f in fields(Problem)]
        names.insert(1, "severity")
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=names)
            w.writeheader()
            for p in self.report_rows:     # values quoted from the input: no formula injection
                sev = "warning" if p.code in repeatcount.WARNING_CODES else "error"
                w.writerow({"severity": sev, **{k: csv_cell(v) for k, v in asdict(p).items()}})
        return path


@dataclass
class _Stage:
    sheet: Sheet
    cmap: ColumnMap
    table: str            # store table: "main" or the repeat name
    n: str                # normalised text: a view adding the file row (_row) to ``t``
    p: str                # temp table of problems
    present: set[str]
    #: the staged rows in the file's order (rowid): a temp table of normalised text, or
    #: for a CSV's main sheet a store table of typed values (``typed``)
    t: str = ""
    #: the row rules, when they were evaluated while staging (column ``_bad``)
    checks: list[Check] | None = None
    #: staged typed in the store (a CSV's main sheet): question -> its staged SQL type
    typed: dict[str, str] | None = None
    #: temp table of the file's own text of the typed stage's rows that broke a rule
    bad_text: str = ""

    def row_of(self, rel: str) -> str:
        """SQL of the file row of a row of ``t`` (named ``rel`` in the query)."""
        return f"{rel}.rowid + {self.sheet.row_offset}"


def _bytes(size: str) -> float:
    """DuckDB's spelling of a size ("244.1 MiB", "1.8 GiB", "512.0 KiB") in bytes."""
    import re

    m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)i?B?\s*", size)
    if not m:
        return float("inf")
    return float(m.group(1)) * 1024 ** " KMGT".index(m.group(2) or " ")


def _mebibytes(setting: str) -> float:
    """DuckDB's memory_limit setting ('244.1 MiB', '1.8 GiB') in MiB (0 when unreadable)."""
    number, _, unit = setting.partition(" ")
    scale = {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024, "TiB": 1024 ** 2}.get(unit.strip())
    try:
        return float(number) * scale if scale else 0.0
    except ValueError:
        return 0.0


#: the private folders zipped exports are extracted into (in the store's ``.tmp``)
UNZIP_PREFIX = "unzip-"


def table_name(level: str | None) -> str:
    return "main" if level is None else level


def import_files(study, paths: list[str | Path], *, source: str | None = None,
                 encoding: str | None = None, codebook: Codebook | None = None,
                 store: Store | None = None) -> ImportResult:
    """Import survey exports into the study store (one transaction; see module docstring).

    ``source`` names the origin in the audit log (e.g. "kobo"); ``encoding`` is for CSV files
    that are not UTF-8 (``latin-1``); ``codebook`` overrides the study's instrument (tests).
    Raises :class:`~dhkit.errors.DhkitError` (IMP-001/002/015/016) when a file cannot be read:
    then nothing is imported.

    Reference: validation rules follow the XLSForm spec (https://xlsform.org) as ODK/Kobo
    apply them; the report lists every problem (frictionless-py style).
    """
    versions = None
    if codebook is None:
        from dhkit.instrument.versions import load_versions

        versions = load_versions(study)
        codebook = versions.merged
    cb = codebook
    own = store is None
    store = store or study.open_store()
    try:
        return _Importer(study, cb, store, source, encoding,
                         versions=versions).run([Path(p) for p in paths])
    finally:
        if own:
            store.close()


class _Importer:
    #: stage a CSV's main sheet typed in the store (False: as text, like every other sheet;
    #: the tests compare both)
    typed_stage = True

    def __init__(self, study, cb: Codebook, store: Store, source, encoding,
                 release: bool = False, versions=None) -> None:
        self.release = release
        #: the form versions the study holds (None: only ``cb``, e.g. in tests)
        self.versions = versions if versions is not None and versions.several else None
        self.study, self.cb, self.store, self.con = study, cb, store, store.con
        self.source, self.encoding = source, encoding
        self.key_var = study.imports.key
        self.age = (study.imports.age_variable, *study.imports.age_range)
        self.result = ImportResult(import_id=uuid.uuid4().hex[:12])
        self._file_choices()
        self.temps: list[str] = []
        self.store_stages: list[str] = []     # study tables of typed stages (dropped at end)
        self.stages: list[_Stage] = []
        self.skipped: list[tuple[str, str, str]] = []
        #: (import id, file) of earlier imports of files checked again (identical.pending)
        self.recheck: list[tuple[str, str]] = []
        self.has_key_var = any(q.name == self.key_var for q in cb.data_questions(None))
        self.width = 0        # columns of the widest file staged (MEM-001 names the floor)
        self.unzip_dir: Path | None = None   # a zipped export's files, while importing
        #: a key, a study key, a stripped key twice in the main sheets (_main_key_twice)
        self._key_twice: tuple[bool, bool, bool] | None = None

    def _file_choices(self) -> None:
        """Choices of ``select_one_from_file`` questions, read from the file kept next to
        the form (the study's instrument folder), of ``select_one_external`` (the form's
        ``external_choices``) and of ``search()`` selects (their CSV); a note names each one
        not checked (:mod:`dhkit.instrument.attachments`)."""
        from dhkit.instrument.attachments import attached_questions, with_file_choices

        if not attached_questions(self.cb) and (self.versions is None or not any(
                attached_questions(v.codebook) for v in self.versions.versions)):
            return
        from dataclasses import replace

        def folders(cb: Codebook) -> list[Path]:
            out = [Path(self.study.instrument_path).parent]
            return out + ([Path(cb.source).parent] if cb.source else [])

        self.cb, notes = with_file_choices(self.cb, folders(self.cb))
        if self.versions is not None:
            self.versions = replace(self.versions, merged=self.cb, versions=[
                replace(v, codebook=with_file_choices(v.codebook, folders(v.codebook))[0])
                for v in self.versions.versions])
        self.result.notes += [n for n in notes if n not in self.result.notes]

    # ------------------------------------------------------------------ driver
    def run(self, paths: list[Path]) -> ImportResult:
        import os

        if not os.environ.get("DHKIT_MEMORY_LIMIT"):   # bounded memory, whatever the file size
            self.con.execute(f"SET memory_limit = {lit(IMPORT_MEMORY_LIMIT)}")
        threads = self._fit_threads()
        try:
            return self._run(paths)
        except duckdb.OutOfMemoryException:
            limit = self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            used = self.con.execute("SELECT current_setting('threads')").fetchone()[0]
            fixed, per_column = MIN_MEMORY_MB
            need = -(-(fixed + per_column * self.width) // 32) * 32
            if _mebibytes(limit) >= need:   # the floor is met: more rows or wider rules
                need = 2 * need
            raise DhkitError("MEM-001", f"out of memory at a DuckDB memory limit of {limit} "
                             f"(DHKIT_MEMORY_LIMIT), on {used} thread(s) and spilling to "
                             f"store/.tmp/; an import of files {self.width} columns wide needs "
                             f"at least about {need}MB. Set DHKIT_MEMORY_LIMIT={need}MB or more; "
                             "nothing was imported.") from None
        finally:
            self.con.execute(f"SET threads = {threads}")

    def _fit_threads(self) -> int:
        """Run on as many threads as the memory limit feeds (THREAD_MEMORY each, at least
        one), so that a small DHKIT_MEMORY_LIMIT spills instead of running out; returns
        the number of threads to restore."""
        limit, threads = self.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
        want = max(1, min(int(threads), int(_bytes(limit) // THREAD_MEMORY)))
        if want < int(threads):
            self.con.execute(f"SET threads = {want}")
        return int(threads)

    def _run(self, paths: list[Path]) -> ImportResult:
        for (left,) in self.con.execute(     # left by an import that was killed
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'study' AND "
                f"starts_with(table_name, {lit(STORE_STAGE)})").fetchall():
            self.con.execute(f"DROP TABLE study.{qi(left)}")
        try:
            return self._import(self._unzipped(paths))
        finally:
            if self.unzip_dir is not None:
                shutil.rmtree(self.unzip_dir, ignore_errors=True)

    def _unzipped(self, paths: list[Path]) -> list[Path]:
        """``paths`` with each zipped export (ODK Central's CSV zip) replaced by its data
        files, extracted into a private folder beside the store's own temporary files and
        removed when the import ends (one left by a killed import is removed here)."""
        if not any(p.suffix.lower() == ".zip" for p in paths):
            return paths
        tmp = self.study.store_path.parent / ".tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        for left in tmp.glob(UNZIP_PREFIX + "*"):
            shutil.rmtree(left, ignore_errors=True)
        self.unzip_dir = Path(tempfile.mkdtemp(prefix=UNZIP_PREFIX, dir=tmp))  # mode 0700
        out: list[Path] = []
        for p in paths:
            if p.suffix.lower() == ".zip" and p.is_file():
                out += unzip_export(p, self.unzip_dir)
            else:
                out.append(p)
        return out

    def _import(self, paths: list[Path]) -> ImportResult:
        from dhkit.console import progress

        todo: list[tuple[Path, str]] = []
        for path in paths:
            if not path.is_file():
                raise DhkitError("IMP-001", f"{path}: file not found. Check the path.")
            sha = file_sha256(path)
            done = self.con.execute(
                "SELECT min(logged_at) FROM audit_log WHERE command = 'import' AND sha256 = ? "
                "AND rows_accepted IS NOT NULL", [sha]).fetchone()[0]
            if not self.release and done is not None and self._recheck(path, sha):
                done = None     # rows of its earlier import wait in the quarantine
            if not self.release and (done is not None or any(sha == s for _, s in todo)):
                self.result.files.append(FileResult(path.name, sha, already_imported=True))
                self.skipped.append((path.name, sha, str(done)[:19] if done else "this run"))
                continue
            todo.append((path, sha))
        try:
            with progress(transient=True) as bar:
                task = bar.add_task("importing", total=len(todo) * 2 + 1)
                for i, (path, sha) in enumerate(todo):
                    for sheet in load_file(self.con, path, f"_raw{i}", self.encoding):
                        self.temps.append(sheet.table)
                        self._stage(sheet, sha)
                    bar.advance(task)
                self._validate()
                bar.advance(task, len(todo))
                # rows carry their file row: the store need not keep the files' order,
                # which lets DuckDB write with every thread
                self.con.execute("SET preserve_insertion_order = false")
                try:
                    with self.store.transaction():
                        self._write(todo)
                finally:
                    self.con.execute("RESET preserve_insertion_order")
                bar.advance(task)
        finally:
            views = {r[0] for r in self.con.execute(
                "SELECT view_name FROM duckdb_views() WHERE database_name = 'temp'").fetchall()}
            for t in reversed(self.temps):
                kind = "VIEW" if t in views else "TABLE"
                self.con.execute(f"DROP {kind} IF EXISTS temp.{qi(t)}")
            for t in self.store_stages:     # kept only when it became the store table
                self.con.execute(f"DROP TABLE IF EXISTS {t}")
        return self.result

    # ------------------------------------------------------------------ staging
    def _stage(self, sheet: Sheet, sha: str) -> None:
        self.width = max(self.width, len(sheet.headers))
        design = {self.study.design.weights, self.study.design.fpc} - {""}
        cmap = map_columns(sheet.headers, self.cb, self.key_var, ignore=design)
        for h in sorted(design & set(sheet.headers)):
            self.result.notes.append(f"{sheet.label}: column '{h}' (a [design] variable, not "
                                     "in the form) was not imported; weights are built by "
                                     "dhkit weights")
        rep = self.result.report
        if not cmap.questions and not cmap.splits and not self._metadata_only(cmap):
            raise DhkitError("IMP-016", f"{sheet.label}: no column matches a question of the "
                             f"form {self.cb.form_id}; is it an export of this form? Nothing "
                             "was imported.")
        for h in cmap.unknown:
            rep.add("IMP-003", f"column '{h}' is not in the form and was ignored "
                    f"({suggest(h, self.cb)})", file=sheet.label, field=h,
                    hint="Rename the column or update the instrument")
        level = cmap.level
        qs = self.cb.data_questions(level)
        present = set(cmap.questions) | set(cmap.splits)
        for q in qs:
            if q.name not in present and (q.required or q.required_if) \
                    and q.base_type != "calculate" and self._required_everywhere(q.name):
                rep.add("IMP-017", f"the file has no column for the required question "
                        f"{q.name}", file=sheet.label, field=q.name,
                        hint=f"Export all columns (expected header {q.path})")
        k = len(self.stages)
        n, t = f"_n{k}", f"_nt{k}"
        m = cmap.meta
        cols = []
        key_src = [qi(m["key"])] if "key" in m else []
        if level is None and self.key_var in cmap.questions and self.has_key_var:
            key_src.append(f"NULLIF(trim({qi(cmap.questions[self.key_var])}), '')")
        cols.append(f"COALESCE({', '.join(key_src)})::VARCHAR AS _key" if key_src
                    else "NULL::VARCHAR AS _key")
        for role in ("index", "parent_index", "parent_uuid", "parent_key", "submission_time",
                     "quarantine_id", "parent_table", "version", "deprecated", "root",
                     "kobo_id", "instance", "edits"):
            cols.append(f"NULLIF(trim({qi(m[role])}), '')::VARCHAR AS _{role}" if role in m
                        else f"NULL::VARCHAR AS _{role}")
        cols.append(f"{self._version_sql(m)} AS _form_version")
        if level is not None:
            h = cmap.other_level.get(self.key_var)
            cols.append(f"NULLIF(trim({qi(h)}), '') AS {txt('^' + self.key_var)}" if h
                        else f"NULL::VARCHAR AS {txt('^' + self.key_var)}")
        labelled = self._label_values(sheet, cmap, qs)
        texts: list[str] = []       # each question's normalised text
        for q in qs:
            header = cmap.questions.get(q.name)
            expr = normalise(q, self.cb, header, cmap.splits.get(q.name),
                             decimal_comma=sheet.delimiter == ";")
            if q.name in labelled:
                expr = translate_labels(expr, labelled[q.name],
                                        choice_kind(q) == "select_multiple")
            if header and sheet.value_labels.get(header):
                expr = translate_codes(expr, labelled_codes(q, self.cb, sheet.value_labels[header]))
            texts.append(f"{expr} AS {txt(q.name)}")
        cols += texts
        stage = _Stage(sheet, cmap, table_name(level), n, f"_p{k}", present, t)
        # One pass over the file: parsed (every thread), normalised and, on the main sheet,
        # judged by every row rule (``_bad``) in one projection, written once in the file's
        # order (the file row is rowid + offset). Every later step reads this table.
        select, flag = f"SELECT {', '.join(cols)} FROM {sheet.source}", ""
        if level is None and key_src and not self.release:
            stage.checks = self._main_checks(stage)
            terms, checks = shared_terms([c for c in stage.checks if not c.lookup])
            flag = f", {any_problem(checks)} AS _bad"
            if terms:      # relevance rules many questions share: computed once a row
                names = ", ".join(f"_t{j}" for j in range(len(terms)))
                select = f"SELECT *, {', '.join(terms)} FROM ({select})"
                flag = f" EXCLUDE ({names}){flag}"
        staged = f"SELECT *{flag} FROM ({select})"
        if flag and sheet.is_view and self.typed_stage:   # a CSV's main sheet: typed, in the store
            t = stage.t = f"study.{qi(STORE_STAGE + str(k))}"
            self.store_stages.append(t)
            stage.typed = {q.name: self._staged_type(q) for q in qs}
            create = f"CREATE TABLE {t} AS {self._typed_select(stage.typed, staged)}"
        else:
            create = f"CREATE TEMP TABLE {t} AS {staged}"
        try:
            # The staged rows must keep the file's order (rowid + offset is the row every
            # message, the quarantine's raw text and _source_row name). DuckDB keeps it for a
            # scan and projections, but its IN-clause rewrite turns a long IN list of the
            # rules into a join, and then writes the rows in any order: on a 1,000,000-row
            # export 98 % of rows were numbered wrong. No rewrite while staging.
            self.con.execute("SET disabled_optimizers = 'in_clause'")
            self.con.execute(create)
        except duckdb.Error as exc:
            if sheet.is_view and not isinstance(exc, duckdb.OutOfMemoryException):
                raise csv_error(sheet.file, exc) from None
            raise
        finally:
            self.con.execute("RESET disabled_optimizers")
        if flag:
            self._flag_lookups(stage, t)
        if stage.typed is not None:
            self._typed_view(stage, texts)
            self.stages.append(stage)
            return
        self.temps.append(t)
        if level is None and not key_src:    # keyed by file and row
            self.con.execute(f"UPDATE {t} SET _key = {lit(sha[:12] + ':')} || "
                             f"({stage.row_of(t)})")
        self.con.execute(f"CREATE TEMP VIEW {n} AS SELECT {stage.row_of(t)} AS _row, * "
                         f"FROM {t}")
        self.temps.append(n)
        if level is None and not key_src:
            self.result.notes.append(f"{sheet.label}: no _uuid/KEY or {self.key_var} column; "
                                     "rows keyed by file and row (duplicates not detectable)")
        self.stages.append(stage)

    def _flag_lookups(self, s: _Stage, t: str) -> None:
        """Flag the rows that fail a long choice list's lookup (left out of the staging
        scan, :data:`validate.LOOKUP_CODES`): one hashed pass each, rows keep their place."""
        for c in (c for c in s.checks or [] if c.lookup):
            cond = c.condition
            for name in s.typed or {}:      # a typed stage holds the value, not its text
                cond = cond.replace(txt(name), f"CAST({qi(name)} AS VARCHAR)")
            self.con.execute(f"UPDATE {t} SET _bad = TRUE WHERE NOT _bad AND ({cond})")

    def _staged_type(self, q) -> str:
        """The type a question is staged with (a calculation: text, typed by its data at
        the write, :meth:`_calculate_type`)."""
        return sql_type(q, self.cb) if q.base_type != "calculate" else "VARCHAR"

    @staticmethod
    def _typed_select(typed: dict[str, str], staged: str) -> str:
        """SQL of the typed stage: the key, each question typed and the control columns
        the store keeps, in the store's column order (so that the stage can become the
        table, :meth:`_adopt`), then the other control columns and the rules' flag."""
        cols = [f"TRY_CAST({txt(name)} AS {ty}) AS {qi(name)}" if ty != "VARCHAR"
                else f"{txt(name)} AS {qi(name)}" for name, ty in typed.items()]
        kept = ["_kobo_id", *copies.VERSION_SOURCES.values(), "_submission_time",
                "_form_version"]
        drop = ", ".join(["_key", *kept] + [txt(name) for name in typed])
        return (f"SELECT {', '.join(['_key', *cols, *kept])}, * EXCLUDE ({drop}) "
                f"FROM ({staged})")

    def _typed_view(self, s: _Stage, texts: list[str]) -> None:
        """``s.n`` over a typed stage: each question's text again (``"#q"``) for the checks
        across rows. A row that broke a rule keeps the file's own text: those rows (and
        their raw text, for the quarantine) are read again from the file, once; every other
        row passed its type checks, so its typed value printed is its text."""
        k = len(self.stages)          # called while staging, before s joins the stages
        off = s.sheet.row_offset
        bad = self.con.execute(f"SELECT count(*) FROM {s.t} WHERE _bad").fetchone()[0]
        join, text = "", {n: f"CAST(x.{qi(n)} AS VARCHAR)" for n in s.typed}
        if bad:
            b = f"_bt{k}"
            self.con.execute(
                f"CREATE TEMP TABLE {b} AS SELECT {qi(ROW_COL)} AS _row, "
                f"{s.sheet.raw_json_sql} AS raw{''.join(', ' + e for e in texts)} "
                f"FROM temp.{qi(s.sheet.table)} WHERE {qi(ROW_COL)} IN "
                f"(SELECT rowid + {off} FROM {s.t} WHERE _bad)")
            self.temps.append(b)
            s.bad_text = b
            # the key alone (b holds only the broken rows): with "x._bad AND" in the ON
            # clause DuckDB plans a nested-loop join, and every read of the view grew with
            # rows x broken rows (40,000 rows, a third broken: 26 s; 200,000: 450 s)
            join = f" LEFT JOIN {b} b ON b._row = x.rowid + {off}"
            text = {n: f"CASE WHEN x._bad THEN b.{txt(n)} ELSE {e} END"
                    for n, e in text.items()}
        cols = "".join(f", {e} AS {txt(n)}" for n, e in text.items())
        self.con.execute(f"CREATE TEMP VIEW {s.n} AS SELECT x.rowid + {off} AS _row, x.*"
                         f"{cols} FROM {s.t} x{join}")
        self.temps.append(s.n)

    def _label_values(self, sheet: Sheet, cmap: ColumnMap, qs) -> dict[str, dict[str, str]]:
        """Choice columns whose values are labels, not codes ("labels as values" exports in
        any of the form's languages): label -> code, judged on the first 2,000 rows."""
        from dhkit.ingest.validate import choice_kind, label_codes

        cands = {}
        for q in qs:
            h = cmap.questions.get(q.name)
            if h and choice_kind(q):      # choices from a file or external_choices too
                labels = label_codes(q, self.cb)
                codes = self.cb.choice_values(q.list_name or "")
                if any(k not in codes for k in labels):
                    cands[q.name] = (h, labels, codes)
        if not cands:
            return {}
        tests = ", ".join(
            f"count(*) FILTER (WHERE trim({qi(h)}) NOT IN ({', '.join(map(lit, codes))}) AND "
            f"(lower(trim(regexp_replace({qi(h)}, '\\s+', ' ', 'g'))) "
            f"IN ({', '.join(lit(k) for k in labels)}) OR (regexp_matches({qi(h)}, '[;,]') "
            f"AND list_contains([{', '.join(lit(k) for k in labels)}], lower(trim("
            f"string_split_regex({qi(h)}, '\\s*[;,]\\s*')[1]))))))"
            for h, labels, codes in cands.values())
        try:
            hits = self.con.execute(f"SELECT {tests} FROM (SELECT * FROM {sheet.head} "
                                    "LIMIT 2000)").fetchone()
        except duckdb.Error as exc:
            if sheet.is_view and not isinstance(exc, duckdb.OutOfMemoryException):
                raise csv_error(sheet.file, exc) from None
            raise
        found = {name: labels for (name, (_, labels, _)), n in zip(cands.items(), hits) if n}
        if found:
            self.result.notes.append(f"{sheet.label}: choice labels read back as codes in "
                                     f"{', '.join(found)} (a \"labels\" export)")
        from dhkit.ingest.validate import label_clashes

        for name in found:        # a label two choices share cannot be read back
            clash = label_clashes(self.cb.questions[name], self.cb)
            if clash:
                shown = "; ".join(f"\"{lab}\" is {' and '.join(names)}"
                                  for lab, names in list(clash.items())[:3])
                more = f" and {len(clash) - 3} more" if len(clash) > 3 else ""
                self.result.notes.append(
                    f"{sheet.label}: {name}: some labels name several choices ({shown}{more}); "
                    "rows answering with them are quarantined (IMP-005). Export XML values "
                    "(codes) instead of labels for this form")
        return found

    def _required_everywhere(self, name: str) -> bool:
        if self.versions is None:
            return True
        return all(v.codebook.questions[name].required or v.codebook.questions[name].required_if
                   for v in self.versions.versions if name in v.codebook.questions)

    def _version_sql(self, meta: dict[str, str]) -> str:
        """SQL of the held form version of a row (NULL: a version the study does not hold;
        rows that name no version are taken as the newest)."""
        raw = f"NULLIF(trim({qi(meta['version'])}), '')" if "version" in meta else "NULL"
        if self.versions is None:
            return f"{raw}::VARCHAR"
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}"
                         for k, v in self.versions.lookup().items())
        newest = lit(self.versions.newest.version)
        return f"CASE WHEN {raw} IS NULL THEN {newest} ELSE (CASE {raw} {whens} END) END"

    def _metadata_only(self, cmap: ColumnMap) -> bool:
        """A main sheet with only metadata (key, version...) is a real export when every
        question of the form sits inside a repeat."""
        from dhkit.ingest.validate import METADATA_TYPES

        answers = [q for q in self.cb.data_questions(None) if q.base_type not in METADATA_TYPES]
        return cmap.level is None and "key" in cmap.meta and not answers and \
            not {"parent_index", "parent_key", "parent_uuid"} & set(cmap.meta)

    # ------------------------------------------------------------------ validation
    def _levels(self) -> list[str | None]:
        """Levels in dependency order: main, then repeats (parents before children)."""
        order: list[str | None] = [None]
        reps = dict(self.cb.repeats)
        while reps:
            ready = [name for name, r in reps.items() if r.parent in order]
            if not ready:          # a repeat whose parent is unknown: treat as top level
                ready = list(reps)
            for name in ready:
                order.append(name)
                del reps[name]
        return order

    def _validate(self) -> None:
        repeatcount.ensure_table(self)
        for level in self._levels():
            stages = [s for s in self.stages if s.cmap.level == level]
            if not stages:
                continue
            if level is not None:
                self._resolve_parents(level, stages)
            for s in stages:
                self._row_checks(s, level)
                self._match_store(s, level)
            if level is not None or self._copies_possible(stages):
                copies.settle_copies(self, level, stages)
            if level is None:
                if self._keys_may_clash(stages):
                    self._key_checks(stages)
            else:
                self._parent_checks(level, stages)
                repeatcount.check(self, level, stages)   # IMP-022, a warning: rows kept
            for s in stages:      # a re-exported row stored as is: nothing to report
                k = self.stages.index(s)
                self.con.execute(f"DELETE FROM {s.p} WHERE _row IN (SELECT _row FROM _st{k} "
                                 "WHERE same)")
        if self.release:
            self._match_quarantine()
        self._keep_raw_of_bad_rows()
        self._collect()

    def _keep_raw_of_bad_rows(self) -> None:
        """Keep the file's own text only for rows with problems (for the quarantine), and
        free the staged copy of the file before writing."""
        for k, s in enumerate(self.stages):
            read = f"SELECT _row, raw FROM {s.bad_text}" if s.bad_text else \
                "SELECT NULL::BIGINT AS _row, NULL::VARCHAR AS raw WHERE FALSE"
            self.con.execute(f"CREATE TEMP TABLE _q{k} AS SELECT _row, raw FROM ({read}) "
                             f"WHERE _row IN (SELECT _row FROM {s.p})")
            self.temps.append(f"_q{k}")
            more = self.con.execute(f"SELECT count(*) FROM (SELECT _row FROM {s.p} EXCEPT "
                                    f"SELECT _row FROM _q{k})").fetchone()[0]
            if more:     # the file read again only for rows with problems not read yet
                self.con.execute(
                    f"INSERT INTO _q{k} SELECT _row, raw FROM (SELECT {s.sheet.row_sql} AS _row, "
                    f"{s.sheet.raw_json_sql} AS raw FROM temp.{qi(s.sheet.table)} x) WHERE _row "
                    f"IN (SELECT _row FROM {s.p} EXCEPT SELECT _row FROM _q{k})")
        for s in self.stages:
            kind = "VIEW" if s.sheet.is_view else "TABLE"
            self.con.execute(f"DROP {kind} IF EXISTS temp.{qi(s.sheet.table)}")

    def _match_quarantine(self) -> None:
        """Release: each corrected row must match a quarantined row (by _quarantine_id, else
        by table and key); the others are refused (IMP-018)."""
        has_q = self.store.has_table("quarantine")
        for k, s in enumerate(self.stages):
            m = f"_m{k}"
            if has_q:
                # two equality joins, not one ON with OR (DuckDB runs that as a nested loop:
                # rows x quarantined rows)
                held = f"""NOT q.released AND q."table" = {lit(s.table)}"""
                self.con.execute(f"""
                    CREATE TEMP TABLE {m} AS SELECT DISTINCT ON (_row) _row, id FROM (
                      SELECT n._row, q.id FROM {s.n} n JOIN study.quarantine q
                        ON q.id = TRY_CAST(n._quarantine_id AS BIGINT) WHERE {held}
                      UNION ALL
                      SELECT n._row, q.id FROM {s.n} n JOIN study.quarantine q
                        ON q."key" = n._key WHERE n._quarantine_id IS NULL AND {held})
                    ORDER BY _row, id""")
            else:
                self.con.execute(f"CREATE TEMP TABLE {m} (_row BIGINT, id BIGINT)")
            self.temps.append(m)
            self.con.execute(f"""
                INSERT INTO {s.p} SELECT _row, _key, 'IMP-018', '_quarantine_id',
                    'the row matches no quarantined row (by _quarantine_id or key); new '
                    || 'data go in with dhkit import', _quarantine_id
                FROM {s.n} WHERE _row NOT IN (SELECT _row FROM {m})""")

    def _parent_level(self, level: str) -> str | None:
        return self.cb.repeats[level].parent

    def _batch_keys(self, level: str | None) -> str:
        """SQL: (_key, key var text, _index, stage) of every staged row at ``level``."""
        kv = txt(self.key_var) if level is None and self.has_key_var else "NULL::VARCHAR"
        sub = "_key" if level is None else "_parent_uuid"
        parts = [f"SELECT _key, {kv} AS kv, "
                 f"_index, {i} AS stage, {sub} AS _sub, _form_version AS _fv FROM {s.n}"
                 for i, s in enumerate(self.stages) if s.cmap.level == level]
        return " UNION ALL ".join(parts) if parts else \
            "SELECT NULL::VARCHAR AS _key, NULL::VARCHAR AS kv, NULL::VARCHAR AS _index, " \
            "-1 AS stage, NULL::VARCHAR AS _sub, NULL::VARCHAR AS _fv WHERE FALSE"

    def _store_keys(self, level: str | None) -> str:
        t = table_name(level)
        if self.store.has_table(t):
            kv = f"CAST({qi(self.key_var)} AS VARCHAR)" if level is None and \
                self.key_var in self._store_columns(t) else "NULL"
            return f"SELECT _key, {kv} AS kv FROM study.{qi(t)}"
        return "SELECT NULL::VARCHAR AS _key, NULL::VARCHAR AS kv WHERE FALSE"

    def _store_columns(self, t: str) -> dict[str, str]:
        return dict(self.con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
            "'study' AND table_name = ?", [t]).fetchall())

    def _resolve_parents(self, level: str, stages: list[_Stage]) -> None:
        """Link each repeat row to its parent row (``_parent_key``) and give it a lasting key.

        ODK Central: ``PARENT_KEY`` is the parent's ``KEY`` (at any depth). Kobo: the
        submission's ``_uuid`` (``_submission__uuid``) when the parent is the main sheet;
        for a nested repeat ``_parent_index`` is the ``_index`` of the parent repeat's sheet
        (``_parent_table_name``), taken from the same workbook when there is one, and
        checked against ``_submission__uuid`` when several exports are imported together.
        A row without a key of its own (Kobo) is keyed ``PARENT/level[n]`` (its place under
        its parent), the way ODK Central keys repeats; under a parent whose entries are
        stored, a re-exported entry takes the key of the stored entry with the same answers
        (:mod:`dhkit.ingest.entrykeys`: Kobo's ``_index`` is renumbered by every export).
        """
        parent = self._parent_level(level)
        batch = self._batch_keys(parent)
        for s in stages:
            if parent is None:
                self.con.execute(f"UPDATE {s.t} SET _parent_key = _parent_uuid "
                                 "WHERE _parent_key IS NULL")
            same = [i for i, o in enumerate(self.stages)
                    if o.cmap.level == parent and o.sheet.file == s.sheet.file] or \
                   [i for i, o in enumerate(self.stages) if o.cmap.level == parent]
            if same and "parent_index" in s.cmap.meta:
                stages_in = ", ".join(str(i) for i in same)
                self.con.execute(
                    f"UPDATE {s.t} SET _parent_key = b._key FROM ({batch}) b "
                    f"WHERE {s.t}._parent_key IS NULL AND b.stage IN ({stages_in}) "
                    f"AND b._index = {s.t}._parent_index AND ({s.t}._parent_uuid IS NULL "
                    f"OR b._sub IS NULL OR b._sub = {s.t}._parent_uuid)")
            if parent is None:   # the study key copied into the repeat (hh_id)
                kv = txt("^" + self.key_var)
                self.con.execute(
                    f"UPDATE {s.t} SET _parent_key = b._key FROM (SELECT _key, kv FROM "
                    f"({batch}) UNION ALL {self._store_keys(None)}) b "
                    f"WHERE {s.t}._parent_key IS NULL AND b.kv = {s.t}.{kv}")
            self.con.execute(
                f"UPDATE {s.t} SET _key = o.k FROM (SELECT _row, _parent_key || '/' || "
                f"{lit(level)} || '[' || row_number() OVER (PARTITION BY _parent_key "
                f"ORDER BY _row) || ']' AS k FROM {s.n} WHERE _key IS NULL AND _parent_key "
                f"IS NOT NULL) o WHERE {s.row_of(s.t)} = o._row")
            entrykeys.match_stored(self, level, s)   # a re-export: stored entries by content
            if "version" not in s.cmap.meta:     # ODK repeat files: the parent's version
                self.con.execute(
                    f"UPDATE {s.t} SET _form_version = b._fv FROM ({batch}) b "
                    f"WHERE b._key = {s.t}._parent_key")

    def _context(self, s: _Stage, level: str | None) -> tuple[str, dict[str, str]]:
        """The relation rules run on, and the SQL of every name rules may refer to."""
        columns = {q.name: txt(q.name) for q in self.cb.data_questions(level)}
        if level is None:
            return s.n, columns
        chain, lv = [], self._parent_level(level)
        while True:
            chain.append(lv)
            if lv is None:
                break
            lv = self._parent_level(lv)
        # one parent level of context (the direct parent); enough for forms whose repeat
        # rules refer to their parent sheet
        parent = chain[0]
        used = self._referenced(level)
        pqs = [q for q in self.cb.data_questions(parent)
               if q.name not in columns and q.name in used]
        batch = [o.n for o in self.stages if o.cmap.level == parent]
        sel = ", ".join(f"{txt(q.name)} AS {txt('^' + q.name)}" for q in pqs)
        parts = [f"SELECT _key, {sel} FROM {b}" for b in batch] if sel else []
        t = table_name(parent)
        if sel and self.store.has_table(t):
            have = self._store_columns(t)
            parts.append("SELECT _key, " + ", ".join(
                (f"CAST({qi(q.name)} AS VARCHAR)" if q.name in have else "NULL::VARCHAR")
                + f" AS {txt('^' + q.name)}" for q in pqs) + f" FROM study.{qi(t)}")
        for q in pqs:
            columns[q.name] = txt("^" + q.name)
        if not parts:
            return s.n, columns
        view = f"_c{self.stages.index(s)}"
        # one row per parent key: QUALIFY, not DISTINCT ON (the window operator spills to
        # disk under DHKIT_MEMORY_LIMIT, DISTINCT ON's hash aggregate of wide rows does not).
        # The window stays even when the main keys are unique: without it the join builds
        # its hash table on every parent row and a 1,000,000-row import ran out of memory
        # at DHKIT_MEMORY_LIMIT=256MB (benchmarks/ingest.py, 2026-12-06); with it, 479 MB.
        # Only parents some entry names go into the window (a semi-join on the entries'
        # links: the window then ranks thousands of rows, not every submission).
        parents = (f"SELECT * FROM ({' UNION ALL '.join(parts)}) WHERE _key IN "
                   f"(SELECT _parent_key FROM {s.n}) "
                   "QUALIFY row_number() OVER (PARTITION BY _key) = 1")
        self.con.execute(     # a view: read once, by the scan that flags rows with problems
            f"CREATE TEMP VIEW {view} AS SELECT c.*, {', '.join('p.' + txt('^' + q.name) for q in pqs)}, "
            f"p._key IS NOT NULL AS _has_parent FROM {s.n} c LEFT JOIN ({parents}) p "
            f"ON p._key = c._parent_key")
        self.temps.append(view)
        return view, columns

    def _referenced(self, level: str) -> set[str]:
        """Names the rules of a repeat's questions (and the repeat itself) refer to."""
        from dhkit.instrument.attachments import search_of
        from dhkit.instrument.expressions import references

        exprs = []
        rep = self.cb.repeats[level]
        for q in self.cb.data_questions(level):
            exprs += effective_relevance(q, self.cb)
            exprs += [e for e in (q.constraint, q.required_if, q.choice_filter) if e]
            exprs += [c.text for c in [search_of(q)] if c is not None and c.terms]
        exprs += [rep.relevant] if rep.relevant else []
        exprs += [g.relevant for g in (self.cb.questions.get(n) for n in rep.group.split("/")
                                       if rep.group) if g is not None and g.relevant]
        names: set[str] = set()
        for e in exprs:
            try:
                names |= set(references(e))
            except DhkitError:
                continue
        return names

    def _main_checks(self, s: _Stage, columns: dict[str, str] | None = None) -> list[Check]:
        """The row rules of a main-sheet row (every question's, and IMP-014 no key)."""
        columns = columns or {q.name: txt(q.name) for q in self.cb.data_questions(None)}
        return self._question_checks(s, None, columns) + [
            Check("IMP-014", "_key", "_key IS NULL",
                  lit(f"the submission has no key (_uuid, KEY or {self.key_var})"), "NULL")]

    def _row_checks(self, s: _Stage, level: str | None) -> None:
        relation, columns = self._context(s, level)
        checks = self._question_checks(s, level, columns) if level is not None else []
        if relation != s.n:   # rules that may read the parent: only rows that have one
            checks = [Check(c.code, c.field, f"_has_parent AND ({c.condition})", c.message,
                            c.value) if c.code in ("IMP-006", "IMP-007", "IMP-010") else c
                      for c in checks]
        if level is not None:
            rep = self.cb.repeats[level]
            from dhkit.instrument.expressions import to_sql

            rels = [g.relevant for g in (self.cb.questions.get(n) for n in
                                         rep.group.split("/") if rep.group) if g is not None
                    and g.type == "begin group" and g.relevant]
            rels += [rep.relevant] if rep.relevant else []
            try:
                rel = " AND ".join(f"({to_sql(e, columns=columns)})" for e in rels)
            except DhkitError as exc:
                self.result.notes.append(f"{level}: repeat relevance not checked ({exc.message})")
                rel = ""
            if rel and relation != s.n:
                checks.append(Check("IMP-007", level, f"_has_parent AND NOT COALESCE({rel}, "
                                    "FALSE)", lit(f"a {level} entry although the repeat was not "
                                                  "asked for this submission"), "NULL"))
        elif s.checks is None:
            checks = self._main_checks(s, columns)
        flagged = f"_f{self.stages.index(s)}"
        if s.checks is not None:      # judged while staging
            checks = s.checks
            self.con.execute(f"CREATE TEMP TABLE {flagged} AS SELECT * FROM {s.n} WHERE _bad")
        else:
            self.con.execute(f"CREATE TEMP TABLE {flagged} AS "
                             f"{any_problem_sql(relation, checks)}")
        self.temps.append(flagged)
        self.con.execute(f"CREATE TEMP TABLE {s.p} AS {problems_sql(flagged, checks)}")
        self.temps.append(s.p)

    def _question_checks(self, s: _Stage, level: str | None,
                         columns: dict[str, str]) -> list[Check]:
        """The rules of every question; with several form versions, each row is checked
        against the version it was collected with (a rule only some versions have is tested
        on their rows only), and a row of a version the study does not hold is IMP-020."""
        age = self.age if level is None else None
        # today() in a constraint: the day the submission reached the server (on the
        # device it was the interview's day, at most that one)
        today = ("TRY_CAST(_submission_time AS DATE)" if "submission_time" in s.cmap.meta
                 else None)
        if self.versions is None:
            checks: list[Check] = []
            for q in self.cb.data_questions(level):
                checks += question_checks(q, self.cb, columns, q.name in s.present, age,
                                          self.result.notes, today)
            return checks
        per: dict[Check, list[str]] = {}
        notes: list[str] = []
        for v in self.versions.versions:
            for q in v.codebook.data_questions(level):
                for c in question_checks(q, v.codebook, columns, q.name in s.present, age, notes,
                                         today):
                    per.setdefault(c, []).append(v.version)
        self.result.notes += [n for n in dict.fromkeys(notes) if n not in self.result.notes]
        everyone = set(self.versions.names)
        checks = [c if set(vs) == everyone else
                  replace(c, condition=f"_form_version IN ({', '.join(map(lit, vs))}) AND "
                          f"({c.condition})")
                  for c, vs in per.items()]
        if "version" in s.cmap.meta:
            raw = "NULLIF(trim(CAST(_version AS VARCHAR)), '')"
            add = (f"dhkit instrument add {self.study.dir.name} FORM.xlsx")
            checks.append(Check(
                "IMP-020", s.cmap.meta["version"], f"_form_version IS NULL AND {raw} IS NOT NULL",
                f"'collected with form version \"' || {raw} || '\", which this study does not "
                f"hold (it holds {', '.join(self.versions.names)}); add that version of the "
                f"form: {add}'", raw))
        return checks

    def _match_store(self, s: _Stage, level: str | None) -> None:
        """Re-exports: staged rows that are a submission (or repeat entry) already stored,
        found by key, by the ``deprecatedID``/``rootUuid`` of an edited submission, or by
        Kobo's ``_id`` (kept in ``_kobo_id``; the same across edits, while ``_uuid`` changes).
        ``_st{k}`` holds (row, stored key, same content?, newer than the stored one?, kind);
        ``kind`` is set by :mod:`dhkit.ingest.edits` for copies within the import.

        Same content under the same key is a no-op. Changed content (or a new key: a Kobo
        edit) is an edit: the newer version is applied (a row naming the stored one as
        deprecatedID is newer; else the later ``_submission_time``, and on a tie the export,
        a later snapshot of the server) and the other is kept in ``TABLE_history``."""
        k = self.stages.index(s)
        t = table_name(level)
        name = f"_st{k}"
        self.temps.append(name)
        empty = (f"CREATE TEMP TABLE {name} (_row BIGINT, old_key VARCHAR, "
                 "old_parent VARCHAR, same BOOLEAN, newer BOOLEAN, kind VARCHAR)")
        if self.release or not self.store.has_table(t) or not self.con.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM study.{qi(t)} LIMIT 1)").fetchone()[0]:
            self.con.execute(empty)
            return
        have = self._store_columns(t)
        qs = [q for q in self.cb.data_questions(level) if q.name in have]
        new = ", ".join(self._stored_sql(s, q.name, have[q.name]) for q in qs) or "NULL"
        old = ", ".join(f"o.{qi(q.name)}" for q in qs) or "NULL"
        cands = " UNION ALL ".join(
            f"SELECT _row, {e} AS mk, {i} AS pri FROM {s.n} WHERE {e} IS NOT NULL"
            for i, e in enumerate(("_key", "_deprecated", "replace(_deprecated, 'uuid:', '')",
                                   "_root", "replace(_root, 'uuid:', '')")))
        matches = f"SELECT c._row, c.pri, o._key AS ok FROM ({cands}) c " \
                  f"JOIN study.{qi(t)} o ON o._key = c.mk"
        if "_kobo_id" in have and "kobo_id" in s.cmap.meta:
            matches += (f" UNION ALL SELECT x._row, 5, o._key FROM {s.n} x JOIN study.{qi(t)} o"
                        " ON o._kobo_id = x._kobo_id WHERE x._kobo_id IS NOT NULL")
        parent = "o._parent_key" if level is not None else "NULL::VARCHAR"
        # ODK Central keeps KEY and SubmissionDate on an edit: the stored version's own
        # instanceID, deprecatedID and Edits count tell which of the two is newer
        version, one = "", ""
        if "_instance_id" in have:     # another version with the same answers is not "same"
            version = copies.version_order_sql("n", "o")
            one = f" AND {copies.same_version_sql('n._instance', 'o._instance_id')}"
        # the best match of each row chosen on the narrow (row, link, stored key) first, so
        # the wide rows are joined and hashed once per row (a cumulative re-export matches
        # every row, by key and again by Kobo's _id)
        best = (f"SELECT _row, b.pri AS pri, b.ok AS ok FROM (SELECT _row, "
                f"min({{'pri': pri, 'ok': ok}}) AS b FROM ({matches}) GROUP BY _row)")
        self.con.execute(f"""
            CREATE TEMP TABLE {name} AS
            SELECT n._row, o._key AS old_key, {parent} AS old_parent,
                   hash({new}) = hash({old}) AND n._key = o._key{one} AS same,
                   CASE WHEN m.pri BETWEEN 1 AND 4 THEN TRUE {version} ELSE COALESCE(
                       TRY_CAST(n._submission_time AS TIMESTAMP)
                           >= TRY_CAST(o._submission_time AS TIMESTAMP),
                       n._submission_time >= o._submission_time, TRUE) END AS newer,
                   NULL::VARCHAR AS kind
            FROM ({best}) m JOIN {s.n} n ON n._row = m._row
            JOIN study.{qi(t)} o ON o._key = m.ok""")

    def _main_key_twice(self, stages: list[_Stage]) -> tuple[bool, bool, bool]:
        """Whether the import's main sheets hold a key twice, a study key twice, or may hold
        a key twice once ``uuid:`` is stripped (some keys have the prefix, others not): one
        aggregate (cached), read by the copies and the key checks."""
        if self._key_twice is None:
            kv = txt(self.key_var) if self.has_key_var else "NULL::VARCHAR"
            batch = " UNION ALL ".join(f"SELECT _key, {kv} AS kv FROM {s.n}" for s in stages)
            self._key_twice = self.con.execute(
                "SELECT count(_key) > count(DISTINCT _key), count(kv) > count(DISTINCT kv), "
                "count(_key) > count(DISTINCT _key) OR (bool_or(starts_with(_key, 'uuid:')) "
                "AND NOT bool_and(starts_with(_key, 'uuid:'))) "    # X and uuid:X: maybe one
                f"FROM ({batch})").fetchone()
        return self._key_twice

    def _copies_possible(self, stages: list[_Stage]) -> bool:
        """False when no two main rows of the import can be copies of one submission
        (:mod:`dhkit.ingest.edits`): one sheet, no deprecatedID/rootUuid links, and no key
        twice. A Kobo ``_id`` links rows of different files only, so one sheet's ``_id``
        links nothing. Saves the copies' token table on a clean first import."""
        if len(stages) > 1 or any({"deprecated", "root"} & set(s.cmap.meta) for s in stages):
            return True
        return self._main_key_twice(stages)[2]

    def _keys_may_clash(self, stages: list[_Stage]) -> bool:
        """False when the key checks cannot find anything: no key (nor study key) twice in
        the import and nothing stored yet. One aggregate instead of the ranking windows of
        :meth:`_key_checks`, the common case of a first import of clean exports."""
        if self.store.has_table("main") and self.con.execute(
                "SELECT count(*) FROM (SELECT 1 FROM study.main LIMIT 1)").fetchone()[0]:
            return True
        dup_key, dup_kv, _ = self._main_key_twice(stages)
        return dup_key or dup_kv

    def _key_checks(self, stages: list[_Stage]) -> None:
        kv = txt(self.key_var) if self.has_key_var else "NULL::VARCHAR"
        batch = " UNION ALL ".join(     # copies settled by ingest/edits.py are left out
            f"SELECT {self.stages.index(s)} AS stage, _row, _key, {kv} AS kv FROM {s.n} "
            f"WHERE _row NOT IN (SELECT _row FROM _st{self.stages.index(s)} "
            "WHERE kind IS NOT NULL)" for s in stages)
        label = "CASE stage " + " ".join(
            f"WHEN {self.stages.index(s)} THEN {lit(s.sheet.label)}" for s in stages) + " END"
        store = self._store_keys(None)
        pairs = [("_key", "_key"), ("kv", self.key_var)] if any(
            "key" in s.cmap.meta for s in stages) else [("_key", self.key_var)]
        twice = dict(zip(("_key", "kv"), self._main_key_twice(stages)))
        for col, fld in pairs:
            # the ranking window only when some key is there twice (a cumulative re-export
            # holds each key once: then only IMP-009 can apply)
            rank = (f"first_value({label} || ' row ' || _row) OVER w AS first_at, "
                    "row_number() OVER w AS rn" if twice[col] else
                    "NULL::VARCHAR AS first_at, 1 AS rn")
            self.con.execute(f"""
                CREATE TEMP TABLE _dup AS
                SELECT stage, _row, _key, {col} AS k, {rank}
                FROM ({batch}) WHERE {col} IS NOT NULL
                {f'WINDOW w AS (PARTITION BY {col} ORDER BY stage, _row)' if twice[col] else ''}""")
            for s in stages:
                i = self.stages.index(s)
                self.con.execute(f"""
                    INSERT INTO {s.p}
                    SELECT _row, _key, 'IMP-008', {lit(fld)},
                           'duplicate key: the same ' || {lit(fld)} || ' as ' || first_at
                               || ' (that row goes in; this one is quarantined)', k
                    FROM _dup WHERE stage = {i} AND rn > 1
                    UNION ALL
                    SELECT d._row, d._key, 'IMP-009', {lit(fld)},
                           'the key is already in the study store for another submission '
                           || '(imported before)', d.k
                    FROM _dup d WHERE d.stage = {i} AND d.k IN (SELECT {col} FROM ({store})
                                                                WHERE {col} IS NOT NULL)
                      AND (d._row, d.k) NOT IN (SELECT (m._row, o.{col}) FROM _st{i} m
                                                JOIN ({store}) o ON o._key = m.old_key
                                                WHERE o.{col} IS NOT NULL)""")
            self.con.execute("DROP TABLE _dup")

    def _parent_checks(self, level: str, stages: list[_Stage]) -> None:
        parent = self._parent_level(level)
        parents = [o for o in self.stages if o.cmap.level == parent]
        known = " UNION ALL ".join([f"SELECT _key FROM {o.n}" for o in parents]
                                   + [f"SELECT _key FROM ({self._store_keys(parent)})"])
        # a key is good when a row of it goes in as the current version (not a copy or an
        # older version settled by ingest/edits.py)
        bad = " UNION ALL ".join(f"SELECT _key FROM {o.n} WHERE _row IN (SELECT _row FROM "
                                 f"{o.p}) EXCEPT SELECT _key FROM {o.n} WHERE _row NOT IN "
                                 f"(SELECT _row FROM {o.p}) AND _row NOT IN (SELECT _row FROM "
                                 f"_st{self.stages.index(o)} WHERE kind IS NOT NULL OR "
                                 "(NOT same AND NOT newer))" for o in parents) or \
            "SELECT NULL::VARCHAR AS _key WHERE FALSE"
        pname = table_name(parent)
        for s in stages:
            self.con.execute(f"""
                INSERT INTO {s.p}
                SELECT _row, _key, 'IMP-012', '_parent_key',
                       'this {level} entry belongs to no {pname} row: its link '
                       || '(_parent_index / _submission__uuid / PARENT_KEY / '
                       || {lit(self.key_var)} || ') names no {pname} row of this import or '
                       || 'the store; import the {pname} file with it', _parent_key
                FROM {s.n} WHERE _parent_key IS NULL
                    OR _parent_key NOT IN (SELECT _key FROM ({known}) WHERE _key IS NOT NULL)
                UNION ALL
                SELECT _row, _key, 'IMP-013', '_parent_key',
                       'its {pname} row was quarantined; release the parent first', _parent_key
                FROM {s.n} WHERE _parent_key IN (SELECT _key FROM ({bad}))""")

    def _collect(self) -> None:
        rep = self.result.report
        for s in self.stages:
            rows = self.con.execute(
                f"SELECT _row, _key, code, field, message, value FROM {s.p} "
                "ORDER BY _row, code, field").fetchall()
            for row, key, code, fld, msg, value in rows:
                q = self.cb.questions.get(fld)
                msg = (msg or "").rstrip(". ")
                self.result.report_rows.append(Problem(code, msg, file=s.sheet.label, row=row,
                                                       field=fld, value=value))
                hint = HINTS.get(code, "Fix the value in the file, then: dhkit quarantine "
                                 "release")
                shown_value = value if code in VALUE_SHOWN and q is not None else None
                rep.problems.append(Problem(code, msg, file=s.sheet.label, row=row, field=fld,
                                            value=shown_value, hint=hint))
        for file, row, fld, code, msg, value in self.con.execute(   # warnings: rows kept
                f"SELECT file, _row, field, code, message, value FROM {repeatcount.TABLE} "
                "ORDER BY file, _row").fetchall():
            self.result.report_rows.append(Problem(code, msg, file=file, row=row, field=fld,
                                                   value=value))
            self.result.warnings.append(Problem(code, msg, file=file, row=row, field=fld))

    # ------------------------------------------------------------------ writing
    def _ensure_table(self, level: str | None, stages: list[_Stage]) -> dict[str, str]:
        t = table_name(level)
        types = self._table_types(level, stages)
        if self.store.has_table(t):
            return self._evolve(t, types)
        cols = ", ".join(f"{qi(c)} {ty}" for c, ty in types.items())
        self.con.execute(f"CREATE TABLE study.{qi(t)} ({cols})")
        return types

    def _table_types(self, level: str | None, stages: list[_Stage]) -> dict[str, str]:
        """The columns of a store table and their types."""
        types = {"_key": "VARCHAR"}
        if level is not None:
            types["_parent_key"] = "VARCHAR"
            if self.key_var not in {q.name for q in self.cb.data_questions(level)}:
                types[self.key_var] = "VARCHAR"
        for q in self.cb.data_questions(level):
            types[q.name] = sql_type(q, self.cb) if q.base_type != "calculate" else \
                self._calculate_type(q.name, stages)
        if level is None:    # Kobo's _id: finds an edit whose _uuid changed (ingest/edits.py)
            types["_kobo_id"] = "VARCHAR"
            if any(copies.VERSION_ROLES & set(s.cmap.meta) for s in stages):
                types.update(copies.VERSION_COLUMNS)      # which version of an edited row
        types.update({"_submission_time": "VARCHAR", "_form_version": "VARCHAR",
                      "_source_file": "VARCHAR", "_source_row": "BIGINT",
                      "_import_id": "VARCHAR"})
        return types

    def _adoptable(self, level: str | None, stages: list[_Stage]) -> bool:
        """Whether the typed stage can become the store table as it is: the first import
        of one CSV main sheet, every row going in (no problem, no copy, no stored row)."""
        if level is not None or len(stages) != 1 or stages[0].typed is None \
                or self.store.has_table(table_name(level)):
            return False
        s, k = stages[0], self.stages.index(stages[0])
        return not self.con.execute(f"SELECT (SELECT count(*) FROM {s.p}) + "
                                    f"(SELECT count(*) FROM _st{k})").fetchone()[0]

    def _adopt(self, s: _Stage, types: dict[str, str]) -> None:
        """The typed stage becomes the store table: its control columns are turned into the
        store's (``_source_row`` is the stage's row: it was written in the file's order),
        calculations take the type their data allow, and it is renamed. The rows are
        written once (a copy into a new table costs about as much again); the transaction
        keeps it all or nothing."""
        have = self._store_columns(STORE_STAGE + str(self.stages.index(s)))
        # DuckDB refuses to drop a column after an update in one transaction: renames and
        # drops first, then new columns, then one update
        for col, src in copies.VERSION_SOURCES.items():
            if col in types and col not in have and src in have:
                self.con.execute(f"ALTER TABLE {s.t} RENAME COLUMN {qi(src)} TO {qi(col)}")
                have[col] = have.pop(src)
        for col in [c for c in have if c not in types]:
            self.con.execute(f"ALTER TABLE {s.t} DROP COLUMN {qi(col)}")
        fill = {"_source_file": lit(s.sheet.label), "_import_id": lit(self.result.import_id),
                "_source_row": f"rowid + {s.sheet.row_offset}"}
        sets = []
        for col, ty in types.items():
            if col not in have:
                self.con.execute(f"ALTER TABLE {s.t} ADD COLUMN {qi(col)} {ty}")
                sets.append(f"{qi(col)} = {fill.get(col, 'NULL')}")
            elif have[col] != ty:
                self.con.execute(f"ALTER TABLE {s.t} ALTER COLUMN {qi(col)} TYPE {ty} "
                                 f"USING TRY_CAST({qi(col)} AS {ty})")
        if sets:
            self.con.execute(f"UPDATE {s.t} SET {', '.join(sets)}")
        self.con.execute(f"ALTER TABLE {s.t} RENAME TO {qi(table_name(None))}")

    def _evolve(self, t: str, types: dict[str, str]) -> dict[str, str]:
        """Schema evolution: a question the form gained since the table was made becomes a
        new column (NULL for the rows already stored); nothing is ever dropped."""
        have = self._store_columns(t)
        added = []
        for col, ty in types.items():
            if col not in have:
                self.con.execute(f"ALTER TABLE study.{qi(t)} ADD COLUMN {qi(col)} {ty}")
                have[col] = ty
                if not col.startswith("_"):
                    added.append(f"{col} ({ty})")
        if added:
            self.store.audit("schema", note=f"table {t} gained column(s) {', '.join(added)} "
                             f"from the form (import {self.result.import_id}); rows stored "
                             "before hold NULL there")
            self.result.notes.append(f"table {t}: new column(s) {', '.join(added)} added "
                                     "(the form gained these questions)")
        return have

    def _calculate_type(self, name: str, stages: list[_Stage]) -> str:
        for ty in ("BIGINT", "DOUBLE"):     # whole numbers (no rounding); finite ones
            test = (whole_number if ty == "BIGINT" else finite_number)(txt(name))
            ok = all(self.con.execute(
                f"SELECT bool_and({txt(name)} IS NULL OR ({test})) FROM {s.n}"
            ).fetchone()[0] is not False for s in stages)
            if ok:
                return ty
        return "VARCHAR"

    def _write(self, todo: list[tuple[Path, str]]) -> None:
        now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        self.con.execute(QUARANTINE_DDL)
        per_file: dict[Path, FileResult] = {p: FileResult(p.name, sha) for p, sha in todo}
        self._write_versions()
        self.con.execute("CREATE OR REPLACE TEMP TABLE _replaced (level VARCHAR, "
                         "old_key VARCHAR, new_key VARCHAR)")
        self.temps.append("_replaced")
        adopted: list[tuple[_Stage, dict[str, str]]] = []
        for level in self._levels():
            stages = [s for s in self.stages if s.cmap.level == level]
            if level is not None and not self.release:
                self._cascade(level, stages, now)
            if not stages:
                continue
            adopt = self._adoptable(level, stages)
            types = self._table_types(level, stages) if adopt else \
                self._ensure_table(level, stages)
            t = table_name(level)
            for s in stages:
                if adopt:     # made the store table last: the repeats still read its stage
                    adopted.append((s, types))
                ok, bad = (self.con.execute(f"SELECT count(*) FROM {s.t}").fetchone()[0], 0) \
                    if adopt else self._write_stage(s, level, types, now)
                fr = per_file[s.sheet.file]
                same, edited, dup = copies.counts(self.con, self.stages.index(s), s.p)
                for d, n in ((fr.unchanged, same), (fr.edited, edited),
                             (fr.duplicates, dup), (self.result.unchanged, same),
                             (self.result.edited, edited), (self.result.duplicates, dup)):
                    if n:
                        d[t] = d.get(t, 0) + n
                fr.format = s.sheet.format
                a, b = fr.tables.get(t, (0, 0))
                fr.tables[t] = (a + ok, b + bad)
                self.result.accepted[t] = self.result.accepted.get(t, 0) + ok
                self.result.quarantined[t] = self.result.quarantined.get(t, 0) + bad
            for s in stages:
                if s.sheet.value_labels:
                    self._write_labels(s)
        self.con.execute(f"""INSERT INTO study.problems SELECT {lit(self.result.import_id)},
            "table", file, _row, _key, field, code, message, value FROM {repeatcount.TABLE}""")
        for path, sha in todo:
            fr = per_file[path]
            ok = sum(a for a, _ in fr.tables.values())
            bad = sum(b for _, b in fr.tables.values())
            tables = ", ".join(f"{t} {a}+{b}q" for t, (a, b) in fr.tables.items())
            if fr.unchanged:
                tables += "; unchanged (already stored, no-op): " + ", ".join(
                    f"{t} {n}" for t, n in fr.unchanged.items())
            if fr.edited:
                tables += "; edited (the older version kept in TABLE_history): " + ", ".join(
                    f"{t} {n}" for t, n in fr.edited.items())
            if fr.duplicates:
                tables += "; duplicate in this import, identical (no-op): " + ", ".join(
                    f"{t} {n}" for t, n in fr.duplicates.items())
            self.store.audit("quarantine release" if self.release else "import",
                             file=path.name, sha256=sha, rows_accepted=ok,
                             rows_quarantined=bad,
                             note=f"import {self.result.import_id}; {fr.format}; {tables}"
                             + (f"; source {self.source}" if self.source else ""))
            self.result.files.append(fr)
        self._skipped_files(per_file)
        if self.recheck:
            from dhkit.ingest.identical import close_pending

            close_pending(self.con, self.recheck, now)
        for s, types in adopted:
            self._adopt(s, types)

    def _recheck(self, path: Path, sha: str) -> bool:
        """A file imported before whose rows still wait in the quarantine is checked again,
        not skipped: the fixing re-export may bring the parent rows they lacked (Kobo
        ``_parent_index``). Its earlier quarantine entries are closed once this import is
        written (:func:`dhkit.ingest.identical.close_pending`)."""
        from dhkit.ingest.identical import pending

        entries = pending(self.con, sha)
        if entries:
            self.recheck += entries
            self.result.notes.append(f"{path.name}: imported before, checked again because "
                                     "rows of it wait in the quarantine (those that pass now "
                                     "go in)")
        return bool(entries)

    def _skipped_files(self, per_file: dict[Path, FileResult]) -> None:
        """Files skipped as identical to one imported before (or earlier in this import):
        each names, per table, "0 new" and the file it is identical to, in the summary, the
        result (``identical``) and the audit log."""
        from dhkit.ingest.identical import Identical, earlier_import

        for name, sha, when in self.skipped:
            same = earlier_import(self.con, sha) if when != "this run" else None
            if same is None:       # earlier in this import: that file's tables now
                first = next((f for f in per_file.values() if f.sha256 == sha), None)
                same = Identical(first.file if first else name, "in this import", {
                    t: a + b + first.unchanged.get(t, 0) + first.edited.get(t, 0)
                    + first.duplicates.get(t, 0) for t, (a, b) in first.tables.items()}
                    if first else {})
            for fr in self.result.files:
                if fr.already_imported and fr.sha256 == sha and fr.file == name \
                        and fr.identical_to is None:
                    fr.identical_to = same
                    break
            for t, n in same.rows.items():
                self.result.identical[t] = self.result.identical.get(t, 0) + n
            self.store.audit("import", file=name, sha256=sha,
                             note=f"already imported ({when}); nothing added: "
                             f"{same.describe()}")

    def _write_stage(self, s: _Stage, level: str | None, types: dict[str, str],
                     now) -> tuple[int, int]:
        t = table_name(level)
        qnames = {q.name for q in self.cb.data_questions(level)}
        # the study key of a repeat row comes from its own column (Kobo's repeat files carry
        # hh_id), else from its parent: the join to the parents' keys only when needed
        from_parent = level is not None and self.key_var in types and \
            self.key_var not in qnames and self.con.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {s.t} WHERE {txt('^' + self.key_var)} "
                "IS NULL LIMIT 1)").fetchone()[0] > 0
        sel = []
        for col, ty in types.items():
            if col in qnames:
                sel.append(f"{self._stored_sql(s, col, ty)} AS {qi(col)}")
            elif col == self.key_var and level is not None:
                sel.append(f"COALESCE(n.{txt('^' + col)}, kp.kv) AS {qi(col)}" if from_parent
                           else f"n.{txt('^' + col)} AS {qi(col)}")
            elif col in ("_key", "_parent_key", "_submission_time", "_kobo_id"):
                sel.append(f"n.{col}")
            elif col in copies.VERSION_COLUMNS:
                sel.append(copies.version_column_sql(col, "n"))
            elif col == "_form_version":
                sel.append("n._form_version")
            elif col == "_source_file":
                sel.append(f"{lit(s.sheet.label)} AS _source_file")
            elif col == "_source_row":
                sel.append("n._row AS _source_row")
            elif col == "_import_id":
                sel.append(f"{lit(self.result.import_id)} AS _import_id")
            else:
                sel.append(f"NULL AS {qi(col)}")
        join = ""
        if from_parent:
            join = (f" LEFT JOIN (SELECT DISTINCT ON (_key) _key, kv FROM ("
                    f"{self._batch_keys(None)} UNION ALL SELECT _key, kv, NULL, -1, NULL, NULL "
                    f"FROM "
                    f"({self._store_keys(None)}))) kp ON kp._key = n._parent_key")
        bad_rows = f"(SELECT DISTINCT _row FROM {s.p})"
        k = self.stages.index(s)
        if not self.release:
            self._apply_edits(s, level, sel, join, bad_rows, now)
        cur = self.con.execute(
            f"INSERT INTO study.{qi(t)} BY NAME SELECT {', '.join(sel)} FROM {s.n} n{join} "
            f"WHERE n._row NOT IN {bad_rows}"
            + ("" if self.release else
               f" AND n._row NOT IN (SELECT _row FROM _st{k} WHERE same OR NOT newer)"))
        ok = cur.fetchone()[0]
        if self.release:
            k = self.stages.index(s)
            self.con.execute(f"UPDATE study.quarantine SET released = TRUE, released_at = ? "
                             f"WHERE id IN (SELECT id FROM _m{k} WHERE _row NOT IN {bad_rows})",
                             [now])
            bad = self.con.execute(f"SELECT count(DISTINCT _row) FROM {s.p}").fetchone()[0]
            self._write_problems(s, t)
            return ok, bad
        parent_key = "n._parent_key" if level is not None else "NULL"
        cur = self.con.execute(f"""
            INSERT INTO study.quarantine (id, "table", source_file, "row", "key", parent_key, raw,
                                          problems, imported_at, import_id, released)
            SELECT nextval('study.quarantine_id'), {lit(t)}, {lit(s.sheet.label)}, n._row,
                   n._key, {parent_key}, r.raw, pr.problems, ?, {lit(self.result.import_id)},
                   FALSE
            FROM {s.n} n
            JOIN (SELECT _row, list(code || ' ' || field ORDER BY code, field) AS problems
                  FROM {s.p} GROUP BY _row) pr ON pr._row = n._row
            JOIN _q{self.stages.index(s)} r ON r._row = n._row""", [now])
        bad = cur.fetchone()[0]
        self._write_problems(s, t)
        return ok, bad

    @staticmethod
    def _stored_sql(s: _Stage, name: str, ty: str, alias: str = "n") -> str:
        """SQL of a staged question's value as the store holds it (type ``ty``)."""
        if s.typed is not None:
            v = f"{alias}.{qi(name)}"
            return v if s.typed.get(name) == ty else f"TRY_CAST({v} AS {ty})"
        v = f"{alias}.{txt(name)}"
        return v if ty == "VARCHAR" else f"TRY_CAST({v} AS {ty})"

    def _write_versions(self) -> None:
        """``form_versions``: which form version asked which variable (one row per table,
        variable and version held), so later stages tell "not asked in this version" from
        "missing" without reading the forms: a base must leave out the rows whose
        ``_form_version`` did not ask the variable."""
        if self.versions is None or self.release:
            return
        rows = [(table_name(q.repeat), name, v, v in self.versions.asked.get(name, ()))
                for name, q in self.cb.questions.items() if name in self.versions.asked
                for v in self.versions.names]
        self.con.execute("CREATE OR REPLACE TABLE study.form_versions (\"table\" VARCHAR, "
                         "variable VARCHAR, version VARCHAR, asked BOOLEAN)")
        self.con.executemany("INSERT INTO study.form_versions VALUES (?, ?, ?, ?)", rows)

    def _history(self, t: str) -> str:
        """``TABLE_history``: earlier (or older) versions of edited rows, with when, by which
        import and why they were superseded (made, and evolved, like the table)."""
        h = f"{t}_history"
        extra = {"_superseded_at": "TIMESTAMP", "_superseded_by": "VARCHAR",
                 "_superseded_why": "VARCHAR"}
        if not self.store.has_table(h):
            self.con.execute(f"CREATE TABLE study.{qi(h)} AS SELECT *, "
                             + ", ".join(f"NULL::{ty} AS {c}" for c, ty in extra.items())
                             + f" FROM study.{qi(t)} WHERE FALSE")
        else:
            have = self._store_columns(h)
            for c, ty in {**self._store_columns(t), **extra}.items():
                if c not in have:
                    self.con.execute(f"ALTER TABLE study.{qi(h)} ADD COLUMN {qi(c)} {ty}")
        return h

    def _supersede(self, t: str, keys_sql: str, why: str, now) -> None:
        """Move stored rows whose ``_key`` is in ``keys_sql`` to the history table."""
        h = self._history(t)
        self.con.execute(
            f"INSERT INTO study.{qi(h)} BY NAME SELECT *, ?::TIMESTAMP AS _superseded_at, "
            f"{lit(self.result.import_id)} AS _superseded_by, {lit(why)} AS _superseded_why "
            f"FROM study.{qi(t)} WHERE _key IN ({keys_sql})", [now])
        self.con.execute(f"DELETE FROM study.{qi(t)} WHERE _key IN ({keys_sql})")

    def _apply_edits(self, s: _Stage, level: str | None, sel: list[str], join: str,
                     bad_rows: str, now) -> None:
        """Changed re-exported rows: the newer version goes in the table, the other in
        ``TABLE_history`` (rows with problems are quarantined and change nothing)."""
        t = table_name(level)
        k = self.stages.index(s)
        edits = f"SELECT * FROM _st{k} WHERE NOT same AND _row NOT IN {bad_rows}"
        if not self.con.execute(f"SELECT count(*) FROM ({edits})").fetchone()[0]:
            return
        self._supersede(t, f"SELECT old_key FROM ({edits}) WHERE newer",
                        "edited: replaced by a newer version of the submission", now)
        self.con.execute(f"INSERT INTO _replaced SELECT {lit(t)}, e.old_key, n._key FROM "
                         f"({edits}) e JOIN {s.n} n ON n._row = e._row WHERE e.newer")
        h = self._history(t)
        self.con.execute(
            f"INSERT INTO study.{qi(h)} BY NAME SELECT {', '.join(sel)}, ?::TIMESTAMP AS "
            f"_superseded_at, {lit(self.result.import_id)} AS _superseded_by, "
            f"e.why AS _superseded_why FROM {s.n} n{join} JOIN (SELECT _row, "
            f"{copies.history_why()} AS why FROM ({edits}) e WHERE NOT newer) e "
            "ON e._row = n._row", [now])

    def _cascade(self, level: str, stages: list[_Stage], now) -> None:
        """Repeat rows of a replaced parent: when the export brings this level too, stored
        rows it does not bring again (unchanged) go to history with their parent's old
        version; otherwise they follow their parent to its new key."""
        t, pt = table_name(level), table_name(self._parent_level(level))
        if not self.store.has_table(t) or not self.con.execute(
                f"SELECT count(*) FROM _replaced WHERE level = {lit(pt)}").fetchone()[0]:
            return
        old = f"SELECT old_key FROM _replaced WHERE level = {lit(pt)}"
        if not stages:
            # parent moved to history: its entries follow it there
            self.con.execute(
                f"INSERT INTO _replaced SELECT {lit(t)}, c._key, NULL FROM study.{qi(t)} c "
                f"JOIN _replaced r ON r.level = {lit(pt)} AND r.new_key IS NULL "
                "AND c._parent_key = r.old_key")
            self._supersede(t, f"SELECT old_key FROM _replaced WHERE level = {lit(t)} "
                            "AND new_key IS NULL",
                            "edited: its submission was replaced by a newer version", now)
            # parent replaced under a new key (a Kobo edit gets a new _uuid): entries follow,
            # and keys made from the parent's (PARENT/members[2]) are renamed with it
            moved = (f"SELECT c._key AS old_key, CASE WHEN starts_with(c._key, r.old_key || '/')"
                     f" THEN r.new_key || substr(c._key, length(r.old_key) + 1) ELSE c._key "
                     f"END AS new_key, r.new_key AS parent FROM study.{qi(t)} c JOIN _replaced r "
                     f"ON r.level = {lit(pt)} AND r.new_key IS NOT NULL AND "
                     "r.new_key <> r.old_key AND c._parent_key = r.old_key")
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _moved AS {moved}")
            self.con.execute(f"INSERT INTO _replaced SELECT {lit(t)}, old_key, new_key "
                             "FROM _moved")
            self.con.execute(f"UPDATE study.{qi(t)} SET _key = m.new_key, _parent_key = m.parent "
                             f"FROM _moved m WHERE {qi(t)}._key = m.old_key")
            self.con.execute("DROP TABLE _moved")
            return
        # stored entries the new export brings again, as they are or edited (an edited
        # entry is replaced by _apply_edits; its own entries stay with it)
        kept = " UNION ALL ".join(f"SELECT old_key FROM _st{self.stages.index(s)} WHERE "
                                  "(same OR newer) AND COALESCE(kind NOT IN ('stale', "
                                  "'older', 'past'), TRUE)" for s in stages)
        gone = (f"SELECT _key FROM study.{qi(t)} WHERE _parent_key IN ({old}) "
                f"AND _key NOT IN ({kept})")
        self.con.execute(f"INSERT INTO _replaced SELECT {lit(t)}, _key, NULL FROM ({gone})")
        self._supersede(t, f"SELECT old_key FROM _replaced WHERE level = {lit(t)} "
                        "AND new_key IS NULL",
                        "edited: its submission was replaced by a newer version", now)

    def _write_problems(self, s: _Stage, t: str) -> None:
        self.con.execute(f"""
            INSERT INTO study.problems SELECT {lit(self.result.import_id)}, {lit(t)},
                {lit(s.sheet.label)}, _row, _key, field, code, message, value FROM {s.p}""")

    def _write_labels(self, s: _Stage) -> None:
        rows = [(s.sheet.label, var, val, lab)
                for var, vl in s.sheet.value_labels.items() for val, lab in vl.items()]
        self.con.executemany("INSERT INTO study.value_labels VALUES (?, ?, ?, ?)", rows)
