"""Quantiles with Woodruff intervals (svyquantile, qrule="math") equal to R survey 4.1.1."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhkit.errors import DhkitError
from dhkit.survey.design import Design
from dhkit.survey.quantiles import qrule_math, quantile

sys.path.insert(0, str(Path(__file__).parent))
from test_extras_association import FX, design

QREF = pd.read_csv(FX / "quantiles.csv", keep_default_na=False, na_values=["NaN"])


@pytest.mark.parametrize("case", sorted(QREF.case.unique()))
def test_quantiles_equal_r(case):
    interval = case.split("_")[1] if case in ("clus1_beta", "clus1_xlogit") else "mean"
    d = design("clus1" if interval != "mean" else case)
    for (var, by), g in QREF[QREF.case == case].groupby(["var", "by"], sort=False):
        e = quantile(d, var, sorted(set(g.p)), by=by or None, interval_type=interval)
        for _, r in g.iterrows():
            got = e.row(var, by, str(r.level), f"{r.p:g}")
            np.testing.assert_allclose(
                [got.estimate, got.ci_low, got.ci_high, got.se, got.df],
                [r["quantile"], r.ci_low, r.ci_high, r.se, r.df], rtol=1e-8, equal_nan=True,
                err_msg=f"{case} {var} {by} {r.level} {r.p}")


def test_quantile_table_counts_the_rows_with_a_value():
    d = design("strat")
    t = quantile(d, "acs.k3", [0.5], by="stype").table
    assert t.statistic.unique().tolist() == ["quantile"]
    overall = t[t.domain == ""].iloc[0]
    assert overall.n_unweighted == int(d.data["acs.k3"].notna().sum())
    h = t[(t.domain == "stype") & (t.level == "H")].iloc[0]
    assert h.n_unweighted == 0 and np.isnan(h.estimate) and h.flag == "suppressed"


def test_qrule_math_takes_the_lower_value_at_an_exact_cdf_step():
    x = np.array([4.0, 1, 3, 2])
    assert qrule_math(x, np.ones(4), 0.5) == 2.0
    assert qrule_math(x, np.ones(4), 0.51) == 3.0
    assert qrule_math(x, np.array([1.0, 0, 1, 1]), 0.5) == 3.0  # zero weights drop out


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.floats(0.05, 0.95), c=st.floats(0.1, 100))
def test_quantile_is_in_the_data_and_ignores_weight_scale(seed, p, c):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 20, 30).astype(float)
    w = rng.uniform(1, 4, 30)
    q = qrule_math(x, w, p)
    assert q in x
    cdf = w[x <= q].sum() / w.sum()
    assert cdf >= p - 1e-12
    assert qrule_math(x, w * 2.0 ** round(np.log2(c)), p) == q


def test_quantile_outside_unit_interval_is_refused():
    d = design("clus1")
    for bad in ([0.0], [1.5], [0.5, -0.1]):
        with pytest.raises(DhkitError) as e:
            quantile(d, "api00", bad)
        assert e.value.code == "REP-008" and "(0, 1)" in e.value.message


def test_quantile_of_a_categorical_variable_is_refused():
    with pytest.raises(DhkitError) as e:
        quantile(design("clus1"), "stype", [0.5])
    assert e.value.code == "EST-014" and "'stype'" in e.value.message


def test_quantile_without_ci_has_no_se():
    df = pd.DataFrame({"w": 1.0, "c": range(5), "x": [5.0, 1, 4, 2, 3]})
    t = quantile(Design(df, weights="w", psu="c"), "x", [0.5], ci=False).table
    assert t.estimate.tolist() == [3.0] and t.se.isna().all()
