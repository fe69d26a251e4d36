"""Information loss: the report's headline estimates recomputed on the release.

Every headline proportion of the indicator catalogue whose base and numerator can be
evaluated on the released frame is estimated twice with the study's design engine
(:mod:`dhkit.survey`, equal to R ``survey``): on the original respondents with the full
design, and on the release with the released design (masked codes for the licensed tier;
weights only for the public tier, whose SEs ignore clustering).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dhkit.indicators.catalogue import load_catalogue
from dhkit.survey import Design


@dataclass(frozen=True)
class Headline:
    id: str
    label: str
    base: str
    sql: str


def headline_indicators() -> list[Headline]:
    """Headline child-level proportions of the shipped catalogue."""
    cat = load_catalogue()
    out = []
    for ind in cat.indicators.values():
        base = cat.bases[ind.base]
        if ind.headline and ind.type == "proportion" and base.unit == "child" and ind.numerator:
            label = ind.label.get("en", ind.id) if isinstance(ind.label, dict) else str(ind.label)
            base_label = (base.label.get("en", ind.base) if isinstance(base.label, dict)
                          else ind.base)
            sql = f"CASE WHEN ({base.where}) THEN CAST(({ind.numerator}) AS DOUBLE) END"
            out.append(Headline(ind.id, label, base_label, sql))
    return out


def _columns(frame: pd.DataFrame, heads: list[Headline]) -> tuple[pd.DataFrame, list[str]]:
    con = duckdb.connect()
    con.register("t", frame)
    cols, out = [], frame.copy()
    for h in heads:
        try:
            out[h.id] = con.execute(f"SELECT {h.sql} FROM t").df().iloc[:, 0].to_numpy()
            cols.append(h.id)
        except duckdb.Error:
            continue
    con.close()
    return out, cols


def _estimate(frame: pd.DataFrame, heads, weights, strata, psu, lonely) -> pd.DataFrame:
    data, cols = _columns(frame, heads)
    if not cols:
        return pd.DataFrame(columns=["indicator", "estimate", "se", "ci_low", "ci_high"])
    d = Design(data, weights=weights, strata=strata, psu=psu, lonely_psu=lonely)
    t = d.estimate(means=cols).table
    return t[["indicator", "estimate", "se", "ci_low", "ci_high"]].reset_index(drop=True)


def compare_headlines(original: pd.DataFrame, design, released: pd.DataFrame,
                      weights: str, strata: str | None, psu: str | None) -> pd.DataFrame:
    """One row per headline indicator: original and released estimate, SE and CI, and
    whether the released estimate lies within the original CI."""
    heads = headline_indicators()
    lonely = design.lonely_psu if design.lonely_psu != "fail" else "adjust"
    a = _estimate(original, heads, design.weights, design.strata, design.psu, lonely)
    b = _estimate(released, heads, weights, strata, psu, lonely)
    m = a.merge(b, on="indicator", how="inner", suffixes=("_original", "_release"))
    labels = {h.id: h.label for h in heads}
    m.insert(1, "label", m["indicator"].map(labels))
    m["within_original_ci"] = ((m["estimate_release"] >= m["ci_low_original"])
                               & (m["estimate_release"] <= m["ci_high_original"]))
    return m
