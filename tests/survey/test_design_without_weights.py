"""`Design` without a weight column derives the weights from the FPC, as R `svydesign`
does when `weights`/`probs` are omitted (R's two-stage example:
`svydesign(ids=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)`, fixtures from core.R)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dhkit.survey import Design

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"
REF = pd.read_csv(FIX / "estimates.csv", keep_default_na=False)


def _ref(case: str, indicator: str):
    return REF[(REF.case == case) & (REF.indicator == indicator) & (REF.domain == "")].iloc[0]


def test_two_stage_design_without_weights_equals_r_svydesign_with_fpc_only():
    data = pd.read_csv(FIX / "apiclus2.csv")
    d = Design(data, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    mean = d.mean("api00").table.iloc[0]
    total = d.total("enroll").table.iloc[0]
    want_mean, want_total = _ref("clus2_mean", "api00"), _ref("clus2_total", "enroll")
    assert mean.estimate == pytest.approx(want_mean.estimate, rel=1e-10)
    assert mean.se == pytest.approx(want_mean.se, rel=1e-8)
    assert total.estimate == pytest.approx(want_total.estimate, rel=1e-10)
    assert total.se == pytest.approx(want_total.se, rel=1e-8)


def test_weights_from_fpc_are_population_over_sample_clusters_per_stage():
    data = pd.read_csv(FIX / "apiclus2.csv")
    d = Design(data, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert d.w == pytest.approx(data["pw"].to_numpy(), rel=1e-6)   # R's pw column, rounded by R


def test_design_without_weights_or_fpc_warns_and_uses_equal_weights():
    data = pd.DataFrame({"c": [1, 1, 2, 2], "y": [1.0, 0.0, 1.0, 1.0]})
    with pytest.warns(UserWarning, match="equal probability"):
        d = Design(data, psu="c")
    assert d.mean("y").table.estimate[0] == pytest.approx(0.75)
