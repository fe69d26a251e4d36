"""Read survey exports into DuckDB staging tables and map their columns to the codebook.

Every file (or workbook sheet) becomes one temporary table of text columns with its
original headers (DuckDB ``read_csv`` / ``read_parquet`` stream the file; ``.sav``/``.dta``
go through pyreadstat and Arrow; ``.xlsx`` through openpyxl). Values stay text here so that
validation can see exactly what the file says; typing happens in SQL (``validate.py``).

Formats recognised: Kobo CSV (``;`` or ``,``, XML-name or label headers with
``group/question`` paths, ``_uuid``/``_index``/``_parent_index`` meta, select_multiple as
space-separated values or split 0/1 columns), Kobo XLSX (a sheet per repeat), ODK Central CSV
(``KEY``/``PARENT_KEY``, ``group-question`` headers, repeat files), SPSS ``.sav`` and Stata
``.dta`` (value labels kept), Parquet and plain CSV.

Why not ``dhkit.tabular.read_table``: it reads whole files into pandas, which would hold a
1,000,000-row export in Python memory; DuckDB's readers stream it into columnar storage.

>>> sniff_delimiter("a;b;c\\n")
';'
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dhkit.errors import DhkitError
from dhkit.ingest.validate import GEO_PARTS, GEO_TYPES
from dhkit.instrument.codebook import Codebook, Question

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
ROW_COL = "__dhkit_row__"
SUFFIXES = CSV_SUFFIXES + (".xlsx", ".sav", ".zsav", ".dta", ".parquet", ".pq", ".zip")

#: header -> meta role (compared case-sensitively after stripping)
META_ROLES = {
    "_uuid": "key", "KEY": "key", "meta/instanceID": "key", "meta-instanceID": "key",
    "instanceID": "key",
    "_index": "index", "_parent_index": "parent_index",
    "_submission__uuid": "parent_uuid", "PARENT_KEY": "parent_key",
    "_submission_time": "submission_time", "SubmissionDate": "submission_time",
    # Kobo's repeat sheets repeat their submission's day (today() rules of repeat questions)
    "_submission__submission_time": "submission_time",
    "_quarantine_id": "quarantine_id",
    # Kobo: the parent sheet of a repeat row (nested repeats: another repeat's sheet)
    "_parent_table_name": "parent_table",
    # the form version a row was collected with: Kobo __version__ (and on repeat sheets
    # _submission___version__), ODK Central FormVersion, a plain form export's version
    "__version__": "version", "_submission___version__": "version", "_version_": "version",
    "FormVersion": "version", "formVersion": "version",
    # edited submissions: the previous version's instanceID, and the first one's (Kobo)
    "meta/deprecatedID": "deprecated", "meta-deprecatedID": "deprecated",
    "deprecatedID": "deprecated",
    "meta/rootUuid": "root", "meta-rootUuid": "root", "rootUuid": "root",
    # Kobo's number for a submission: the same across its edits (``_uuid`` is not)
    "_id": "kobo_id",
    # ODK Central: how many times the submission was edited (the current version's count)
    "Edits": "edits",
}
#: headers holding the instanceID of the version a row is (ODK Central: ``meta-instanceID``
#: changes with every edit while ``KEY`` keeps the first one); also kept as meta "instance"
INSTANCE_HEADERS = ("meta/instanceID", "meta-instanceID", "instanceID")
#: when several headers hold the key, the first role listed wins (ODK Central's KEY is the
#: submission's lasting id; meta-instanceID changes when the submission is edited)
KEY_PRIORITY = ("KEY", "_uuid", "meta/instanceID", "meta-instanceID", "instanceID")
#: export meta columns dhkit does not keep (besides any header starting with "_")
IGNORED_META = {
    "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
    "ReviewState", "DeviceID", "start", "end", "today", "deviceid",
    "username", "simserial", "subscriberid", "phonenumber", "audit",
}


@dataclass
class Sheet:
    """One file, or one sheet of a workbook, staged as a temporary DuckDB table."""

    file: Path
    label: str                    # shown to users: "export.csv" or "export.xlsx[instance]"
    table: str                    # temp table of text columns, original headers
    headers: list[str]
    format: str                   # kobo_csv | odk_csv | csv | kobo_xlsx | sav | dta | parquet
    row_offset: int               # shown row = rowid + row_offset (header files: 2)
    sheet_name: str | None = None
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    is_view: bool = False         # CSV: a view streaming the file, with its row in ROW_COL
    #: SQL of a plain, order-keeping scan of the file without row numbers (CSV: the
    #: ``read_csv`` call itself, which DuckDB parses with every thread); staging reads this
    #: and numbers rows by the staged table's rowid, so the numbering window (one thread)
    #: runs only when the file's own text of a bad row is needed
    scan: str = ""
    delimiter: str = ""           # CSV: the field separator (";" allows decimal commas)

    @property
    def head(self) -> str:
        """SQL of a relation that reads the file's first rows cheaply (one thread: a parallel
        scan would parse a buffer per thread before a LIMIT stops it)."""
        if self.scan.startswith("read_csv(") and self.scan.endswith(")"):
            return self.scan[:-1] + ", parallel=false)"
        return self.source

    @property
    def source(self) -> str:
        """SQL of the relation staging reads (the fast scan, else the staged table)."""
        return self.scan or f"temp.{_q(self.table)}"

    @property
    def row_sql(self) -> str:
        """SQL for the row number users see, on the staged relation."""
        return f'"{ROW_COL}"' if self.is_view else f"rowid + {self.row_offset}"

    @property
    def raw_json_sql(self) -> str:
        """SQL for the row as in the file, as JSON (for the quarantine)."""
        if self.is_view:
            return f"to_json(struct_pack(*COLUMNS(c -> c <> '{ROW_COL}')))::VARCHAR"
        return "to_json(x)::VARCHAR"


@dataclass
class ColumnMap:
    """Which header holds which question, at which level of the form."""

    level: str | None                                   # None: main sheet; else repeat name
    questions: dict[str, str] = field(default_factory=dict)        # question -> header
    splits: dict[str, dict[str, str]] = field(default_factory=dict)  # question -> choice -> header
    meta: dict[str, str] = field(default_factory=dict)             # role -> header
    other_level: dict[str, str] = field(default_factory=dict)      # question -> header (e.g. hh_id)
    unknown: list[str] = field(default_factory=list)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


# ----------------------------------------------------------------------------- loading


#: members of a zipped export that are data (ODK Central's "CSV (zip)" holds FORMID.csv,
#: one FORMID-REPEAT.csv per repeat and, with media, a media/ folder)
_ZIPPED = tuple(s for s in SUFFIXES if s != ".zip")


def _data_member(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (not name.endswith("/") and not parts[-1].startswith(".") and "__MACOSX" not in parts
            and "media" not in parts[:-1] and Path(parts[-1]).suffix.lower() in _ZIPPED)


def unzip_export(path: Path, into: Path) -> list[Path]:
    """The data files of a zipped export, extracted into ``into`` (a private folder the
    importer removes when it is done), in the zip's order; media are left in the zip.

    Each file is named ``EXPORT.zip:MEMBER`` so that messages, the quarantine and the audit
    log name both. Checked as a zip bomb first (:func:`dhkit.zipguard.check_zip`, data members
    only); a zip with no data file is IMP-001."""
    import shutil
    import zipfile

    from dhkit.zipguard import check_zip

    check_zip(path, only=_data_member)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _damaged(path, "zip", exc) from None
    out: list[Path] = []
    with zf:
        names = [n for n in zf.namelist() if _data_member(n)]
        if not names:
            raise DhkitError("IMP-001", f"{path}: the zip holds no export file ("
                             f"{', '.join(_ZIPPED)}); nothing was imported.")
        for k, name in enumerate(names):
            base = name.replace("\\", "/").split("/")[-1]
            target = into / f"{path.name}:{base}"
            if target.exists():                      # the same name in two folders
                target = into / f"{path.name}:{k}-{base}"
            try:
                with zf.open(name) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _damaged(path, "zip", exc) from None
            out.append(target)
    return out


def load_file(con: duckdb.DuckDBPyConnection, path: Path, prefix: str,
              encoding: str | None = None) -> list[Sheet]:
    """Stage one file as one or more temporary tables (``prefix``, ``prefix_1``...)."""
    if not path.is_file():
        raise DhkitError("IMP-001", f"{path}: file not found. Check the path.")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [_load_csv(con, path, prefix, encoding)]
    if suffix == ".xlsx":
        return _load_xlsx(con, path, prefix)
    if suffix in (".sav", ".zsav", ".dta"):
        return [_load_stat(con, path, prefix)]
    if suffix in (".parquet", ".pq"):
        try:
            con.execute(f"CREATE TEMP TABLE {prefix} AS SELECT COLUMNS(*)::VARCHAR "
                        f"FROM read_parquet({_lit(str(path))})")
        except duckdb.Error as exc:
            raise _damaged(path, "Parquet", exc) from None
        return [_sheet(con, path, path.name, prefix, "parquet", 1)]
    raise DhkitError("IMP-001", f"{path}: unknown file type '{suffix}'. Use one of "
                     f"{', '.join(SUFFIXES)}.")


def _damaged(path: Path, kind: str, exc: Exception) -> DhkitError:
    first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    return DhkitError("IMP-015", f"{path}: cannot be read as {kind} ({first}); the file looks "
                      "damaged or truncated. Download or export it again; nothing was imported.")


def _sheet(con, path, label, table, fmt, offset, sheet_name=None, labels=None) -> Sheet:
    headers = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    return Sheet(path, label, table, headers, fmt, offset, sheet_name, labels or {})


def _load_csv(con, path: Path, table: str, encoding: str | None) -> Sheet:
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.lstrip(b"\xef\xbb\xbf").strip():
        raise DhkitError("IMP-015", f"{path}: the file is empty (not even a header row). "
                         "Download or export it again; nothing was imported.")
    enc = (encoding or "utf-8").lower().replace("_", "-")
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    delim = sniff_delimiter(first)
    opts = (f"delim={_lit(delim)}, header=true, all_varchar=true, quote='\"', escape='\"', "
            f"encoding={_lit(enc)}, null_padding=true, auto_detect=false, "
            f"columns={_columns_clause(first, delim)}")
    # Not a copy: staging parses the file while it normalises it (one pass, ``scan``, every
    # thread; rows numbered by the order-keeping insert). The view numbers rows as in the
    # file (header = row 1) with DuckDB's streaming ROW_NUMBER() OVER (); it is read only
    # for the text of rows with problems. Reading errors surface when the file is first
    # read (staging, before anything is written) and are translated by csv_error().
    scan = f"read_csv({_lit(str(path))}, {opts})"
    try:
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT row_number() OVER () + 1 AS "
                    f"{ROW_COL}, * FROM {scan}")
    except duckdb.Error as exc:
        raise csv_error(path, exc) from None
    headers = _split_header(first, delim)
    fmt = ("odk_csv" if {"KEY", "PARENT_KEY", "SubmissionDate"} & set(headers)
           else "kobo_csv" if any(h.startswith("_") for h in headers) else "csv")
    sheet = _sheet(con, path, path.name, table, fmt, 2)
    sheet.headers = [h for h in sheet.headers if h != ROW_COL]
    sheet.is_view = True
    sheet.scan = scan
    sheet.delimiter = delim
    return sheet


def csv_error(path: Path, exc: Exception) -> DhkitError:
    """A DuckDB CSV reading error as one actionable line (IMP-002 encoding, else IMP-015)."""
    text = str(exc)
    if "unicode" in text.lower() or "utf-8" in text.lower() or "encoding" in text.lower():
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        return _not_utf8(path, head, text)
    return _damaged(path, "CSV", exc)


def _split_header(first: str, delim: str) -> list[str]:
    import csv

    return [h.strip() for h in next(csv.reader([first.rstrip("\r\n")], delimiter=delim))]


def _columns_clause(first: str, delim: str) -> str:
    """Read every column as text under its exact header (DuckDB would rename duplicates)."""
    heads = _split_header(first, delim)
    seen: dict[str, int] = {}
    out = []
    for h in heads:
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.append(f"{_lit(h if n == 0 else f'{h}#{n}')}: 'VARCHAR'")
    return "{" + ", ".join(out) + "}"


def _not_utf8(path: Path, head: bytes, text: str) -> DhkitError:
    from charset_normalizer import from_bytes

    m = re.search(r"Line: (\d+)", text)
    best = from_bytes(head).best()
    guess = best.encoding if best else "unknown"
    where = f" (first bad byte near line {m.group(1)})" if m else ""
    return DhkitError(
        "IMP-002", f"{path}: not UTF-8{where}; it looks like {guess}. Save it as UTF-8 "
        f"(e.g. iconv -f {guess} -t utf-8 {path.name} > {path.stem}-utf8{path.suffix}) or, "
        "for Latin-1/Windows-1252 files, import with --encoding latin-1. Nothing was imported.")


def _load_xlsx(con, path: Path, prefix: str) -> list[Sheet]:
    import pandas as pd

    from dhkit.zipguard import check_zip

    check_zip(path)   # a zip bomb is refused before anything inflates
    try:
        # keep_default_na=False: pandas would read the text answers "NA", "None", "null",
        # "nan", "N/A", ... as missing (a name, an initials field, "None" to "other, specify")
        # and they would be stored empty; only an empty cell is no answer.
        frames = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any reader failure is one clear line
        raise _damaged(path, "Excel (.xlsx)", exc) from None
    sheets = []
    for i, (name, df) in enumerate(frames.items()):
        if df.empty and not len(df.columns):
            continue
        table = f"{prefix}_{i}"
        con.register("_xlsx_df", df)
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT NULLIF(COLUMNS(*)::VARCHAR, '') "
                    "FROM _xlsx_df")
        con.unregister("_xlsx_df")
        sheets.append(_sheet(con, path, f"{path.name}[{name}]", table, "kobo_xlsx", 2, name))
    return sheets


def _load_stat(con, path: Path, table: str) -> Sheet:
    import pyreadstat

    kind = "Stata (.dta)" if path.suffix.lower() == ".dta" else "SPSS (.sav)"
    reader = pyreadstat.read_dta if path.suffix.lower() == ".dta" else pyreadstat.read_sav
    try:
        df, meta = reader(str(path))
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises its own types
        raise _damaged(path, kind, exc) from None
    con.register("_stat_df", df)
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT COLUMNS(*)::VARCHAR FROM _stat_df")
    con.unregister("_stat_df")
    labels = {var: {_code(v): str(lab) for v, lab in vl.items()}
              for var, vl in (meta.variable_value_labels or {}).items()}
    return _sheet(con, path, path.name, table, "dta" if kind.startswith("Stata") else "sav", 1,
                  labels=labels)


def _code(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ----------------------------------------------------------------------------- mapping


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


@dataclass
class _Index:
    by_path: dict[str, Question]
    by_name: dict[str, Question]
    by_label: dict[str, Question]
    split: dict[str, tuple[Question, str]]
    by_label_path: dict[str, Question] = field(default_factory=dict)   # group labels too
    #: columns that hold no answer, not kept: Kobo's links to a media answer's file
    #: (``photo_URL``) and notes (formpack exports every field of the form, notes too)
    not_answers: set[str] = field(default_factory=set)


def _index(cb: Codebook) -> _Index:
    from dhkit.instrument.codebook import NON_DATA_TYPES

    qs = [q for q in cb.questions.values() if q.type not in NON_DATA_TYPES]
    idx = _Index({}, {}, {}, {})
    for q in cb.questions.values():
        if q.type == "note":
            idx.not_answers |= {q.path, q.path.replace("/", "-"), q.name}
    for q in qs:
        for p in (q.path, q.path.replace("/", "-"), q.path.replace("/", ".")):
            idx.by_path.setdefault(p, q)
        idx.by_name.setdefault(q.name, q)
        for lang, lab in q.labels.items():
            idx.by_label.setdefault(_norm(lab), q)
            groups = [cb.questions[g].labels.get(lang, g) if g in cb.questions else g
                      for g in q.group.split("/") if q.group]
            idx.by_label_path.setdefault(_norm("/".join(groups + [lab])), q)
        if q.base_type in GEO_TYPES:
            _geo_parts(idx, q)
        if q.base_type in MEDIA_TYPES:       # formpack MediaField, "include media URLs"
            idx.not_answers |= {f"{p}_URL" for p in (q.path, q.path.replace("/", "-"), q.name)}
            idx.not_answers |= {_norm(f"{lab}_URL") for lab in q.labels.values()}
        if q.base_type == "select_multiple" and q.list_name:
            for c in cb.choices.get(q.list_name, []):
                for p in (q.path, q.path.replace("/", "-"), q.name):
                    for sep in ("/", ".", "_"):
                        idx.split.setdefault(f"{p}{sep}{c.name}", (q, c.name))
                for qlab in q.labels.values():
                    for clab in c.labels.values():
                        idx.split.setdefault(_norm(f"{qlab}/{clab}"), (q, c.name))
    return idx


#: answer types Kobo's exporter gives a ``NAME_URL`` column (the file's download link)
MEDIA_TYPES = ("image", "audio", "video", "file", "background-audio")


def _geo_parts(idx: _Index, q: Question) -> None:
    """The columns a point is split into by Kobo (``loc/_gps_latitude``; label headers
    ``_GPS label_latitude``) and ODK Central (``loc-gps-Latitude``, relative to a repeat's
    file), as parts of the point (``latitude`` ... ``precision``)."""
    segs = q.path.split("/")
    for part, odk in GEO_PARTS:
        for k in range(len(segs)):
            idx.split.setdefault("/".join(segs[k:-1] + [f"_{q.name}_{part}"]), (q, part))
            idx.split.setdefault("-".join(segs[k:]) + "-" + odk, (q, part))
        for lab in q.labels.values():
            idx.split.setdefault(_norm(f"_{lab}_{part}"), (q, part))


def map_columns(headers: list[str], cb: Codebook, key_var: str | None = None,
                ignore: set[str] | frozenset = frozenset()) -> ColumnMap:
    """Match headers to questions by path, bare name or label; find meta and split columns;
    pick the form level (main or a repeat) that most headers belong to."""
    idx = _index(cb)
    found: list[tuple[str, str, Question, str | None]] = []   # (header, kind, q, choice)
    meta: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        hs = h.strip()
        if hs == "version" and "version" not in idx.by_name:   # a plain export's version
            meta.setdefault("version", h)
            continue
        if hs in META_ROLES:
            role = META_ROLES[hs]
            if hs in INSTANCE_HEADERS:
                meta.setdefault("instance", h)
            if role == "key" and "key" in meta and hs in KEY_PRIORITY and \
                    KEY_PRIORITY.index(hs) < KEY_PRIORITY.index(meta["key"].strip()):
                meta["key"] = h
            meta.setdefault(role, h)
            continue
        q = idx.by_path.get(hs) or idx.by_name.get(hs)
        if q is not None:
            found.append((h, "q", q, None))
            continue
        if hs in idx.split or _norm(hs) in idx.split:
            q, choice = idx.split.get(hs) or idx.split[_norm(hs)]
            found.append((h, "split", q, choice))
            continue
        q = idx.by_name.get(re.split(r"[/-]", hs)[-1])
        if q is not None:
            found.append((h, "q", q, None))
            continue
        if len(hs) >= 32:   # SPSS/Stata shorten long names (split columns) to 32/64 chars
            long = [k for k in idx.split if k.startswith(hs)]
            if len(long) == 1:
                q, choice = idx.split[long[0]]
                found.append((h, "split", q, choice))
                continue
        if hs in idx.not_answers or _norm(hs.split("/")[-1]) in idx.not_answers:
            continue
        hit = _by_label(hs, idx)
        if hit is not None:
            found.append((h, "q" if hit[1] is None else "split", hit[0], hit[1]))
            continue
        if hs.startswith("_") or hs in IGNORED_META or hs in ignore or hs.split("/")[0] in ("meta", "formhub") \
                or hs.split("-")[0] == "meta" or "#" in hs:
            continue
        unknown.append(h)
    counts: dict[str | None, int] = {}
    for _, _, q, _ in found:
        counts[q.repeat] = counts.get(q.repeat, 0) + 1
    if not counts:
        level = None
    else:
        level = max(counts, key=lambda k: (counts[k], k is None))
    cmap = ColumnMap(level=level, meta=meta)
    for h, kind, q, choice in found:
        if q.repeat != level:
            if key_var and q.name == key_var:
                cmap.other_level[q.name] = h
            elif not (kind == "q" and q.name in cmap.other_level):
                unknown.append(h)
            continue
        if kind == "q":
            cmap.questions.setdefault(q.name, h)
        else:
            cmap.splits.setdefault(q.name, {})[choice] = h
    cmap.unknown = unknown
    return cmap


def _by_label(header: str, idx: _Index) -> tuple[Question, str | None] | None:
    """Kobo label headers join group labels with '/' (and labels may contain '/'): try
    every suffix of the header, longest first, as a question label or 'question/choice'."""
    if _norm(header) in idx.by_label_path:
        return idx.by_label_path[_norm(header)], None
    parts = header.split("/")
    for k in range(len(parts)):
        cand = _norm("/".join(parts[k:]))
        if cand in idx.by_label:
            return idx.by_label[cand], None
        if cand in idx.split:
            return idx.split[cand]
    return None


def suggest(header: str, cb: Codebook) -> str:
    names = [q.name for q in cb.questions.values()]
    close = difflib.get_close_matches(re.split(r"[/-]", header)[-1], names, n=1)
    return f"did you mean '{close[0]}'?" if close else "not a question of the form"
