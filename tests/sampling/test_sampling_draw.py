"""PPS systematic selection: probabilities, certainty units, reproducibility, bad frames."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhkit.errors import DhkitError
from dhkit.sampling.draw import (
    draw_sample,
    pps_probabilities,
    pps_systematic,
    select_child,
    select_households,
    select_psus,
)

SIZES = np.array([12., 3, 40, 7, 7, 25, 90, 5, 14, 30, 2, 9])


def test_empirical_selection_frequency_approaches_the_stated_probability():
    n, reps = 4, 4000
    prob, _, _ = pps_probabilities(SIZES, n)
    rng = np.random.default_rng(11)
    hits = np.zeros(len(SIZES))
    for _ in range(reps):
        hits[pps_systematic(SIZES, n, rng)] += 1
    se = np.sqrt(prob * (1 - prob) / reps)
    assert np.all(np.abs(hits / reps - prob) <= 4 * se + 1e-12)


def test_unit_larger_than_the_interval_is_a_certainty_and_interval_is_recomputed():
    prob, cert, interval = pps_probabilities(SIZES, 4)
    assert cert.tolist() == [s == 90 for s in SIZES]
    assert interval == pytest.approx((SIZES.sum() - 90) / 3)
    assert prob.sum() == pytest.approx(4)


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.floats(0.5, 500), min_size=3, max_size=25), seed=st.integers(0, 10**6),
       frac=st.floats(0.1, 1.0))
def test_certainty_units_always_selected_and_n_units_drawn(sizes, seed, frac):
    sizes = np.array(sizes)
    n = max(1, int(frac * len(sizes)))
    prob, cert, _ = pps_probabilities(sizes, n)
    chosen = pps_systematic(sizes, n, np.random.default_rng(seed))
    assert len(chosen) == n == len(set(chosen.tolist()))
    assert set(np.flatnonzero(cert)) <= set(chosen.tolist())
    assert np.all(prob <= 1 + 1e-12) and prob.sum() == pytest.approx(n)


def test_sum_of_base_weights_estimates_the_frame_total():
    frame = pd.DataFrame({"region": np.repeat(["a", "b"], 6), "psu_id": range(12), "mos": SIZES})
    est = [select_psus(frame, stratum="region", psu="psu_id", size="mos", n=3, seed=s)
           .selected.eval("mos / p_psu").sum() for s in range(50)]
    # PPS: every sample's Horvitz–Thompson estimate of the total size is exact
    assert np.allclose(est, SIZES.sum())
    prob, _, _ = pps_probabilities(SIZES, 4)
    rng = np.random.default_rng(5)
    units = [(1 / prob[pps_systematic(SIZES, 4, rng)]).sum() for _ in range(3000)]
    assert np.mean(units) == pytest.approx(len(SIZES), rel=0.03)


def test_same_seed_same_sample():
    frame = pd.DataFrame({"psu_id": range(12), "mos": SIZES})
    a = select_psus(frame, size="mos", n=5, seed=7).selected["psu_id"].tolist()
    b = select_psus(frame, size="mos", n=5, seed=7).selected["psu_id"].tolist()
    assert a == b


def test_zero_or_missing_size_names_the_units():
    frame = pd.DataFrame({"psu_id": ["p1", "p2", "p3"], "mos": [4, 0, np.nan]})
    with pytest.raises(DhkitError) as e:
        select_psus(frame, psu="psu_id", size="mos", n=1)
    assert e.value.code == "SAM-003" and "p2, p3" in e.value.message


def test_more_psus_than_the_stratum_has_names_the_stratum():
    frame = pd.DataFrame({"region": ["a", "a", "b"], "mos": [1, 2, 3]})
    with pytest.raises(DhkitError) as e:
        select_psus(frame, stratum="region", size="mos", n=2)
    assert e.value.code == "SAM-004" and "'b'" in e.value.message


def test_households_systematic_take_gives_take_over_listed():
    listing = pd.DataFrame({"psu_id": [1] * 37 + [2] * 5, "hh": range(42)})
    h = select_households(listing, [1, 2], psu="psu_id", take=10, seed=3)
    assert h.groupby("psu_id").size().tolist() == [10, 5]
    assert h.groupby("psu_id")["p_hh"].first().tolist() == [10 / 37, 1.0]


def test_household_systematic_inclusion_is_uniform():
    listing = pd.DataFrame({"psu_id": [1] * 13, "hh": range(13)})
    hits = np.zeros(13)
    for s in range(800):
        hits[select_households(listing, [1], psu="psu_id", take=4, seed=s)["hh"]] += 1
    assert np.allclose(hits / 800, 4 / 13, atol=0.05)


def test_kish_choice_is_uniform_over_eligible_children():
    h = select_child(pd.DataFrame({"k": [3] * 6000}), eligible="k", seed=4)
    freq = h["child_line"].value_counts(normalize=True).sort_index()
    assert freq.index.tolist() == [1, 2, 3] and np.allclose(freq, 1 / 3, atol=0.02)


def test_listing_without_selected_psu_is_refused():
    with pytest.raises(DhkitError) as e:
        select_households(pd.DataFrame({"psu_id": [1]}), [1, 2], psu="psu_id", take=1)
    assert e.value.code == "SAM-006" and "2" in e.value.message


def test_draw_writes_every_stage_probability_and_base_weight():
    frame = pd.DataFrame({"region": ["a"] * 4, "psu_id": range(4), "mos": [10, 20, 30, 40]})
    listing = pd.DataFrame({"psu_id": np.repeat(range(4), 8), "k": [1, 2] * 16})
    d = draw_sample(frame, stratum="region", size="mos", n=2, listing=listing, take=3,
                    eligible="k", seed=9)
    t = d.table
    assert {"p_psu", "p_hh", "p_child", "child_line", "base_weight", "region"} <= set(t.columns)
    np.testing.assert_allclose(t["base_weight"], 1 / (t["p_psu"] * t["p_hh"] * t["p_child"]))


def test_cli_draw_writes_the_sample(tmp_path):
    from typer.testing import CliRunner

    from dhkit.cli import app

    frame = tmp_path / "frame.csv"
    pd.DataFrame({"region": np.repeat(["a", "b"], 6), "psu_id": range(12), "mos": SIZES}
                 ).to_csv(frame, index=False)
    listing = tmp_path / "listing.csv"
    pd.DataFrame({"psu_id": np.repeat(range(12), 10), "k": [0, 1, 2, 1, 1] * 24}
                 ).to_csv(listing, index=False)
    out = tmp_path / "sample.csv"
    res = CliRunner().invoke(app, ["sample", "draw", str(frame), "--stratum", "region", "--size",
                                   "mos", "--psus", "2", "--listing", str(listing), "--take", "5",
                                   "--eligible", "k", "--seed", "42", "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert len(t) == 20 and t["psu_id"].nunique() == 4


def test_proportional_allocation_keeps_two_per_stratum_and_the_total():
    from dhkit.sampling.draw import allocate_psus

    frame = pd.DataFrame({"s": ["a"] * 20 + ["b"] * 20 + ["c"] * 3,
                          "mos": [50.0] * 20 + [10.0] * 20 + [1.0] * 3})
    alloc = allocate_psus(frame, stratum="s", size="mos", total=12)
    assert alloc == {"a": 8, "b": 2, "c": 2} and sum(alloc.values()) == 12


def test_allocation_beyond_the_frame_is_refused():
    from dhkit.sampling.draw import allocate_psus

    frame = pd.DataFrame({"s": ["a", "a", "b"], "mos": [1.0, 1, 1]})
    with pytest.raises(DhkitError) as e:
        allocate_psus(frame, stratum="s", size="mos", total=5)
    assert e.value.code == "SAM-005"
