"""A share with no sampling variance — a stratum variable in a stratified design — has SE 0
and design effect 0 as R computes them (R: `svymean(~stype, dstrat, deff=TRUE)` prints SE 0,
deff 0), not a 3.5e-17 residue with a 1e-30 design effect."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dhkit.survey import Design

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"


@pytest.mark.parametrize("ci", ["logit", "mean", "beta", "likelihood", "xlogit"])
def test_share_of_a_stratum_variable_has_exactly_zero_se(ci):
    d = Design(pd.read_csv(FIX / "apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    t = d.mean("stype", ci=ci).table
    e = t[t.category == "E"].iloc[0]
    assert e.estimate == pytest.approx(0.713755237067748, rel=1e-12)   # R svymean(~stype, dstrat)
    assert e.se == 0.0 and e.deff == 0.0 and e.cv == 0.0
    assert e.ci_low == e.ci_high == e.estimate


def test_replicate_design_gives_the_same_zero_se():
    from dhkit.survey import as_replicate

    d = Design(pd.read_csv(FIX / "apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    e = as_replicate(d).mean("stype").table.iloc[0]       # JKn: R as.svrepdesign(dstrat)
    assert e.se == 0.0 and e.ci_low == e.ci_high == e.estimate
