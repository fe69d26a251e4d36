"""Design-based regression equals R svyglm / regTermTest / svypredmeans / svycontrast to 1e-8
(fixtures from tests/reference/r/regression.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.survey import Design, as_replicate

ROOT = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
CORE, FX = ROOT / "core", ROOT / "regression"
GLM = pd.read_csv(FX / "glm.csv")
RTOL = 1e-8


def _api(name: str) -> pd.DataFrame:
    df = pd.read_csv(CORE / f"{name}.csv")
    return df.assign(yes=(df["sch.wide"] == "Yes").astype(float))


def _designs():
    strat = Design(_api("apistrat"), weights="pw", strata="stype", fpc="fpc")
    clus1 = Design(_api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    clus2 = Design(_api("apiclus2"), weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    nh = Design(pd.read_csv(CORE / "nhanes.csv"), weights="WTMEC2YR", strata="SDMVSTRA",
                psu="SDMVPSU", nest=True)
    syn = pd.read_csv(CORE / "synth.csv").query("region != 6").reset_index(drop=True)
    dsyn = Design(syn, weights="w", strata="region", psu="psu")
    return {"strat": strat, "clus1": clus1, "clus2": clus2, "nh": nh, "syn": dsyn}


D = _designs()


def _raked():
    from dhkit.weighting.calibrate import calibrate_design
    from dhkit.weighting.margins import Margins

    m = Margins.from_dict({"stype": {"E": 4421, "H": 755, "M": 1018},
                           "sch.wide": {"No": 1084, "Yes": 5110}})
    return calibrate_design(D["clus1"], m, "raking")


CASES = {
    "strat_gauss": (lambda: D["strat"], "api00 ~ ell + meals + mobility", "gaussian", None),
    "clus1_gauss_factor": (lambda: D["clus1"], "api00 ~ ell + C(stype)", "gaussian", None),
    "clus2_logit": (lambda: D["clus2"], "yes ~ ell + meals + C(stype)", "binomial", None),
    "strat_pois": (lambda: D["strat"], "enroll ~ ell + meals", "poisson", None),
    "nhanes_logit": (lambda: D["nh"], "HI_CHOL ~ C(race) + agecat + RIAGENDR", "quasibinomial", None),
    "nhanes_pois": (lambda: D["nh"], "HI_CHOL ~ factor(race) + agecat + RIAGENDR", "quasipoisson", None),
    "syn_logit_domain": (lambda: D["syn"], "y1 ~ sex + C(area) + age", "binomial", "age >= 14"),
    "rep_clus1_gauss": (lambda: as_replicate(D["clus1"], "JK1"), "api00 ~ ell + meals", "gaussian", None),
    "rep_strat_logit": (lambda: as_replicate(D["strat"], "JKn"), "yes ~ ell + meals + C(stype)", "binomial", None),
    "raked_clus1_logit": (_raked, "yes ~ ell + meals", "binomial", None),
}
_FITS: dict = {}


def fit(case):
    if case not in _FITS:
        make, formula, family, subset = CASES[case]
        _FITS[case] = make().glm(formula, family, subset=subset)
    return _FITS[case]


@pytest.mark.parametrize("case", sorted(CASES))
def test_glm_equals_svyglm(case):
    ref = GLM[GLM.case == case].sort_values("i")
    t = fit(case).table
    assert len(t) == len(ref)
    for col in ("estimate", "se", "t", "ci_low", "ci_high"):
        np.testing.assert_allclose(t[col], ref[col], rtol=RTOL, err_msg=col)
    np.testing.assert_allclose(t.p, ref.p, rtol=1e-6, atol=1e-300)
    assert (t.df.to_numpy() == ref.df.to_numpy()).all()
    if not case.startswith(("rep_", "nhanes")):  # display only; see the module docstring
        assert fit(case).dispersion == pytest.approx(ref.dispersion.iloc[0], rel=RTOL)


REG = pd.read_csv(FX / "regterm.csv")


@pytest.mark.parametrize("row", list(REG.itertuples()), ids=lambda r: f"{r.case}-{r.terms}-{r.test}")
def test_wald_test_equals_regtermtest(row):
    terms = [t.replace("factor(", "C(") for t in row.terms.split("+")]
    w = fit(row.case).wald(terms, test=row.test)
    assert w.statistic == pytest.approx(row.statistic, rel=RTOL)
    assert w.df == row.df and w.ddf == row.ddf
    assert w.p_value == pytest.approx(row.p, rel=1e-7)


PM = pd.read_csv(FX / "predmeans.csv")
PM_CASES = {
    "nhanes_race": ("nh", "HI_CHOL ~ agecat + RIAGENDR + C(race)", "binomial", "race"),
    "strat_stype": ("strat", "yes ~ ell + meals + C(stype)", "binomial", "stype"),
    "nhanes_race_pois": ("nh", "HI_CHOL ~ agecat + C(race)", "poisson", "race"),
}


@pytest.mark.parametrize("case", sorted(PM_CASES))
def test_predictive_margins_equal_svypredmeans(case):
    key, formula, family, group = PM_CASES[case]
    m = D[key].glm(formula, family).margins(group)
    ref = PM[PM.case == case].assign(level=lambda r: r.level.astype(str)).set_index("level")
    ref = ref.loc[m.level]
    np.testing.assert_allclose(m.estimate, ref["mean"], rtol=RTOL)
    np.testing.assert_allclose(m.se, ref.se, rtol=RTOL)


def test_odds_and_prevalence_ratios_are_exponentiated_coefficients():
    lo = fit("nhanes_logit")
    e = lo.exp()
    np.testing.assert_allclose(e.estimate, np.exp(lo.coef), rtol=1e-14)
    np.testing.assert_allclose(e.ci_low, np.exp(lo.table.ci_low), rtol=1e-14)
    assert (e.scale == "odds ratio").all() and (fit("nhanes_pois").exp().scale == "ratio").all()


RATIO = pd.read_csv(FX / "ratio.csv", dtype={"num": str, "den": str})
RATIO_CASES = {"nhanes_sex": (lambda: D["nh"], "HI_CHOL", "RIAGENDR"),
               "syn_area": (lambda: D["syn"], "y1", "area"),
               "strat_stype": (lambda: D["strat"], "yes", "stype"),
               "rep_strat_stype": (lambda: as_replicate(D["strat"], "JKn"), "yes", "stype")}


@pytest.mark.parametrize("case", sorted(RATIO_CASES))
def test_ratio_of_two_domain_proportions_equals_svycontrast(case):
    ref = RATIO[RATIO.case == case].iloc[0]
    make, y, group = RATIO_CASES[case]
    r = make().prevalence_ratio(y, group, (ref.num, ref.den), df=float("inf"))
    assert r.log_ratio == pytest.approx(ref.log_ratio, rel=RTOL)
    assert r.se_log == pytest.approx(ref.se_log, rel=RTOL)
    assert (r.ci_low, r.ci_high) == pytest.approx((ref.ci_low_inf, ref.ci_high_inf), rel=RTOL)
    assert len(r.table) == 1 and r.table.estimate.iloc[0] == pytest.approx(ref.ratio, rel=RTOL)


def test_ratio_interval_uses_the_design_degrees_of_freedom_by_default():
    r = D["syn"].prevalence_ratio("y1", "area", ("urban", "rural"))
    assert r.df == D["syn"].degf
    wide = D["syn"].prevalence_ratio("y1", "area", ("urban", "rural"), df=float("inf"))
    assert r.ci_high > wide.ci_high
