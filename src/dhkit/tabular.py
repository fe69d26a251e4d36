"""Read any tabular file a survey team has: CSV (``,`` or ``;``), Parquet, SPSS ``.sav``,
Stata ``.dta`` and Excel, into a pandas DataFrame, with one clear error when it cannot.

Used by the commands that need no study folder (``dhkit estimate``, ``dhkit weights
calibrate``) so R users can try dhkit on their own files.

>>> import pandas as pd, tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "x.csv"); pd.DataFrame({"a": [1, 2]}).to_csv(p, index=False)
>>> read_table(p)["a"].tolist()
[1, 2]
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError

SUFFIXES = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".sav", ".zsav", ".dta", ".xlsx")


def read_table(path: str | Path, value_labels: bool = False) -> pd.DataFrame:
    """Read a data file by its suffix; raise ``DhkitError`` (TAB-001..003) naming the file.

    With ``value_labels=True``, an SPSS/Stata column whose every value has a value label
    becomes a pandas categorical of the labels, in code order (as R's ``foreign::read.dta``
    and ``read.spss(to.data.frame=TRUE)`` give factors), so a labelled category is
    tabulated by level rather than averaged as a number.
    """
    path = Path(path)
    if not path.exists():
        raise DhkitError("TAB-001", f"{path}: file not found. Check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".sav", ".zsav"):
            import pyreadstat

            df, meta = pyreadstat.read_sav(str(path))
            return _labelled(df, meta) if value_labels else df
        if suffix == ".dta":
            import pyreadstat

            df, meta = pyreadstat.read_dta(str(path))
            return _labelled(df, meta) if value_labels else df
        if suffix == ".xlsx":
            from dhkit.zipguard import check_zip

            check_zip(path)
            return pd.read_excel(path)
    except DhkitError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear line
        raise DhkitError(
            "TAB-002", f"{path}: cannot be read as {suffix} ({type(exc).__name__}: {exc}). "
            "Check that the file is complete and of the type its name says."
        ) from exc
    raise DhkitError(
        "TAB-003", f"{path}: unknown file type '{suffix}'. Use one of {', '.join(SUFFIXES)}."
    )


def _labelled(df: pd.DataFrame, meta) -> pd.DataFrame:
    """Columns fully covered by their value labels become categoricals of the labels."""
    for col, labels in (meta.variable_value_labels or {}).items():
        if col not in df or not labels:
            continue
        if not all(v in labels for v in df[col].dropna().unique()):
            continue
        codes = sorted(labels)
        order = list(dict.fromkeys(str(labels[c]) for c in codes))
        names = {v: str(lab) for v, lab in labels.items()}
        df[col] = pd.Categorical(df[col].map(names), categories=order)
    return df


def _read_csv(path: Path) -> pd.DataFrame:
    with path.open("rb") as fh:
        head = fh.read(65536)
    try:
        text = head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(head).best()
        encoding = best.encoding if best else "latin-1"
        text = head.decode(encoding, errors="replace")
    first = text.splitlines()[0] if text else ""
    sep = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    df = pd.read_csv(path, sep=sep, encoding=encoding)
    if sep == ";":
        df = _decimal_commas(df)
    return _keep_leading_zeros(df, path, sep, encoding)


_DECIMAL_COMMA = r"^[+-]?\d+(?:,\d+)?$"


def _decimal_commas(df: pd.DataFrame) -> pd.DataFrame:
    """In a ``;`` file (Excel in Spanish, French, ... locales; R ``read.csv2``), a text
    column whose every value is a number written with a decimal comma ("1,5") is numeric."""
    for c in df.columns:
        if not pd.api.types.is_string_dtype(df[c]):
            continue
        t = df[c].dropna()
        if len(t) and t.map(type).eq(str).all() and t.str.contains(",").any() \
                and t.str.strip().str.match(_DECIMAL_COMMA).all():
            df[c] = pd.to_numeric(df[c].str.strip().str.replace(",", ".", regex=False))
    return df


_LEADING_ZERO = re.compile(rb"[,;\t\"\n]0[0-9]")  # a field that starts with 0 and a digit


def _keep_leading_zeros(df: pd.DataFrame, path: Path, sep: str, encoding: str) -> pd.DataFrame:
    """Fixed-width codes written with leading zeros ("05", "08001": geographic and ID codes)
    stay text.

    pandas would read them as the numbers 5 and 8001, so they would no longer match the
    same codes in a margins file or a frame, and would be written back changed.
    """
    cands = [c for c in df.columns if df[c].dtype.kind == "i"
             or (df[c].dtype.kind == "f" and np.all(np.mod(df[c].dropna().to_numpy(), 1) == 0))]
    if not cands or not _LEADING_ZERO.search(path.read_bytes()):
        return df
    text = pd.read_csv(path, sep=sep, encoding=encoding, usecols=cands, dtype=str)
    for c in cands:
        t = text[c].dropna()
        if t.str.match(r"^0\d").any() and t.str.len().nunique() == 1:
            df[c] = text[c]
    return df
