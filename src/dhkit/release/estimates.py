"""Information loss: the report's headline estimates recomputed on the release.

Every headline proportion of the indicator catalogue whose base and numerator can be
evaluated on the released frame is estimated twice with the study's design engine
(:mod:`dhkit.survey`, equal to R ``survey``):

- **original**: the report's own figure — the full design re-calibrated from the weights
  entering calibration, with R's calibration residuals in the variance (exactly what
  ``dhkit report`` does, :func:`dhkit.weighting.calibrate.calibrate_design`), Korn–Graubard
  intervals as the report;
- **release**: on the released file with what it ships — replicate weights (``repw_*``) when
  it has them, else masked PSU/stratum codes (licensed), else the weights alone (public,
  whose SEs ignore clustering).
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


CI = "korn-graubard"          # the report's interval method (dhkit.report.build.analyse)
COLUMNS = ["indicator", "estimate", "se", "ci_low", "ci_high"]


def _table(design, cols) -> pd.DataFrame:
    t = design.estimate(means=cols, ci=CI).table
    return t[COLUMNS].reset_index(drop=True)


def original_design(data: pd.DataFrame, design, calibration=None):
    """The report's design of the original respondents: re-calibrated from the weights
    entering calibration (R's calibration residuals in the variance) when the stored final
    weights are that calibration's, else the final weights with linearisation."""
    import numpy as np

    plain = Design(data, weights=design.weights, **design.options())
    if calibration is None:
        return plain
    from dhkit.weighting.calibrate import calibrate_design

    before = Design(data, weights=calibration.before, **design.options())
    cal = calibrate_design(before, calibration.margins, calibration.method,
                           trim=calibration.trim, **calibration.options)
    return cal if np.allclose(cal.w, plain.w, rtol=1e-8, atol=0) else plain


def compare_headlines(original: pd.DataFrame, design, released: pd.DataFrame,
                      weights: str, strata: str | None, psu: str | None,
                      calibration=None, replicates=None) -> pd.DataFrame:
    """One row per headline indicator: the report's estimate, SE and CI, the release's,
    and whether the released estimate lies within the original CI."""
    heads = headline_indicators()
    data, cols = _columns(original, heads)
    if not cols:
        return pd.DataFrame(columns=["indicator", "label"])
    a = _table(original_design(data, design, calibration), cols)
    rel, rcols = _columns(released, heads)
    if replicates is not None:
        d = replicates.design(rel, weights)
        how = f"replicate weights ({replicates.type}, {replicates.weights.shape[1]})"
    else:
        lonely = design.lonely_psu if design.lonely_psu != "fail" else "adjust"
        d = Design(rel, weights=weights, strata=strata, psu=psu, lonely_psu=lonely)
        how = "masked PSU and stratum codes" if psu else "weights only (no design ids)"
    b = _table(d, rcols)
    m = a.merge(b, on="indicator", how="inner", suffixes=("_original", "_release"))
    m["release_variance"] = how
    labels = {h.id: h.label for h in heads}
    m.insert(1, "label", m["indicator"].map(labels))
    m["within_original_ci"] = ((m["estimate_release"] >= m["ci_low_original"])
                               & (m["estimate_release"] <= m["ci_high_original"]))
    return m
