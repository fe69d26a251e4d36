"""The batch engine: one pass equals one-at-a-time; multiple response; instances; scaling; hooks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.survey import Design, PopulationScale

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"


@pytest.fixture(scope="module")
def synth() -> pd.DataFrame:
    return pd.read_csv(FIX / "synth.csv").query("region != 6").reset_index(drop=True)


@pytest.fixture(scope="module")
def d(synth) -> Design:
    return Design(synth, weights="w", strata="region", psu="psu")


def test_batch_equals_one_at_a_time_in_any_block_size(d):
    cols = ["y1", "y2", "score", "device"]
    by = ["sex", "area", ["sex", "area"], "age"]
    whole = d.estimate(means=cols, totals=["y2"], domains=by, block_cells=10**9).table
    tiny = d.estimate(means=cols, totals=["y2"], domains=by, block_cells=1).table
    pd.testing.assert_frame_equal(whole, tiny)
    for v in cols:
        one = d.mean(v, by="age").table
        sub = whole[(whole.indicator == v) & (whole.statistic != "total") & whole.domain.isin(["", "age"])]
        np.testing.assert_allclose(sub.se.to_numpy(), one.se.to_numpy(), rtol=1e-12)


def test_multiple_response_string_equals_01_columns(d):
    s = d.mean("platforms", multiple=["platforms"], by="sex").table
    for opt in ("facebook", "tiktok", "whatsapp", "instagram"):
        col = d.mean(f"platforms_{opt}", by="sex").table
        mine = s[s.category == opt]
        np.testing.assert_allclose(mine.estimate.to_numpy(), col.estimate.to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(mine.se.to_numpy(), col.se.to_numpy(), rtol=1e-12)


def test_instances_share_the_childs_psu():
    """An instance file is another data frame whose PSU is the child's PSU: instances of
    one child fall in one cluster, so their correlation enters the variance."""
    inst = pd.read_csv(FIX / "instances.csv").query("region != 6")
    d = Design(inst, weights="w", strata="region", psu="psu")
    t = d.mean("told_someone").table.iloc[0]
    naive = Design(inst.assign(row=np.arange(len(inst))), weights="w", strata="region", psu="row")
    assert t.se != naive.mean("told_someone").table.se.iloc[0]
    assert t.n_unweighted == len(inst)


def test_population_scaling_external_count():
    s = PopulationScale.of(0.21, 4_100_000)
    assert s.rounded() == 860_000 and s.equivalent == pytest.approx(861_000)


def test_population_scaling_from_weights(d):
    e = d.mean("y1")
    s = PopulationScale.from_weights(e, "y1")
    total = d.total("y1").table.estimate.iloc[0]
    assert s.equivalent == pytest.approx(total, rel=1e-12)


def test_with_weights_adjust_is_applied_in_order(d):
    calls = []

    def first(x):
        calls.append("first")
        return x * 2

    def second(x):
        calls.append("second")
        return x + 0

    d2 = d.with_weights(d.w * 1.0, adjust=first).with_weights(d.w, adjust=second)
    x = np.ones((d.n, 1))
    assert d2.vcov_total(x)[0, 0] == pytest.approx(4 * d.vcov_total(x)[0, 0])
    assert calls == ["first", "second"]


def test_flags_from_unweighted_base(d):
    from dhkit.survey import FlagRule
    t = d.mean("y1", by="age", flags=FlagRule(suppress=30, caution=45)).table
    for r in t.itertuples():
        assert r.flag == ("suppressed" if r.n_unweighted < 30 else "caution" if r.n_unweighted < 45 else "")


def test_vcov_total_matches_domain_variances(d):
    e = d.mean("y1", by="sex", covmat=True)
    np.testing.assert_allclose(np.sqrt(np.diag(e.vcov)), e.table.se.to_numpy(), rtol=1e-10)


def test_var_total_is_the_diagonal_of_vcov_total(d):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(d.n, 4))
    np.testing.assert_allclose(d.var_total(x), np.diag(d.vcov_total(x)), rtol=1e-12)


def test_identity_adjustment_leaves_the_batch_unchanged(d):
    plain = d.estimate(means=["y1", "y2", "device"], totals=["score"], domains=["sex", ["sex", "area"]]).table
    adj = d.with_weights(d.w, adjust=lambda x: x).estimate(
        means=["y1", "y2", "device"], totals=["score"], domains=["sex", ["sex", "area"]]).table
    pd.testing.assert_frame_equal(plain, adj, rtol=1e-10)


def test_calibration_adjustment_reaches_batch_ses(d):
    """A projection (as R's calibrate: residuals on the calibration variables) changes the
    SEs; the batch engine and the joint covariance agree on them."""
    X = np.column_stack([np.ones(d.n), d.data.sex.to_numpy(float)])
    q, _ = np.linalg.qr(X * np.sqrt(d.w)[:, None])

    def resid(x):
        xs = x / np.sqrt(d.w)[:, None]
        return (xs - q @ (q.T @ xs)) * np.sqrt(d.w)[:, None]

    cal = d.with_weights(d.w, adjust=resid)
    e = cal.mean("y1", by="area", covmat=True)
    np.testing.assert_allclose(np.sqrt(np.diag(e.vcov)), e.table.se.to_numpy(), rtol=1e-10)
    assert not np.allclose(e.table.se.to_numpy(), d.mean("y1", by="area").table.se.to_numpy())
