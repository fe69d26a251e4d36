"""PPS designs (PSUs drawn with probability proportional to size, without replacement) equal
R ``svydesign(fpc=~p, pps="brewer" | HR() | "overton", variance="HT" | "YG")`` with
``svymean``, ``svytotal``, ``svyratio`` and ``svyby`` on R's own data (fixtures from
tests/reference/r/pps.R, R survey 4.1.1): election_pps (R's documented example), apistrat
with PPS probabilities from apipop, apiclus2 with two PPS stages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.survey import Design

REF = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "pps"
R = pd.read_csv(REF / "estimates.csv", keep_default_na=False, na_values=["NA"])
META = pd.read_csv(REF / "designs.csv").set_index("case")
EXTRA = pd.read_csv(REF / "contrast_svyvar.csv", keep_default_na=False)


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{name}.csv")


def _clus2_weighted() -> Design:
    df = data("apiclus2_pps")
    df["w"] = 1 / (df.p1 * df.p2)
    return Design(df, weights="w", psu="dnum", fpc="p1", pps="brewer")


DESIGNS = {
    "election_brewer": lambda: Design(data("election_pps"), fpc="p", pps="brewer"),
    "election_brewer_w": lambda: Design(data("election_pps"), weights="wt", fpc="p", pps="brewer"),
    "election_hr": lambda: Design(data("election_pps"), fpc="p", pps="hr"),
    "election_hr_yg": lambda: Design(data("election_pps"), fpc="p", pps="hr", variance="YG"),
    "election_overton": lambda: Design(data("election_pps"), fpc="p", pps="overton"),
    "election_overton_yg": lambda: Design(data("election_pps"), fpc="p", pps="overton",
                                          variance="YG"),
    "strat_brewer": lambda: Design(data("apistrat_pps"), strata="stratum", fpc="p", pps="brewer"),
    "strat_hr": lambda: Design(data("apistrat_pps"), strata="stratum", fpc="p", pps="hr"),
    "strat_overton": lambda: Design(data("apistrat_pps"), strata="stratum", fpc="p", pps="overton"),
    "strat_brewer_adjust": lambda: Design(data("apistrat_pps_lonely"), strata="stratum", fpc="p",
                                          pps="brewer", lonely_psu="adjust"),
    "strat_brewer_average": lambda: Design(data("apistrat_pps_lonely"), strata="stratum", fpc="p",
                                           pps="brewer", lonely_psu="average"),
    "clus2_brewer": lambda: Design(data("apiclus2_pps"), psu=["dnum", "snum"], fpc=["p1", "p2"],
                                   pps="brewer"),
    "clus2_brewer_1": _clus2_weighted,
}
PLANS = {
    "election": dict(means=["Bush", "bush_won"], totals=["votes", "Bush"],
                     ratios=[("Bush", "votes")], domains=["size"]),
    "api": dict(means=["api00", "sch_wide", "awards"], totals=["enroll"],
                ratios=[("api00", "api99")], domains=["stype"]),
}


def _plan(case: str) -> dict:
    return PLANS["election" if case.startswith("election") else "api"]


def _key(kind, indicator, domain, level, category):
    return (kind, indicator, domain, str(level), str(category))


def _ours(case: str) -> pd.DataFrame:
    t = DESIGNS[case]().estimate(**_plan(case), deff=True).table.copy()
    t["kind"] = t.statistic.replace({"proportion": "mean"})
    return t.set_index(["kind", "indicator", "domain", "level", "category"])


@pytest.mark.parametrize("case", list(DESIGNS))
def test_pps_estimates_and_standard_errors_equal_r(case):
    got = _ours(case)
    want = R[R.case == case]
    assert len(want) >= 15
    for r in want.itertuples():
        row = got.loc[_key(r.kind, r.indicator, r.domain, r.level, r.category)]
        assert row.estimate == pytest.approx(r.estimate, rel=1e-10), (case, r)
        if np.isnan(r.se) or r.se < 1e-6 * abs(r.estimate):
            # a total of values ∝ π: variance 0 up to rounding (R's NaN: sqrt of -1e-9)
            assert np.isnan(row.se) or row.se < 1e-6 * abs(r.estimate), (case, r)
            continue
        assert row.se == pytest.approx(r.se, rel=1e-8), (case, r)


@pytest.mark.parametrize("case", [c for c in DESIGNS if "brewer" in c])
def test_brewer_design_effects_equal_r(case):
    got = _ours(case)
    want = R[(R.case == case) & R.deff.notna()]
    assert len(want) >= 4
    for r in want.itertuples():
        row = got.loc[_key(r.kind, r.indicator, r.domain, r.level, r.category)]
        assert row.deff == pytest.approx(r.deff, rel=1e-8, abs=1e-12), (case, r)


@pytest.mark.parametrize("case", list(DESIGNS))
def test_pps_weights_and_degrees_of_freedom_equal_r(case):
    d = DESIGNS[case]()
    assert d.degf == META.loc[case, "degf"]
    assert d.w.sum() == pytest.approx(META.loc[case, "sum_weights"], rel=1e-12)


@pytest.mark.parametrize("case", sorted(set(EXTRA[EXTRA.what == "svyvar"].case)))
def test_pps_population_variance_equals_r_svyvar(case):
    r = EXTRA[(EXTRA.case == case) & (EXTRA.what == "svyvar")].iloc[0]
    got = DESIGNS[case]().var(r.indicator).table.iloc[0]
    assert got.estimate == pytest.approx(r.estimate, rel=1e-10)
    assert got.se == pytest.approx(r.se, rel=1e-8)


@pytest.mark.parametrize("case", sorted(set(EXTRA[EXTRA.what == "contrast"].case)))
def test_pps_domain_difference_uses_the_joint_covariance_as_r(case):
    r = EXTRA[(EXTRA.case == case) & (EXTRA.what == "contrast")].iloc[0]
    d = DESIGNS[case]()
    e = d.mean(r.indicator, by=r.domain, covmat=True)
    c = d.contrast(e, {f"{r.domain}={r.second}": 1, f"{r.domain}={r.first}": -1}).table.iloc[0]
    assert c.estimate == pytest.approx(r.estimate, rel=1e-10)
    assert c.se == pytest.approx(r.se, rel=1e-8)   # R: svyglm(y ~ factor(domain)) coefficient


@pytest.mark.parametrize("case", sorted(set(EXTRA[EXTRA.what == "contrast"].case)))
def test_pps_linear_model_equals_r_svyglm(case):
    r = EXTRA[(EXTRA.case == case) & (EXTRA.what == "contrast")].iloc[0]
    fit = DESIGNS[case]().glm(f"{r.indicator} ~ C({r.domain})", family="gaussian").table
    row = fit.iloc[1]   # the second level against the first (R's factor() coefficient)
    assert row.estimate == pytest.approx(r.estimate, rel=1e-10)
    assert row.se == pytest.approx(r.se, rel=1e-8)


@pytest.mark.parametrize("method", ["hr", "overton"])
@pytest.mark.parametrize("variance", ["HT", "YG"])
def test_joint_inclusion_operator_equals_r_matrix(method, variance):
    from types import SimpleNamespace

    from dhkit.survey.pps import JointOperator

    pr = data("joint_probabilities")
    want = pd.read_csv(REF / f"joint_{method}.csv").to_numpy()
    if variance == "YG":   # R ygvar.matrix: x'Dx − Σ (D x²)
        want = want - np.diag(want.sum(axis=0))
    st = SimpleNamespace(prob=pr.p.to_numpy(), stratum=pr.stratum.to_numpy() - 1)
    got = JointOperator(st, method, variance) @ np.eye(len(pr))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)


@pytest.mark.parametrize("case", ["poststrat", "raked"])
def test_calibrated_pps_design_equals_r(case):
    from dhkit.weighting.calibrate import calibrate_design
    from dhkit.weighting.margins import Margins

    stype = {"E": 4421, "H": 755, "M": 1018}
    if case == "poststrat":
        d = calibrate_design(DESIGNS["strat_brewer"](), Margins.from_dict({"stype": stype}),
                             "poststratify")
    else:
        margins = Margins.from_dict({"stype": stype, "awards": {"No": 2236, "Yes": 3958}})
        d = calibrate_design(DESIGNS["clus2_brewer"](), margins, "raking")
    want = pd.read_csv(REF / "calibrated.csv", keep_default_na=False).query("case == @case")
    got = d.mean("api00", by="awards").table.set_index(["domain", "level"])
    for r in want.itertuples():
        row = got.loc[(r.domain, r.level)]
        assert row.estimate == pytest.approx(r.estimate, rel=1e-10), r
        assert row.se == pytest.approx(r.se, rel=1e-8), r
