"""dhkit.survey equals R survey 4.1.1 (fixtures from tests/reference/r/core.R) to 1e-8."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.survey import Design

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"
RTOL = 1e-8
# absolute slack only for values R computes as exactly 0 (a proportion of 0 or 1 in a domain)
ATOL = {"df": 0, "deff": 1e-9}
REF = pd.read_csv(FIX / "estimates.csv", keep_default_na=False, na_values=[""])
REF["domain"] = REF["domain"].fillna("")
REF["level"] = REF["level"].fillna("").astype(str)


@cache
def data(name: str) -> pd.DataFrame:
    if name == "synth_ok":
        return data("synth")[lambda d: d.region != 6].reset_index(drop=True)
    if name == "inst_ok":
        return data("instances")[lambda d: d.region != 6].reset_index(drop=True)
    df = pd.read_csv(FIX / f"{name}.csv")
    if name == "apiclus1":
        df["sch_wide_yes"] = (df["sch.wide"] == "Yes").astype(float)
    if name == "nhanes":
        df["female"] = (df.RIAGENDR == 2).astype(float)
    return df


DESIGNS = {
    "clus1": ("apiclus1", dict(weights="pw", psu="dnum", fpc="fpc")),
    "clus1_nofpc": ("apiclus1", dict(weights="pw", psu="dnum")),
    "strat": ("apistrat", dict(weights="pw", strata="stype", fpc="fpc")),
    "strat_nofpc": ("apistrat", dict(weights="pw", strata="stype")),
    "srs": ("apisrs", dict(weights="pw", fpc="fpc")),
    "clus2": ("apiclus2", dict(weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])),
    "clus2_uc": ("apiclus2", dict(weights="pw", psu=["dnum", "snum"])),
    "clus2_frac": ("apiclus2", dict(weights="pw", psu=["dnum", "snum"], fpc=["f1", "f2"])),
    "nhanes": ("nhanes", dict(weights="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU", nest=True)),
    "synth": ("synth_ok", dict(weights="w", strata="region", psu="psu")),
    "synth_fpc": ("synth_ok", dict(weights="w", strata="region", psu="psu", fpc="npsu_pop")),
    "instances": ("inst_ok", dict(weights="w", strata="region", psu="psu")),
    "zero_weights": ("synth_zero_weights", dict(weights="w", strata="region", psu="psu")),
}
for rule in ("remove", "certainty", "adjust", "average"):
    DESIGNS[f"lonely_{rule}"] = ("synth", dict(weights="w", strata="region", psu="psu", lonely_psu=rule))


@cache
def design(key: str) -> Design:
    name, kw = DESIGNS[key]
    return Design(data(name), **kw)


def r_name(row) -> str:
    return row.indicator + row.category if row.category else row.indicator


def compare(ours: pd.DataFrame, ref: pd.DataFrame, cols=("estimate", "se", "ci_low", "ci_high", "deff", "df")):
    ours = ours.assign(rname=[r_name(r) for r in ours.itertuples()])
    n = 0
    for r in ref.itertuples():
        hit = ours[(ours.rname == r.indicator) & (ours.domain == r.domain) & (ours.level == r.level)]
        assert len(hit) == 1, (r.indicator, r.domain, r.level, ours[["rname", "domain", "level"]])
        if hit.n_unweighted.iloc[0] == 0:  # deliberate: R returns 0 (SE 0) for an all-missing domain
            assert hit.flag.iloc[0] == "suppressed" and np.isnan(hit.estimate.iloc[0])
            continue
        for c in cols:
            want = getattr(r, c)
            if pd.isna(want):
                continue
            got = hit[c].iloc[0]
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL.get(c, 1e-13),
                                       err_msg=f"{c} of {r.indicator} {r.domain}={r.level}")
            n += 1
    assert n > 0


def cases(prefix_kind):
    return sorted(c for c in REF.case.unique() if prefix_kind(c))


MEAN_CASES = {
    "clus1_mean": ("clus1", None), "clus1_mean_by_stype": ("clus1", "stype"),
    "clus1_mean_by_stype_both": ("clus1", ["stype", "both"]), "clus1_mean_nofpc": ("clus1_nofpc", None),
    "strat_mean": ("strat", None), "strat_mean_by_awards": ("strat", "awards"),
    "strat_nofpc_mean": ("strat_nofpc", None), "srs_mean": ("srs", None),
    "clus2_mean": ("clus2", None), "clus2_mean_by_stype": ("clus2", "stype"),
    "clus2_uc_mean": ("clus2_uc", None), "clus2_frac_mean": ("clus2_frac", None),
    "nhanes_mean": ("nhanes", None), "nhanes_mean_by_race": ("nhanes", "race"),
    "nhanes_mean_by_race_sex": ("nhanes", ["race", "RIAGENDR"]),
    "synth_mean": ("synth", None), "synth_mean_by_sex": ("synth", "sex"),
    "synth_mean_by_sex_area": ("synth", ["sex", "area"]), "synth_fpc_mean_by_area": ("synth_fpc", "area"),
    "instances_mean": ("instances", None), "instances_mean_by_sex": ("instances", "sex"),
    "synth_mean_90": ("synth", None),
    "clus1_mean_deffrep": ("clus1", None), "clus1_mean_by_stype_deffrep": ("clus1", "stype"),
    "synth_mean_by_sex_deffrep": ("synth", "sex"),
    "zero_weights_mean": ("zero_weights", None), "zero_weights_mean_by_sex": ("zero_weights", "sex"),
}
for rule in ("remove", "certainty", "adjust", "average"):
    MEAN_CASES[f"lonely_{rule}"] = (f"lonely_{rule}", None)
    MEAN_CASES[f"lonely_{rule}_by_area"] = (f"lonely_{rule}", "area")

TOTAL_CASES = {
    "clus1_total": ("clus1", None), "clus1_total_by_stype": ("clus1", "stype"),
    "clus2_total": ("clus2", None), "synth_total": ("synth", None),
    "synth_total_by_area": ("synth", "area"), "clus1_total_deffrep": ("clus1", None),
    "zero_weights_total": ("zero_weights", None),
}
for rule in ("remove", "certainty", "adjust", "average"):
    TOTAL_CASES[f"lonely_{rule}_total"] = (f"lonely_{rule}", None)


def variables(ref: pd.DataFrame, d: Design) -> list[str]:
    """R column names → our variables (factor 'stypeE' → 'stype')."""
    out = []
    for name in ref.indicator.unique():
        var = name if name in d.data.columns else next(
            c for c in sorted(d.data.columns, key=len, reverse=True) if name.startswith(c))
        if var not in out:
            out.append(var)
    return out


@pytest.mark.parametrize("case", sorted(MEAN_CASES))
def test_mean_equals_r(case):
    key, by = MEAN_CASES[case]
    ref = REF[REF.case == case]
    d = design(key)
    level = 0.90 if case.endswith("_90") else 0.95
    deff = "replace" if "deffrep" in case else True
    est = d.mean(variables(ref, d), by=by, level=level, deff=deff).table
    compare(est, ref)


@pytest.mark.parametrize("case", sorted(TOTAL_CASES))
def test_total_equals_r(case):
    key, by = TOTAL_CASES[case]
    ref = REF[REF.case == case]
    d = design(key)
    deff = "replace" if "deffrep" in case else True
    compare(d.total(variables(ref, d), by=by, deff=deff).table, ref)


def test_degf_equals_r():
    ref = pd.read_csv(FIX / "degf.csv")
    for r in ref.itertuples():
        assert design(r.design).degf == r.degf


RATIO_CASES = {
    "clus1_ratio": ("clus1", "api.stu", "enroll", None),
    "clus1_ratio_by_stype": ("clus1", "api.stu", "enroll", "stype"),
    "synth_ratio": ("synth", "score", "hours", None),
    "clus2_ratio": ("clus2", "api00", "api99", None),
}


@pytest.mark.parametrize("case", sorted(RATIO_CASES))
def test_ratio_equals_r(case):
    key, num, den, by = RATIO_CASES[case]
    compare(design(key).ratio(num, den, by=by).table, REF[REF.case == case])


CIPROP = {"clus1": ("clus1", "sch_wide_yes"), "synth": ("synth", "y2"), "nhanes": ("nhanes", "HI_CHOL")}


@pytest.mark.parametrize("method", ["logit", "beta", "xlogit", "mean"])
@pytest.mark.parametrize("where", ["clus1", "synth", "nhanes", "synth_by_sex", "synth_90"])
def test_svyciprop_equals_r(method, where):
    base = where.split("_")[0]
    key, var = CIPROP[base]
    by = "sex" if where.endswith("by_sex") else None
    level = 0.90 if where.endswith("_90") else 0.95
    if where.endswith("_90"):
        var = "y1"
    case = f"{base}_ciprop_{method}" + ("_by_sex" if by else "") + ("_90" if level == 0.9 else "")
    ref = REF[REF.case == case]
    est = design(key).mean(var, by=by, ci=method, level=level).table
    # logit: R fits svyglm by IRLS and stops at its convergence tolerance (documented)
    cols = ("se", "ci_low", "ci_high", "df") + (("estimate",) if method != "logit" else ())
    compare(est, ref, cols)


@pytest.mark.parametrize("where", ["clus1", "synth", "nhanes", "synth_by_sex", "synth_90"])
def test_svyciprop_likelihood_close_to_r(where):
    """R interpolates a spline through a profile; we solve the same equation exactly."""
    base = where.split("_")[0]
    key, var = CIPROP[base]
    by = "sex" if where.endswith("by_sex") else None
    level = 0.90 if where.endswith("_90") else 0.95
    if where.endswith("_90"):
        var = "y1"
    case = f"{base}_ciprop_likelihood" + ("_by_sex" if by else "") + ("_90" if level == 0.9 else "")
    ref = REF[REF.case == case]
    est = design(key).mean(var, by=by, ci="likelihood", level=level).table
    for r in ref.itertuples():
        hit = est[(est.domain == r.domain) & (est.level == r.level)].iloc[0]
        np.testing.assert_allclose([hit.ci_low, hit.ci_high], [r.ci_low, r.ci_high], rtol=1e-4)


@pytest.mark.parametrize("case,key,var,by,w", [
    ("contrast_synth_y1_sex", "synth", "y1", "sex", [-1, 1]),
    ("contrast_synth_hours_area", "synth", "hours", "area", [1, -1]),
    ("contrast_clus1_api00_stype", "clus1", "api00", "stype", [1, -0.5, -0.5]),
    ("contrast_nhanes_female_race", "nhanes", "female", "race", [0, 1, -1, 0]),
])
def test_contrast_equals_r(case, key, var, by, w):
    d = design(key)
    e = d.mean(var, by=by, covmat=True)
    dom = e.table.domain == by
    vc = pd.read_csv(FIX / f"vcov_{case}.csv")
    idx = np.flatnonzero(dom)
    np.testing.assert_allclose(e.vcov[np.ix_(idx, idx)], vc.iloc[:, 2:].to_numpy(), rtol=RTOL, atol=1e-15)
    coef = np.zeros(len(e.table))
    coef[idx] = w
    c = d.contrast(e, coef).table.iloc[0]
    ref = REF[REF.case == case].iloc[0]
    np.testing.assert_allclose([c.estimate, c.se, c.p], [ref.estimate, ref.se, ref.p], rtol=RTOL)


def test_contrast_by_level_names():
    d = design("synth")
    e = d.mean("y1", by="sex", covmat=True)
    by_name = d.contrast(e, {"sex=2": 1, "sex=1": -1}).table.iloc[0]
    ref = REF[REF.case == "contrast_synth_y1_sex"].iloc[0]
    np.testing.assert_allclose([by_name.estimate, by_name.se], [ref.estimate, ref.se], rtol=RTOL)


def test_lonely_fail_names_the_stratum():
    from dhkit.errors import DhkitError
    d = Design(data("synth"), weights="w", strata="region", psu="psu")
    with pytest.raises(DhkitError) as e:
        d.mean("y1")
    assert e.value.code == "EST-012" and "stratum 6 of 'region'" in e.value.message
    assert "only one PSU at stage 1" in (FIX / "lonely_fail_message.txt").read_text()


def test_lonely_fail_spares_domains_without_the_stratum():
    df = data("synth").assign(y_not6=lambda x: x.y1.where(x.region != 6))
    t = Design(df, weights="w", strata="region", psu="psu").mean("y_not6", by="sex").table
    assert t.se.notna().all() and len(t) == 3
