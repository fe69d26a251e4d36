"""Replicate-weight designs equal R survey 4.1.1 (fixtures from tests/reference/r/extras.R)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhkit.errors import DhkitError
from dhkit.survey.design import Design
from dhkit.survey.replicate import (
    ReplicateDesign,
    as_replicate,
    bootstrap_weights,
    jk1_weights,
    svrvar,
)

FX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "extras"
META = json.loads((FX / "replicate_designs.json").read_text())
REF = pd.read_csv(FX / "replicate_estimates.csv", keep_default_na=False, na_values=["NaN"])
RTOL = 1e-8


def rep_design(case: str) -> ReplicateDesign:
    """The R replicate design of ``case``, rebuilt from its exported columns."""
    m = META[case]
    df = pd.read_csv(FX / m["file"])
    kind = "SDR" if m["type"] == "successive-difference" else m["type"]
    kw = {}
    if kind == "Fay":
        kw["rho"] = m["rho"]
    elif kind not in ("BRR", "SDR"):
        kw.update(scale=m["scale"], rscales=m["rscales"])
    return ReplicateDesign(df, repweights="^rw[0-9]+$", weights="pweight", type=kind,
                           combined_weights=m["combined"], mse=m["mse"], **kw)


def _by(by: str):
    return by.split(":") if by else None


@pytest.mark.parametrize("case", sorted(META))
def test_replicate_estimates_equal_r(case):
    d = rep_design(case)
    assert d.degf == META[case]["degf"]
    if "sch.wide" in d.data:
        yes = (d.data["sch.wide"] == "Yes").astype(float).rename("yes")
        d.data = pd.concat([d.data, yes], axis=1)
    rows = REF[REF.case == case]
    assert len(rows) > 0
    for _, r in rows.iterrows():
        var, _, cat = r["var"].partition("=")
        if r.fn.startswith("prop_"):
            e = d.mean("yes", by=_by(r.by), ci=r.fn[5:])
        elif r.fn == "ratio":
            e = d.ratio(*var.split("/"), by=_by(r.by))
        elif r.fn == "mean":
            e = d.mean(var, by=_by(r.by))
        else:
            e = d.total(var, by=_by(r.by))
        got = e.row(var, r.by, str(r.level), cat)
        if r.fn == "prop_likelihood":  # R 4.1.1 gives NaN intervals on replicate designs
            assert got.ci_low < got.estimate < got.ci_high
            continue
        want = [r.estimate, r.se, r.ci_low, r.ci_high]
        # R's logit interval comes from IRLS fits stopped at a deviance tolerance of 1e-8
        rtol = 1e-6 if r.fn == "prop_logit" else RTOL
        np.testing.assert_allclose(
            [got.estimate, got.se, got.ci_low, got.ci_high], want, rtol=rtol,
            err_msg=f"{case} {r.fn} {r['var']} by {r.by} {r.level}")
        if np.isfinite(r.deff):
            np.testing.assert_allclose(got.deff, r.deff, rtol=RTOL)
        assert got.df == r.df


def test_batch_equals_single_verbs_and_counts_bases():
    d = rep_design("clus1_jk1")
    e = d.estimate(means=["api00", "sch.wide", "target"], totals=["enroll"], domains=["stype"])
    t = e.table
    # overall + 3 stype levels, for api00, sch.wide (2 levels), target, enroll total
    assert len(t) == 4 * 5
    one = d.mean("target", by="stype").row("target", "stype", "E")
    row = e.row("target", "stype", "E")
    assert row.estimate == pytest.approx(one.estimate, rel=1e-14)
    assert row.se == pytest.approx(one.se, rel=1e-14)
    data = d.data
    assert row.n_unweighted == int(((data.stype == "E") & data.target.notna()).sum())
    assert row.n_weighted == pytest.approx(d.w[(data.stype == "E") & data.target.notna()].sum())
    assert set(t.statistic) == {"mean", "proportion", "total"}


def test_covmat_diagonal_is_squared_se():
    d = rep_design("strat_jkn")
    e = d.mean(["api00", "enroll"], by="stype", covmat=True)
    np.testing.assert_allclose(np.diag(e.vcov), e.table.se.to_numpy() ** 2, rtol=1e-12)


def test_svrvar_mse_centres_at_full_estimate():
    th = np.array([[1.0], [2.0], [6.0]])
    assert svrvar(th, np.array([3.0]), scale=1.0, rscales=np.ones(3))[0] == pytest.approx(14.0)
    assert svrvar(th, np.array([2.0]), scale=1.0, rscales=np.ones(3), mse=True)[0] == (
        pytest.approx(17.0))


def test_svrvar_leaves_out_non_finite_replicates():
    th = np.array([[1.0], [np.nan], [3.0]])
    assert svrvar(th, np.array([2.0]), scale=1.0, rscales=np.ones(3))[0] == pytest.approx(2.0)


# --- as_replicate (R as.svrepdesign) ------------------------------------------------------


def _linear(name: str) -> Design:
    if name == "clus1_jk1":
        return Design(pd.read_csv(FX / "apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    if name == "strat_jkn":
        return Design(pd.read_csv(FX / "apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    scd = pd.read_csv(FX / "scd.csv").assign(one=1.0, five=5.0)
    if name == "scd_jk1":
        return Design(scd, weights="one")
    fpc = "five" if name == "scd_jkn_fpc" else None
    return Design(scd, weights="one", strata="ESA", psu="ambulance", nest=True, fpc=fpc)


@pytest.mark.parametrize("case", ["clus1_jk1", "strat_jkn", "scd_jkn", "scd_jkn_fpc", "scd_jk1"])
def test_as_replicate_jackknife_equals_r_weights(case):
    m = META[case]
    r = as_replicate(_linear(case))
    want = pd.read_csv(FX / m["file"]).filter(regex="^rw[0-9]+$").to_numpy()
    assert r.type == m["type"]
    np.testing.assert_array_equal(r.analysis_weights / r.w[:, None], want)
    assert r.scale == pytest.approx(m["scale"], rel=1e-14)
    np.testing.assert_allclose(r.rscales, m["rscales"], rtol=1e-14)
    assert r.degf == m["degf"]


def test_as_replicate_mean_equals_r_jk1():
    r = as_replicate(_linear("clus1_jk1"))
    want = REF[(REF.case == "clus1_jk1") & (REF["var"] == "api00") & (REF.by == "")].iloc[0]
    got = r.mean("api00").row("api00")
    assert got.se == pytest.approx(want.se, rel=RTOL)


def test_jk1_on_stratified_design_is_refused():
    with pytest.raises(DhkitError) as e:
        as_replicate(_linear("strat_jkn"), type="JK1")
    assert e.value.code == "REP-007" and "JKn" in e.value.message


LONELY = json.loads((FX / "lonely_jkn.json").read_text())


@pytest.mark.parametrize("rule", sorted(LONELY))
def test_jkn_lonely_psu_rules_equal_r(rule):
    scd5 = pd.read_csv(FX / "scd.csv").head(5).assign(one=1.0)
    lin = Design(scd5, weights="one", strata="ESA", psu="ambulance", nest=True, lonely_psu=rule)
    r = as_replicate(lin)
    want = LONELY[rule]
    np.testing.assert_array_equal(r.analysis_weights, np.array(want["repweights"]))
    assert r.scale == pytest.approx(want["scale"], rel=1e-15)
    np.testing.assert_allclose(r.rscales, want["rscales"], rtol=1e-15)
    got = r.mean("alive").row("alive")
    np.testing.assert_allclose([got.estimate, got.se], [want["mean"], want["se"]], rtol=RTOL)


def test_jkn_lonely_psu_fail_names_the_rule():
    scd5 = pd.read_csv(FX / "scd.csv").head(5).assign(one=1.0)
    with pytest.raises(DhkitError) as e:
        as_replicate(Design(scd5, weights="one", strata="ESA", psu="ambulance", nest=True))
    assert e.value.code == "EST-012" and "lonely_psu" in e.value.message
    assert "stratum '3'" in e.value.message


# --- bootstrap (R bootweights): draws differ from R's RNG, so test properties ---------------


def test_bootstrap_weights_resample_n_h_psus_per_stratum():
    strata = np.repeat([0, 1], [6, 9])
    psu = np.arange(15) // 3  # 2 PSUs in stratum 0, 3 in stratum 1
    f, scale = bootstrap_weights(strata, psu, replicates=40, seed=7)
    first = np.unique(psu, return_index=True)[1]
    per_psu = f[first]
    assert per_psu[:2].sum(axis=0).tolist() == [2.0] * 40
    assert per_psu[2:].sum(axis=0).tolist() == [3.0] * 40
    nbar = 1 / np.mean([1 / 2, 1 / 3])
    assert scale == pytest.approx(nbar / ((nbar - 1) * 39))
    f2, _ = bootstrap_weights(strata, psu, replicates=40, seed=7)
    np.testing.assert_array_equal(f, f2)


def test_bootstrap_se_is_close_to_linearization():
    d = _linear("strat_jkn")
    r = as_replicate(d, type="bootstrap", replicates=400, seed=1)
    se = r.mean("api00").row("api00").se
    lin = REF[(REF.case == "strat_jkn") & (REF["var"] == "api00") & (REF.by == "")].iloc[0].se
    assert abs(se / lin - 1) < 0.15
    assert r.type == "bootstrap" and r.degf == 197  # rank: 200 PSUs less 2 stratum sums, less 1


# --- invariants -------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(c=st.floats(0.01, 1000), seed=st.integers(0, 10_000))
def test_scaling_all_weights_leaves_means_and_ses(c, seed):
    rng = np.random.default_rng(seed)
    n, r = 30, 8
    df = pd.DataFrame({"y": rng.normal(size=n), "g": rng.integers(0, 2, n),
                       "w": rng.uniform(1, 3, n)})
    reps = df.w.to_numpy()[:, None] * rng.uniform(0.2, 1.8, (n, r))
    for i in range(r):
        df[f"r{i}"] = reps[:, i]
    scaled = df.copy()
    scaled[["w"] + [f"r{i}" for i in range(r)]] *= c
    a = ReplicateDesign(df, repweights="^r[0-9]", weights="w", type="bootstrap")
    b = ReplicateDesign(scaled, repweights="^r[0-9]", weights="w", type="bootstrap")
    ta, tb = a.mean("y", by="g").table, b.mean("y", by="g").table
    np.testing.assert_allclose(tb.estimate, ta.estimate, rtol=1e-9)
    np.testing.assert_allclose(tb.se, ta.se, rtol=1e-9)
    assert (ta.se >= 0).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), mse=st.booleans())
def test_whole_sample_domain_equals_overall_and_variance_nonnegative(seed, mse):
    rng = np.random.default_rng(seed)
    n, r = 25, 6
    df = pd.DataFrame({"y": rng.normal(size=n), "all": "x", "w": rng.uniform(1, 3, n)})
    for i in range(r):
        df[f"r{i}"] = rng.uniform(0, 2, n)
    d = ReplicateDesign(df, repweights=[f"r{i}" for i in range(r)], weights="w", type="JK1",
                        scale=(r - 1) / r, combined_weights=False, mse=mse)
    t = d.estimate(means=["y"], totals=["y"], domains=["all"]).table
    overall, dom = t[t.domain == ""], t[t.domain == "all"]
    np.testing.assert_allclose(dom.estimate, overall.estimate, rtol=1e-12)
    np.testing.assert_allclose(dom.se, overall.se, rtol=1e-12)
    assert (t.se >= 0).all()


# --- bad input --------------------------------------------------------------------------


def _small() -> pd.DataFrame:
    return pd.DataFrame({"y": [1.0, 2, 3, 4], "w": 1.0, "r1": [0.0, 2, 1, 1],
                         "r2": [2.0, 0, 1, 1], "txt": list("abcd")})


def _code(**kw) -> DhkitError:
    args = {"repweights": ["r1", "r2"], "weights": "w", "type": "JK1", "scale": 0.5}
    args.update(kw)
    with pytest.raises(DhkitError) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ReplicateDesign(kw.pop("data", _small()), **{k: v for k, v in args.items() if k != "data"})
    return e.value


def test_missing_replicate_columns_are_named():
    e = _code(repweights=["r1", "r9"])
    assert e.code == "REP-001" and "'r9'" in e.message
    assert _code(repweights="^zz[0-9]+").code == "REP-001"


def test_non_numeric_or_missing_replicate_weights_are_refused():
    e = _code(repweights=["r1", "txt"])
    assert e.code == "REP-003" and "'txt'" in e.message and "not numeric" in e.message
    df = _small()
    df.loc[2, "r2"] = np.nan
    e = _code(data=df)
    assert e.code == "REP-003" and "row(s) 3" in e.message


def test_sampling_weight_problems_are_named():
    e = _code(weights="wt")
    assert e.code == "REP-004" and "'wt'" in e.message
    df = _small()
    df.loc[1, "w"] = -1.0
    e = _code(data=df)
    assert e.code == "REP-004" and "row(s) 2" in e.message


def test_negative_replicate_factors_are_allowed_as_in_r():
    df = _small()
    df["r1"] = [-0.5, 2.5, 1, 1]
    d = ReplicateDesign(df, repweights=["r1", "r2"], weights="w", type="JK1", scale=0.5)
    assert np.isfinite(d.mean("y").row("y").se)


def test_unknown_type_lists_the_known_ones():
    e = _code(type="jackknife")
    assert e.code == "REP-002" and "JK1" in e.message and "SDR" in e.message


def test_fay_needs_rho_and_jkn_combined_needs_rscales():
    assert _code(type="Fay", scale=None).code == "REP-005"
    assert _code(type="JKn", scale=None).code == "REP-006"
    assert _code(type="JKn", rscales=[1.0, 1, 1]).code == "REP-006"


def test_replicate_types_set_r_default_scales():
    df = _small()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = {"repweights": ["r1", "r2"], "weights": "w", "combined_weights": False}
        assert ReplicateDesign(df, type="BRR", **kw).scale == pytest.approx(0.5)
        assert ReplicateDesign(df, type="Fay", rho=0.5, **kw).scale == pytest.approx(2.0)
        assert ReplicateDesign(df, type="SDR", **kw).scale == pytest.approx(2.0)
        assert ReplicateDesign(df, type="bootstrap", **kw).scale == pytest.approx(1.0)
        assert ReplicateDesign(df, type="jk1", **kw).scale == pytest.approx(0.5)


def test_jk1_weights_delete_one_psu():
    f, scale = jk1_weights(np.array([5, 5, 9, 7]), fpc=10)
    np.testing.assert_array_equal(f[:, 0], [0, 0, 1.5, 1.5])
    assert scale == pytest.approx(0.7 * 2 / 3)


def test_replicate_table_has_the_rows_of_the_linearization_table():
    lin = _linear("clus1_jk1")
    rep = as_replicate(lin)
    kw = {"means": ["api00", "sch.wide", "target"], "totals": ["enroll"],
          "ratios": [("api.stu", "enroll")], "domains": ["stype", ["sch.wide", "comp.imp"]]}
    a, b = lin.estimate(**kw).table, rep.estimate(**kw).table
    same = ["indicator", "base", "domain", "level", "category", "statistic", "n_unweighted",
            "flag"]
    pd.testing.assert_frame_equal(a[same], b[same])
    np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.n_weighted, a.n_weighted, rtol=1e-12)
    assert list(b.columns) == list(a.columns)


@pytest.mark.parametrize("case", ["clus1_jk1", "clus1_jk1_mse", "clus1_jk1_scale"])
def test_compressed_factor_rows_give_the_same_table(case):
    m = META[case]
    df = pd.read_csv(FX / m["file"])
    df = df.assign(yes=(df["sch.wide"] == "Yes").astype(float)) if "sch.wide" in df else df
    kind = m["type"]
    kw = {"rho": m["rho"]} if kind == "Fay" else {"scale": m["scale"], "rscales": m["rscales"]}
    args = {"repweights": "^rw[0-9]+$", "weights": "pweight", "type": kind,
            "combined_weights": m["combined"], **kw}
    on, off = (ReplicateDesign(df, compress=c, **args) for c in (True, False))
    assert on._factors is not None and off._factors is None
    assert on.degf == off.degf == m["degf"]
    if "api00" in df:
        req = {"means": ["api00", "yes", "target"], "totals": ["enroll"],
               "domains": ["stype", ["stype", "sch.wide"]]}
    else:
        req = {"means": ["alive"], "totals": ["arrests"], "domains": ["ESA"]}
    a, b = on.estimate(**req, ci="logit").table, off.estimate(**req, ci="logit").table
    num = ["estimate", "se", "ci_low", "ci_high", "deff", "n_weighted", "df"]
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), rtol=1e-11)
    assert (a.n_unweighted == b.n_unweighted).all()


def test_rows_that_are_their_own_psu_are_not_compressed():
    assert rep_design("strat_boot")._factors is None
    boot = as_replicate(_linear("clus1_jk1"), type="bootstrap", replicates=30, seed=3)
    assert boot._factors is not None and boot._factors.shape == (15, 30)


def test_fpc_fraction_multiplies_rscales_as_r():
    m = META["clus1_jk1"]
    df = pd.read_csv(FX / m["file"])
    d = ReplicateDesign(df, repweights="^rw[0-9]+$", weights="pweight", type="JK1",
                        scale=14 / 15, combined_weights=False, fpc=15 / 757, fpctype="fraction")
    want = REF[(REF.case == "clus1_jk1") & (REF["var"] == "api00") & (REF.by == "")].iloc[0]
    assert d.mean("api00").row("api00").se == pytest.approx(want.se, rel=RTOL)
    with pytest.raises(DhkitError) as e:
        ReplicateDesign(df, repweights="^rw[0-9]+$", weights="pweight", type="JK1",
                        scale=14 / 15, combined_weights=False, fpc=757)
    assert e.value.code == "REP-006"
