"""The survey instrument: the shipped household-survey XLSForm and any team's own form.

Public API (other stages call these):

- :func:`shipped_form_path` — the XLSForm dhkit ships (``dhkit init`` copies it);
- :func:`dhkit.instrument.xlsform.read_xlsform` — an XLSForm into a typed
  :class:`~dhkit.instrument.codebook.Codebook` (raises ``ValidationError`` INS-004 listing
  every problem); :func:`~dhkit.instrument.xlsform.inspect_xlsform` (never raises for
  problems) and :func:`~dhkit.instrument.xlsform.check_with_pyxform`;
- :mod:`dhkit.instrument.expressions` — XLSForm expressions parsed and translated to DuckDB SQL;
- :mod:`dhkit.instrument.dictionary` — the data dictionary (CSV and HTML).

>>> shipped_form_path().name
'household_survey.xlsx'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["shipped_form_path", "shipped_codebook", "read_xlsform"]


def shipped_form_path() -> Path:
    """Path of the household-survey XLSForm shipped with dhkit (English and Spanish)."""
    return Path(__file__).resolve().parent / "forms" / "household_survey.xlsx"


@lru_cache(maxsize=1)
def shipped_codebook():
    """The shipped form's :class:`~dhkit.instrument.codebook.Codebook` (read once, cached).

    >>> shipped_codebook().question("any_tfcsea").base_type
    'calculate'
    """
    from dhkit.instrument.xlsform import read_xlsform as _read

    return _read(shipped_form_path())


def read_xlsform(path):
    """Shortcut for :func:`dhkit.instrument.xlsform.read_xlsform`."""
    from dhkit.instrument.xlsform import read_xlsform as _read

    return _read(path)
