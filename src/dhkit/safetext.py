"""Text cells that stay text: no formula or DDE injection through a spreadsheet or CSV.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by Excel, LibreOffice and Google Sheets when the file is opened
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``@SUM(...)``). Interview quotes, legal notes,
consultation comments, codebook labels and quarantined raw rows are text written by people
outside the team, so every writer goes through this module:

- **xlsx** (:func:`workbook`, :func:`write_cell`, :func:`write_row`): text goes in with
  ``write_string`` and the workbook is created with ``strings_to_formulas`` and
  ``strings_to_urls`` off, so a text cell is a string cell whatever it starts with; numbers
  stay numbers. openpyxl writers call :func:`defuse_openpyxl` on the sheets they wrote.
- **CSV** (:func:`csv_cell`, :func:`csv_frame`, :func:`csv_row`): the OWASP rule — a text cell
  that starts with one of those characters gets a leading apostrophe ``'`` (spreadsheets show
  it as text, and a reader can strip it); a text cell that is a plain number (``-0.25``,
  ``+57``) is left alone because no spreadsheet runs it.

Why not a library: xlsxwriter's options cover the xlsx half (used here), but no maintained
package does the CSV half; the rule is three lines and is the OWASP "CSV Injection" advice
(https://owasp.org/www-community/attacks/CSV_Injection).

>>> csv_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> csv_cell("-0.25"), csv_cell("texto"), csv_cell(3)
('-0.25', 'texto', 3)
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterable

#: first characters that make a spreadsheet treat a text cell as a formula (OWASP list)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: options every xlsxwriter workbook of dhkit is created with
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run this text as a formula.

    >>> is_formula_like("@SUM(A1)"), is_formula_like("-5"), is_formula_like("Sí")
    (True, False, False)
    """
    return bool(text) and text.startswith(FORMULA_START) and not _NUMBER.match(text)


def csv_cell(value: Any) -> Any:
    r"""A CSV cell: formula-like text prefixed with ``'``; anything else unchanged.

    Carriage returns inside text become line feeds: CSV writers quote a field that holds a
    line feed but (with ``\n`` line endings, pandas' default) not one that holds only a
    ``\r``, and a reader would start a new row at it, with the rest of the text as a fresh
    cell that may begin with ``=``.

    >>> csv_cell("a\r=1+1")
    'a\n=1+1'
    """
    if not isinstance(value, str):
        return value
    risky = is_formula_like(value) or value.startswith("\n")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if risky else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """:func:`csv_cell` on every cell of a row (for ``csv.writer``)."""
    return [csv_cell(v) for v in values]


def csv_frame(frame):
    """A copy of a pandas DataFrame whose text cells (and column names) are CSV-safe.

    >>> import pandas as pd
    >>> csv_frame(pd.DataFrame({"q": ["=1+1", "ok"], "x": [-1, 2]}))["q"].tolist()
    ["'=1+1", 'ok']
    """
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if is_object_dtype(s.dtype) or is_string_dtype(s.dtype):
            out[col] = s.map(csv_cell)
    out.columns = [csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    if is_object_dtype(out.index.dtype) or is_string_dtype(out.index.dtype):
        out.index = out.index.map(csv_cell)
    return out


def workbook(path: str | Path, **options: Any):
    """An ``xlsxwriter.Workbook`` that never turns text into formulas, URLs or numbers."""
    import xlsxwriter

    target = str(path) if isinstance(path, (str, Path)) else path   # a path or a BytesIO
    return xlsxwriter.Workbook(target, {**options, **WORKBOOK_OPTIONS})


def write_cell(ws, row: int, col: int, value: Any, fmt=None) -> None:
    """Write one cell by type: text always as a string cell (``write_string``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)) or _is_numpy_number(value):
        ws.write_number(row, col, float(value) if not isinstance(value, int) else value, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write(row, col, value, fmt) if not _is_texty(value) else \
            ws.write_string(row, col, str(value), fmt)


def write_row(ws, row: int, col: int, values: Iterable[Any], fmt=None) -> None:
    """:func:`write_cell` along a row (the safe ``write_row``)."""
    for j, v in enumerate(values):
        write_cell(ws, row, col + j, v, fmt)


def defuse_openpyxl(sheet) -> int:
    """Turn every formula cell an openpyxl writer made from text back into a text cell.

    openpyxl marks any string starting with ``=`` as a formula; dhkit never writes formulas
    through openpyxl, so each such cell holds text. Returns how many cells were changed.
    """
    n = 0
    for cells in sheet.iter_rows():
        for c in cells:
            if c.data_type == "f":
                c.data_type = "s"
                n += 1
    return n


def _is_numpy_number(value: Any) -> bool:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return False
    return isinstance(value, (np.integer, np.floating)) and not isinstance(value, np.bool_)


def _is_texty(value: Any) -> bool:
    import datetime as _dt

    return not isinstance(value, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta))
