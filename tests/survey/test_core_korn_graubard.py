"""Korn–Graubard intervals (Korn & Graubard 1998; NCHS standards, Parker et al. 2017) and
exact 0/1 estimates: a 0 % share has a real interval and no infinite design effect."""

import numpy as np
import pandas as pd
from scipy import stats

from dhkit.survey import Design
from dhkit.survey.ci import METHODS, korn_graubard, prop_ci


def test_zero_of_a_hundred_with_infinite_df_is_exact_clopper_pearson():
    lo, hi = korn_graubard(np.array([0.0]), np.array([0.0]), np.array([np.inf]), np.array([100.0]))
    assert lo[0] == 0.0
    assert np.isclose(hi[0], 1 - 0.025 ** (1 / 100), rtol=1e-12)  # 0.036217...
    assert round(float(hi[0]), 6) == 0.036217


def test_zero_with_design_df_shrinks_the_sample_by_the_t_ratio():
    n_eff = 100 * (stats.t.ppf(0.975, 99) / stats.t.ppf(0.975, 20)) ** 2  # 90.48
    lo, hi = korn_graubard(np.array([0.0]), np.array([0.0]), np.array([20.0]), np.array([100.0]))
    assert round(n_eff, 2) == 90.48
    assert np.isclose(hi[0], stats.beta.ppf(0.975, 1, n_eff), rtol=1e-12)
    assert np.isclose(hi[0], 1 - 0.025 ** (1 / n_eff), rtol=1e-12)


def test_one_is_the_mirror_of_zero():
    lo, hi = korn_graubard(np.array([1.0]), np.array([0.0]), np.array([20.0]), np.array([100.0]))
    lo0, hi0 = korn_graubard(np.array([0.0]), np.array([0.0]), np.array([20.0]), np.array([100.0]))
    assert hi[0] == 1.0 and np.isclose(lo[0], 1 - hi0[0])


def test_interior_share_uses_the_effective_sample_size():
    # p = 0.3, SE = 0.05 → n* = 0.21/0.0025 = 84, × (t_199/t_30)² ; x = 0.3 n*
    n_eff = 84 * (stats.t.ppf(0.975, 199) / stats.t.ppf(0.975, 30)) ** 2
    lo, hi = prop_ci("korn-graubard", np.array([0.3]), np.array([0.05]), np.array([30.0]),
                     n_rows=np.array([250]), n_obs=np.array([200.0]))
    assert np.isclose(lo[0], stats.beta.ppf(0.025, 0.3 * n_eff, 0.7 * n_eff + 1), rtol=1e-12)
    assert np.isclose(hi[0], stats.beta.ppf(0.975, 0.3 * n_eff + 1, 0.7 * n_eff), rtol=1e-12)
    assert (round(float(lo[0]), 4), round(float(hi[0]), 4)) == (0.2016, 0.4141)


def test_effective_sample_size_never_exceeds_the_respondents():
    # SE so small that p(1-p)/SE² = 2100 > n = 50: the interval is that of n = 50
    a = korn_graubard(np.array([0.3]), np.array([0.01]), np.array([np.inf]), np.array([50.0]))
    b = korn_graubard(np.array([0.3]), np.array([0.3 * 0.7 / 50]) ** 0.5, np.array([np.inf]),
                      np.array([50.0]))
    assert np.allclose(a, b)


def test_method_is_listed():
    assert "korn-graubard" in METHODS


def _design_with_an_absent_attribute() -> Design:
    rng = np.random.default_rng(7)
    n = 120
    df = pd.DataFrame({"w": rng.uniform(50, 150, n), "psu": np.repeat(np.arange(24), 5),
                       "stratum": np.repeat(np.arange(6), 20),
                       "never": np.zeros(n), "some": (rng.uniform(size=n) < 0.2).astype(float)})
    return Design(df, weights="w", strata="stratum", psu="psu")


def test_zero_prevalence_is_exactly_zero_with_a_korn_graubard_upper_bound():
    t = _design_with_an_absent_attribute().estimate(means=["never", "some"],
                                                    ci="korn-graubard").table
    row = t[t.indicator == "never"].iloc[0]
    assert row.estimate == 0.0
    assert row.se == 0.0
    assert np.isnan(row.deff)  # 0/0, never inf
    assert row.ci_low == 0.0
    # n = 120 respondents, df = 24 PSUs - 6 strata = 18
    n_eff = 120 * (stats.t.ppf(0.975, 119) / stats.t.ppf(0.975, 18)) ** 2
    assert np.isclose(row.ci_high, 1 - 0.025 ** (1 / n_eff), rtol=1e-10)
    assert row.ci_method == "korn-graubard"
    other = t[t.indicator == "some"].iloc[0]
    assert 0 < other.ci_low < other.estimate < other.ci_high < 1
    assert np.isfinite(other.deff)


def test_zero_prevalence_deff_is_blank_under_every_method():
    t = _design_with_an_absent_attribute().estimate(means=["never"], ci="logit").table
    assert t.estimate.tolist() == [0.0] and np.isnan(t.deff.iloc[0])
