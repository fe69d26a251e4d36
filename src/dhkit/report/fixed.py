"""Cells that hold by definition: a share that is 100 % or 0 % because the group (the
domain level) or the base is itself made from the indicator's own answer.

Examples: any TF-CSEA among children not subjected to TF-CSEA (0 %), in-person violence
among children subjected to it (100 %), and — through the instrument's calculation
``any_tfcsea = if(ab_unwanted_images = 1 or …, 1, 0)`` — each form of TF-CSEA among
children not subjected to any (0 %). Such a cell is not an estimate: it has no sampling
variation, its confidence interval means nothing, and a test against it is no evidence.

The household-survey flag convention (DESIGN.md: ``flag`` tells a reader what to know
before using a figure) is extended by one value, :data:`FIXED`, so the tidy estimates,
the workbook and the report say the same thing: the report and workbook show "—" with a
note, ``estimates.csv`` keeps the value (0 or 1) with ``flag = fixed`` and a zero-width
interval. The small-base rule comes first: a cell on a base under ``suppress_below``
stays ``suppressed`` (``*``) everywhere.

What a variable is made from is read from the data's own definitions, transitively: the
instrument's ``calculate`` fields (``${name}`` references) and the catalogue's derived
variables (names in their SQL). The rule is therefore structural, not a guess from the
data; but it is coarse: a cell is fixed when its group or base is made from the
indicator's variables **and** the share is exactly 0 or 1 with no sampling variance. (An
"or" of items fixes every item at 0 among the 0 level; the 1 level stays an estimate,
and is one, since its share is not 0 or 1 unless every child gave the same answer.)

>>> made_from({"any": {"a", "b"}, "victim_told": {"any", "told"}})["victim_told"]
frozenset({'a', 'any', 'b', 'told'})
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dhkit.disclosure import SUPPRESSED

FIXED = "fixed"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REF = re.compile(r"\$\{([^}]+)\}")


def made_from(direct: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Every variable's sources, followed through (a cycle stops where it closes)."""
    out: dict[str, frozenset[str]] = {}

    def walk(name: str, seen: frozenset[str]) -> frozenset[str]:
        if name in out:
            return out[name]
        acc: set[str] = set()
        for src in direct.get(name, ()):
            if src in seen or src == name:
                continue
            acc.add(src)
            acc |= walk(src, seen | {src})
        return frozenset(acc)

    for name in direct:
        out[name] = walk(name, frozenset({name}))
    return out


def direct_sources(catalogue, codebook=None) -> dict[str, set[str]]:
    """Name → the names its definition uses: the instrument's calculations (``${x}``) and
    the catalogue's derived variables (identifiers of their SQL that name a variable)."""
    direct: dict[str, set[str]] = {}
    questions = getattr(codebook, "questions", {}) if codebook is not None else {}
    for name, q in questions.items():
        calc = getattr(q, "calculation", None)
        if calc:
            direct[name] = set(_REF.findall(calc))
    known = set(questions) | {d.name for d in catalogue.derived} | set(direct)
    for d in catalogue.derived:
        sql = " ".join(x for x in (d.sql, d.from_instances) if x)
        direct[d.name] = {n for n in _NAME.findall(sql) if n in known and n != d.name}
        known.add(d.name)
    for name in list(direct):
        direct[name] = {n for n in direct[name] if n in known}
    return direct


def _names(text: str | None) -> set[str]:
    return set(_NAME.findall(text or ""))


def defined_by_answer(catalogue, sources: dict[str, frozenset[str]], ind_id: str,
                      dom_id: str) -> bool:
    """The domain (or, with no domain, nothing) or the indicator's base is made from the
    indicator's own variables."""
    ind = catalogue.indicators[ind_id]
    own = _names(ind.numerator) | _names(ind.variable)
    own = {n for n in own if n.lower() not in _SQL_WORDS}
    if not own:
        return False
    made: set[str] = set()
    if dom_id and dom_id in catalogue.domains:
        var = catalogue.domains[dom_id].variable
        made |= {var} | set(sources.get(var, ()))
    # a base made from the answer fixes a yes/no share (told no one, among those who told
    # no one), not the answers of a multiple-answer question, and not by requiring only
    # that the question was answered ("x IS NOT NULL")
    base = catalogue.bases.get(ind.base)
    where = _ANSWERED.sub(" ", getattr(base, "where", "") or "")
    for name in (_names(where) if not ind.levels else ()):
        if name.lower() not in _SQL_WORDS:
            made |= {name} | set(sources.get(name, ()))
    return bool(own & made)


#: a condition that only asks for an answer: "x IS NOT NULL", "x <> ''"
_ANSWERED = re.compile(r"\b[A-Za-z_]\w*\s+IS\s+NOT\s+NULL\b|\b[A-Za-z_]\w*\s*<>\s*''",
                       re.I)


#: SQL words that are not variable names
_SQL_WORDS = {"case", "when", "then", "else", "end", "and", "or", "not", "in", "is", "null",
              "true", "false", "coalesce", "cast", "as", "varchar", "string_split",
              "list_has_any", "list_contains", "between", "like"}


def flag_fixed(table: pd.DataFrame, catalogue, sources) -> pd.DataFrame:
    """``flag = fixed`` on every cell that holds by definition (exactly 0 or 1, no
    sampling variance, its group or base made from the indicator's answer); its interval
    is the value itself and its design effect is left empty."""
    out = table.copy()
    est = out["estimate"].astype(float).to_numpy()
    se = out["se"].astype(float).to_numpy()
    # the small-base rule comes first: a suppressed cell stays suppressed (DESIGN.md's flag
    # contract), so every output hides it alike
    shown = out["flag"].astype(str).to_numpy() != SUPPRESSED
    exact = np.isin(est, (0.0, 1.0)) & (se == 0.0) & shown
    cache: dict[tuple[str, str], bool] = {}
    hit = np.zeros(len(out), dtype=bool)
    for k in np.flatnonzero(exact):
        key = (str(out["indicator"].iat[k]), str(out["domain"].iat[k] or ""))
        if key not in cache:
            cache[key] = key[0] in catalogue.indicators and \
                defined_by_answer(catalogue, sources, *key)
        hit[k] = cache[key]
    if hit.any():
        out["flag"] = out["flag"].astype(object)
        out.loc[hit, "flag"] = FIXED
        out.loc[hit, "ci_low"] = out.loc[hit, "estimate"]
        out.loc[hit, "ci_high"] = out.loc[hit, "estimate"]
        for col in ("deff", "cv"):
            if col in out.columns:
                out.loc[hit, col] = np.nan
    return out
