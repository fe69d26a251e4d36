"""Properties of the estimator (hypothesis): invariances R survey also has."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhkit.survey import Design


@st.composite
def samples(draw):
    n_str = draw(st.integers(1, 4))
    rows = []
    psu = 0
    for h in range(n_str):
        for _ in range(draw(st.integers(2, 4))):
            psu += 1
            for _ in range(draw(st.integers(1, 4))):
                rows.append((h, psu))
    n = len(rows)
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rows, columns=["s", "c"])
    df["w"] = rng.uniform(0.5, 5, n)
    df["y"] = rng.integers(0, 2, n).astype(float)
    df["x"] = rng.normal(10, 3, n)
    df["g"] = rng.integers(1, 3, n)
    df.loc[rng.random(n) < 0.1, "x"] = np.nan
    return df


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(samples(), st.floats(0.01, 1000))
def test_scaling_weights_leaves_means_and_ses(df, k):
    a = Design(df, weights="w", strata="s", psu="c").mean(["y", "x"], by="g").table
    b = Design(df.assign(w=df.w * k), weights="w", strata="s", psu="c").mean(["y", "x"], by="g").table
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-7, atol=1e-12)


@SETTINGS
@given(samples())
def test_whole_sample_domain_equals_overall(df):
    t = Design(df.assign(all="x"), weights="w", strata="s", psu="c").mean(["y", "x"], by="all").table
    over, dom = t[t.domain == ""].reset_index(), t[t.domain == "all"].reset_index()
    for c in ("estimate", "se", "ci_low", "ci_high", "deff"):
        np.testing.assert_allclose(over[c], dom[c], rtol=1e-9, atol=1e-14)


@SETTINGS
@given(samples())
def test_se_is_never_negative(df):
    t = Design(df, weights="w", strata="s", psu="c").estimate(means=["y", "x"], totals=["x"], domains=["g"]).table
    assert (t.se.dropna() >= 0).all()


@SETTINGS
@given(samples(), st.sampled_from(["remove", "certainty", "adjust", "average"]))
def test_single_psu_stratum_follows_rule(df, rule):
    lone = df.assign(s=df.s.max() + 1, c=df.c.max() + 1).iloc[:1]
    both = pd.concat([df, lone], ignore_index=True)
    with_lone = Design(both, weights="w", strata="s", psu="c", lonely_psu=rule)
    x = with_lone.w * (both.y - 0.5)
    v = with_lone.vcov_total(x.to_numpy()[:, None])[0, 0]
    base = Design(df, weights="w", strata="s", psu="c").vcov_total((df.w * (df.y - 0.5)).to_numpy()[:, None])[0, 0]
    n_str = df.s.nunique()
    expected = {"remove": base, "certainty": base, "adjust": base + x.iloc[-1] ** 2,
                "average": base * (n_str + 1) / n_str}[rule]
    np.testing.assert_allclose(v, expected, rtol=1e-10)
