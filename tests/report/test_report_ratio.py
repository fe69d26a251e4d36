"""The report's prevalence ratio equals R survey (svyby covmat + svycontrast on log)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.report.ratio import prevalence_ratio
from dhkit.survey import Design

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
R = pd.read_csv(FIX / "report" / "prevalence_ratio.csv").set_index("case")
DESIGNS = {
    "apistrat": ("apistrat", dict(weights="pw", strata="stype", fpc="fpc")),
    "apiclus1": ("apiclus1", dict(weights="pw", psu="dnum", fpc="fpc")),
    "apiclus2_withreplacement": ("apiclus2", dict(weights="pw", psu=["dnum", "snum"])),
}


def _design(case: str) -> Design:
    if case == "apiclus1_raked":
        return _raked()
    name, kw = DESIGNS[case]
    df = pd.read_csv(FIX / "core" / f"{name}.csv")
    df["awards01"] = (df["awards"] == "Yes").astype(float)
    return Design(df, **kw)


def _raked():
    """apiclus1 raked to the stype and sch.wide totals of apipop (R ``rake``), as the
    report's child design is raked."""
    from dhkit.weighting.calibrate import calibrate_design
    from dhkit.weighting.margins import Margins

    m = Margins.from_dict({"stype": {"E": 4421, "H": 755, "M": 1018},
                           "sch.wide": {"No": 1084, "Yes": 5110}})
    return calibrate_design(_design("apiclus1"), m, "raking")


@pytest.mark.parametrize("case", sorted([*DESIGNS, "apiclus1_raked"]))
def test_prevalence_ratio_equals_r_svycontrast_on_log(case):
    pr = prevalence_ratio(_design(case), "awards01", "yr.rnd", exposed="Yes", reference="No")
    r = R.loc[case]
    got = [pr.p_exposed, pr.p_reference, pr.ratio, pr.se_log, pr.ci_low, pr.ci_high]
    want = [r.p_exposed, r.p_reference, r.ratio, r.se_log, r.ci_low, r.ci_high]
    np.testing.assert_allclose(got, want, rtol=1e-8)
    assert pr.df == r.df


def test_prevalence_ratio_ignores_rows_outside_the_two_levels():
    df = pd.DataFrame({"w": [1.0] * 9, "c": range(9), "y": [1, 1, 0, 1, 0, 0, 1, 0, 1.0],
                       "g": ["1", "1", "1", "1", "0", "0", "0", "0", None]})
    pr = prevalence_ratio(Design(df, weights="w", psu="c"), "y", "g", exposed="1",
                          reference="0")
    assert (pr.p_exposed, pr.p_reference, pr.n_exposed, pr.n_reference) == (0.75, 0.25, 4, 4)
    assert pr.ratio == pytest.approx(3.0)
