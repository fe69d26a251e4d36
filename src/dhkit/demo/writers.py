"""Write the demo study in the formats survey teams download: Kobo CSV and XLSX, ODK
Central CSV, SPSS ``.sav``, Stata ``.dta`` and Parquet. Every format holds the same rows.

Kobo and ODK exports are imitated (headers, meta columns, repeat files) because the demo
exists to exercise ``dhkit import`` on what teams really have; pyarrow writes the CSVs
(fast, streaming), pyreadstat the SPSS/Stata files with value labels. See
``docs/demo.md`` for each file's layout.

>>> from dhkit.demo.generate import draw
>>> import tempfile
>>> paths = write_kobo_csv(draw(30, seed=1), tempfile.mkdtemp())
>>> sorted(p.name for p in paths)
['household_survey-instance.csv', 'household_survey-roster.csv', 'household_survey.csv']
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from dhkit.demo.generate import COL_LIST, DemoData
from dhkit.demo.schema import CHOICES, EXTRA_MAIN, INSTANCE, MAIN, ROSTER, choice_codes

FORM = "household_survey"
FORMATS = ("kobo_csv", "kobo_xlsx", "odk_csv", "sav", "dta", "parquet")
XLSX_MAX_CHILDREN = 50_000
STATA_NAME_MAX = 32   # Stata's limit on variable names
#: Columns per table in the raw exports (Kobo, ODK): the form's questions only.
TABLES = {"main": MAIN, "instance": INSTANCE, "roster": ROSTER}
#: Columns per table in the analysis files (sav, dta, parquet): plus the demo ``weight``.
ANALYSIS = {"main": MAIN + EXTRA_MAIN, "instance": INSTANCE, "roster": ROSTER}
KOBO_MAIN_META = ["_id", "_uuid", "_submission_time", "_index"]
KOBO_REPEAT_META = ["_index", "_parent_table_name", "_parent_index", "_submission__id",
                    "_submission__uuid"]


# --------------------------------------------------------------------------- helpers
def _split(data: DemoData, table: str, name: str) -> dict[str, pd.array]:
    """Split 0/1 columns of a select_multiple (nullable: empty where not asked)."""
    mask = data.multi[table][name]
    out = {}
    for j, code in enumerate(choice_codes(COL_LIST[name])):
        col = pd.array((mask >> j) & 1, dtype="Int64")
        col[mask < 0] = pd.NA
        out[code] = col
    return out


def _df(data: DemoData, table: str) -> pd.DataFrame:
    return getattr(data, table)


def split_name(question: str, choice: str) -> str:
    """Name of a split column in SPSS/Stata files: ``question_choice``, cut to 32 chars
    (Stata), e.g. ``barriers_help_afraid_not_believe``."""
    return f"{question}_{choice}"[:STATA_NAME_MAX]


def kobo_frame(data: DemoData, table: str) -> pd.DataFrame:
    """The table with Kobo headers: ``group/question`` paths, split ``path/choice`` columns,
    meta columns (``start``/``end`` first, ``_id``... ``_index`` last on the main sheet;
    ``_index``/``_parent_index``... on repeats)."""
    df = _df(data, table)
    cols: dict[str, object] = {}
    if table == "main":
        cols["start"] = df["start"]
        cols["end"] = df["end"]
    else:
        cols["hh_id"] = df["hh_id"]
    for c in TABLES[table]:
        cols[c.path] = df[c.name]
        if c.type == "select_multiple":
            for code, v in _split(data, table, c.name).items():
                cols[f"{c.path}/{code}"] = v
    for m in KOBO_MAIN_META if table == "main" else KOBO_REPEAT_META:
        cols[m] = df[m]
    return pd.DataFrame(cols)


def _write_csv(df: pd.DataFrame, path: Path, delimiter: str, quote_all: bool) -> Path:
    table = pa.Table.from_pandas(df, preserve_index=False)
    opts = pacsv.WriteOptions(delimiter=delimiter,
                              quoting_style="all_valid" if quote_all else "needed")
    pacsv.write_csv(table, path, write_options=opts)
    return path


# --------------------------------------------------------------------------- Kobo
def write_kobo_csv(data: DemoData, out_dir: str | Path) -> list[Path]:
    """Kobo's CSV export: ``;``-separated, every value quoted, XML-name headers, one file
    per repeat group (``household_survey-instance.csv``, ``-roster.csv``) linked by
    ``_parent_index`` -> main ``_index``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in ("main", "instance", "roster"):
        name = f"{FORM}.csv" if table == "main" else f"{FORM}-{table}.csv"
        paths.append(_write_csv(kobo_frame(data, table), out / name, ";", True))
    return paths


def write_kobo_xlsx(data: DemoData, out_dir: str | Path) -> list[Path]:
    """Kobo's XLSX export: the main sheet, then one sheet per repeat (``instance``,
    ``roster``) with ``_index`` / ``_parent_index``. Refused above 50,000 children."""
    n = int((data.main["interview_result"] == 1).sum())
    if n > XLSX_MAX_CHILDREN:
        from dhkit.errors import DhkitError
        raise DhkitError("DEM-002", f"kobo_xlsx: {n} children is more than "
                         f"{XLSX_MAX_CHILDREN:,}; Excel files that large are impractical. "
                         "Leave kobo_xlsx out of --formats or use fewer --children.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{FORM}.xlsx"
    from dhkit.safetext import WORKBOOK_OPTIONS

    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": WORKBOOK_OPTIONS}) as xw:
        xw.book.set_properties({"created": FIXED_STAMP})
        for table, sheet in (("main", FORM), ("instance", "instance"), ("roster", "roster")):
            kobo_frame(data, table).to_excel(xw, sheet_name=sheet, index=False)
    return [path]


# --------------------------------------------------------------------------- ODK Central
def form_version() -> str:
    """The shipped form's version (its settings sheet), which ODK Central writes in
    ``FormVersion`` on every submission collected with it.

    >>> form_version()
    '2026.1'
    """
    from dhkit.instrument import shipped_codebook

    return shipped_codebook().version


def odk_frame(data: DemoData, table: str) -> pd.DataFrame:
    """ODK Central's CSV layout: group paths joined by ``-``, ``meta-instanceID`` and
    ``KEY`` on the main file; repeat files carry ``PARENT_KEY`` and ``KEY``."""
    df = _df(data, table)
    uuid = "uuid:" + df["_uuid" if table == "main" else "_submission__uuid"].astype(str)
    cols: dict[str, object] = {}
    if table == "main":
        cols["SubmissionDate"] = df["_submission_time"] + ".000Z"
        cols["start"] = df["start"]
        cols["end"] = df["end"]
    for c in TABLES[table]:
        cols[c.path.replace("/", "-")] = df[c.name]
    if table == "main":
        cols["meta-instanceID"] = uuid
        cols["KEY"] = uuid
        cols["SubmitterID"] = 7
        cols["SubmitterName"] = "demo-enumerator"
        cols["ReviewState"] = None
        cols["FormVersion"] = form_version()
    else:
        rep = "child/instance" if table == "instance" else "roster"
        cols["hh_id"] = df["hh_id"]
        no = df.groupby("_parent_index").cumcount() + 1
        cols["PARENT_KEY"] = uuid
        cols["KEY"] = uuid + f"/{rep}[" + no.astype(str) + "]"
    return pd.DataFrame(cols)


def write_odk_csv(data: DemoData, out_dir: str | Path) -> list[Path]:
    """ODK Central's CSV export (``,``-separated): the main file and one
    ``household_survey-<repeat>.csv`` per repeat group."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in ("main", "instance", "roster"):
        name = f"{FORM}.csv" if table == "main" else f"{FORM}-{table}.csv"
        paths.append(_write_csv(odk_frame(data, table), out / name, ",", False))
    return paths


# --------------------------------------------------------------------------- SPSS / Stata
def flat_frame(data: DemoData, table: str) -> tuple[pd.DataFrame, dict, dict]:
    """Bare names, split 0/1 columns ``question_choice``, ``hh_id`` as the link; returns the
    frame, variable labels and value labels (numeric choice lists only).

    Split columns carry a variable label naming the choice but no value labels: pyreadstat
    names each label set after its variable plus a counter, which overflows Stata's
    32-character limit for the longest split names."""
    df = _df(data, table)
    cols: dict[str, object] = {}
    var_labels: dict[str, str] = {}
    value_labels: dict[str, dict] = {}
    if table != "main":
        cols["hh_id"] = df["hh_id"]
        var_labels["hh_id"] = "Household id"
    for c in ANALYSIS[table]:
        cols[c.name] = df[c.name]
        var_labels[c.name] = c.label
        if c.type == "select_one" and c.numeric:
            value_labels[c.name] = {int(k): v for k, v in CHOICES[c.list_name]}
        if c.type == "select_multiple":
            for code, v in _split(data, table, c.name).items():
                n = split_name(c.name, code)
                cols[n] = v
                var_labels[n] = f"{c.label}: {dict(CHOICES[c.list_name])[code]}"
    flat = pd.DataFrame(cols)
    for name in flat.columns:            # nullable ints -> float with NaN for readstat
        if isinstance(flat[name].dtype, pd.Int64Dtype):
            flat[name] = flat[name].astype("float64")
        elif flat[name].dtype == object:
            flat[name] = flat[name].fillna("").astype(str)
    return flat, var_labels, value_labels


def _write_readstat(data: DemoData, out_dir, suffix: str) -> list[Path]:
    import pyreadstat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in ("main", "instance", "roster"):
        flat, vl, vals = flat_frame(data, table)
        name = f"{FORM}.{suffix}" if table == "main" else f"{FORM}_{table}.{suffix}"
        path = out / name
        if suffix == "sav":
            pyreadstat.write_sav(flat, str(path), column_labels=vl, variable_value_labels=vals,
                                 file_label="dhkit synthetic demo study (not real data)")
        else:
            vl = {k: v[:80] for k, v in vl.items()}
            pyreadstat.write_dta(flat, str(path), column_labels=vl,
                                 variable_value_labels=vals, version=15,
                                 file_label="dhkit synthetic demo (not real data)")
        _freeze_timestamp(path, suffix)
        paths.append(path)
    return paths


#: The timestamp written into SPSS/Stata/Excel headers, so the same seed gives the same
#: bytes (readstat and xlsxwriter would stamp the current time).
FIXED_STAMP = _dt.datetime(2024, 7, 1, 0, 0)
SAV_STAMP = b"01 Jul 2400:00:00"        # the same instant, locale-free
DTA_STAMP = b"01 Jul 2024 00:00"


def _freeze_timestamp(path: Path, suffix: str) -> None:
    """Overwrite the creation time in a .sav header (offset 92: 9-byte date, 8-byte time)
    or a Stata 118 ``<timestamp>`` with :data:`FIXED_STAMP`."""
    raw = bytearray(path.read_bytes())
    if suffix == "sav":
        raw[92:109] = SAV_STAMP
    else:
        tag = raw.find(b"<timestamp>")
        if tag >= 0 and raw[tag + 11] == 17:
            raw[tag + 12:tag + 29] = DTA_STAMP
    path.write_bytes(bytes(raw))


def write_sav(data: DemoData, out_dir: str | Path) -> list[Path]:
    """SPSS files: ``household_survey.sav`` (household + caregiver + child, one row per
    submission), ``household_survey_instance.sav`` and ``household_survey_roster.sav``."""
    return _write_readstat(data, out_dir, "sav")


def write_dta(data: DemoData, out_dir: str | Path) -> list[Path]:
    """Stata 15 files, the same layout as :func:`write_sav`."""
    return _write_readstat(data, out_dir, "dta")


# --------------------------------------------------------------------------- Parquet
def write_parquet(data: DemoData, out_dir: str | Path) -> list[Path]:
    """Parquet files in the store's shape: bare names, select_multiple as space-separated
    strings, Kobo ``_index`` / ``_parent_index`` kept as links."""
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in ("main", "instance", "roster"):
        df = _df(data, table)
        keep = ([] if table == "main" else ["hh_id"]) + [c.name for c in ANALYSIS[table]]
        meta = ["_index", "_uuid", "_submission_time", "start", "end"] if table == "main" \
            else ["_index", "_parent_index"]
        name = f"{FORM}.parquet" if table == "main" else f"{FORM}-{table}.parquet"
        pq.write_table(pa.Table.from_pandas(df[keep + meta], preserve_index=False),
                       out / name)
        paths.append(out / name)
    return paths


WRITERS = {"kobo_csv": write_kobo_csv, "kobo_xlsx": write_kobo_xlsx, "odk_csv": write_odk_csv,
           "sav": write_sav, "dta": write_dta, "parquet": write_parquet}

