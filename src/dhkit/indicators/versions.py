"""Estimates that rest on only some versions of the form.

A study that collected with several versions of its form (``dhkit instrument add``) stores
every version's rows in one table; a question a version did not ask is NULL on that
version's rows, recorded in ``study.form_versions (table, variable, version, asked)`` at
import. Those rows fall out of every base that needs the question, as missing answers do,
so the estimate describes the respondents of the versions that asked it, not everyone.
This module tells which planned indicators are in that case and says so in the tidy
estimates (flag code :data:`VERSIONS`), so the report can print the note under the figure.

An indicator's variables are the names its numerator (or ``variable``) and its base's
condition refer to, followed through the catalogue's derived variables. A version counts
when it holds rows of the indicator's unit (children and caregivers: the respondents in
``main``; instances: the rows of ``instance``); rows whose version is unknown are left out
of the count.

Why a small identifier scan rather than a SQL parser: catalogue expressions are short
DuckDB SQL over the instrument's variables; every word that names a variable of the form
(or a derived variable) is taken as a reference, after string literals are removed. A
false positive can only add a note, never change a figure.

>>> asked = AskedTable.from_rows([("main", "q_new", "1", False), ("main", "q_new", "2", True)])
>>> asked.not_asked("q_new"), asked.not_asked("q_old")
(('1',), ())
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from dhkit.indicators.catalogue import Catalogue, Plan

#: flag code (column ``flag_versions``): some version(s) holding rows did not ask a
#: variable of the estimate, so it rests on the respondents of the other versions only
VERSIONS = "versions"
#: the columns :func:`apply_version_flags` adds to the tidy estimates
COLUMNS = ("flag_versions", "versions_asked", "versions_not_asked", "n_not_asked")
VERSION_COLUMN = "_form_version"

_STRING = re.compile(r"'(?:[^']|'')*'")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class AskedTable:
    """``study.form_versions``: which version asked which variable."""

    versions: tuple[str, ...]
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)  # variable -> not asked

    @classmethod
    def from_rows(cls, rows) -> "AskedTable":
        """From ``(table, variable, version, asked)`` rows."""
        versions: dict[str, None] = {}
        missing: dict[str, list[str]] = {}
        for _table, variable, version, asked in rows:
            versions.setdefault(str(version))
            if not asked:
                missing.setdefault(str(variable), []).append(str(version))
        return cls(tuple(versions), {k: tuple(v) for k, v in missing.items()})

    def not_asked(self, variable: str) -> tuple[str, ...]:
        """The versions whose form did not ask ``variable`` (empty: every version did)."""
        return self.missing.get(variable, ())

    @property
    def variables(self) -> set[str]:
        return set(self.missing)


@dataclass(frozen=True)
class Coverage:
    """The versions an indicator's estimate rests on."""

    indicator: str
    unit: str
    asked_in: tuple[str, ...]                  # versions holding rows that asked everything
    not_asked: tuple[tuple[str, int], ...]     # (version, rows of the unit) not asked
    variables: tuple[str, ...]                 # the variables some of them did not ask

    @property
    def n_not_asked(self) -> int:
        return sum(n for _, n in self.not_asked)

    @property
    def partial(self) -> bool:
        return self.n_not_asked > 0


def load_asked(store) -> AskedTable | None:
    """``study.form_versions`` of a study store, or None when the study holds one form."""
    if not store.has_table("form_versions"):
        return None
    rows = store.con.execute('SELECT "table", variable, version, asked '
                             "FROM study.form_versions").fetchall()
    return AskedTable.from_rows(rows) if rows else None


def _words(sql: str | None) -> set[str]:
    return set(_WORD.findall(_STRING.sub("", sql or "")))


def indicator_variables(catalogue: Catalogue, indicator_id: str) -> set[str]:
    """Every name the indicator's expression and base refer to, derived variables followed
    to the instrument variables they are made of (the derived names are kept too)."""
    ind = catalogue.indicators[indicator_id]
    base = catalogue.bases[ind.base]
    derived = {d.name: d for d in catalogue.derived}
    todo = _words(ind.numerator) | _words(base.where) | ({ind.variable} if ind.variable else set())
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        d = derived.get(name)
        if d is not None:
            todo |= _words(d.sql) | _words(d.from_instances)
    return seen


def version_counts(frame: pd.DataFrame | None) -> dict[str, int]:
    """Rows per known form version of a table (``_form_version``)."""
    if frame is None or VERSION_COLUMN not in frame.columns:
        return {}
    counts = frame[VERSION_COLUMN].dropna().astype(str).value_counts()
    return {str(v): int(n) for v, n in counts.items() if n}


def coverage(catalogue: Catalogue, plan: Plan, asked: AskedTable,
             counts: dict[str, dict[str, int]]) -> dict[str, Coverage]:
    """Coverage of every planned indicator resting on only some versions; ``counts`` is
    unit -> version -> rows (see :func:`version_counts`)."""
    out = {}
    known = asked.variables
    for ind_id in plan.indicator_ids():
        unit = catalogue.bases[catalogue.indicators[ind_id].base].unit
        held = counts.get(unit, {})
        used = sorted(indicator_variables(catalogue, ind_id) & known)
        gaps = {v for name in used for v in asked.not_asked(name)}
        lacking = tuple((v, held[v]) for v in asked.versions if v in gaps and held.get(v))
        if not lacking:
            continue
        asked_in = tuple(v for v in asked.versions if held.get(v) and v not in gaps)
        missing = tuple(n for n in used if set(asked.not_asked(n)) & {v for v, _ in lacking})
        out[ind_id] = Coverage(ind_id, unit, asked_in, lacking, missing)
    return out


def apply_version_flags(table: pd.DataFrame, cover: dict[str, Coverage]) -> pd.DataFrame:
    """Add :data:`COLUMNS` to tidy estimates: ``flag_versions`` is :data:`VERSIONS` on every
    row of an indicator in ``cover``, with the versions that asked (``versions_asked``,
    ``;``-separated), those that did not (``versions_not_asked``) and their rows
    (``n_not_asked``); empty and 0 elsewhere."""
    out = table.copy()
    ind = out["indicator"].astype(str)
    pick = {k: c for k, c in cover.items() if c.partial}
    out["flag_versions"] = ind.map(lambda i: VERSIONS if i in pick else "")
    out["versions_asked"] = ind.map(lambda i: ";".join(pick[i].asked_in) if i in pick else "")
    out["versions_not_asked"] = ind.map(
        lambda i: ";".join(v for v, _ in pick[i].not_asked) if i in pick else "")
    out["n_not_asked"] = ind.map(lambda i: pick[i].n_not_asked if i in pick else 0).astype(int)
    return out


def flag_estimates(table: pd.DataFrame, catalogue: Catalogue, plan: Plan,
                   asked: AskedTable | None, main: pd.DataFrame,
                   instance: pd.DataFrame | None) -> pd.DataFrame:
    """The tidy estimates with the version columns when the study holds several versions
    (``asked``); unchanged otherwise."""
    if asked is None:
        return table
    counts = {u: version_counts(instance if catalogue.units[u].table == "instance" else main)
              for u in catalogue.units}
    return apply_version_flags(table, coverage(catalogue, plan, asked, counts))
