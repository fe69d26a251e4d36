"""Treatments on hand-made frames, and k-anonymity after local suppression for any data."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dhkit.release.risk import k_violations, sample_frequencies
from dhkit.release.treat import (add_noise, local_suppression, merge_categories, merge_small,
                                 pram, pram_matrix, recode_bins, top_bottom_code)


def test_age_recoded_into_groups_with_out_of_range_missing():
    out = recode_bins(pd.Series([11, 12, 14, 17, 18]), [12, 15, 18], ["12-14", "15-17"])
    assert out.tolist() == [None, "12-14", "12-14", "15-17", None]


def test_categories_merged_by_map_keep_unmapped_values():
    assert merge_categories(pd.Series(["north", "south", "east"]),
                            {"east": "south-east", "south": "south-east"}).tolist() == \
        ["north", "south-east", "south-east"]


def test_small_categories_merged_into_other():
    s = pd.Series(["a"] * 5 + ["b"] * 2 + ["c"])
    assert merge_small(s, 3, "other").value_counts().to_dict() == {"a": 5, "other": 3}


def test_top_and_bottom_coding_cap_values():
    assert top_bottom_code(pd.Series([1, 3, 8, 12]), top=8, bottom=2).tolist() == [2, 3, 8, 8]


def test_local_suppression_removes_the_least_important_value_first():
    # (f, 12, r1) is unique; suppressing area (least important) makes it match (f, 12, r2)
    d = pd.DataFrame({"sex": ["f", "f", "f", "m", "m", "m"], "age": [12] * 6,
                      "area": ["r1", "r2", "r2", "r1", "r1", "r1"]})
    r = local_suppression(d, ["sex", "age", "area"], 3, importance=["sex", "age", "area"])
    assert r.suppressed == {"sex": 0, "age": 0, "area": 1}
    assert r.data["area"].isna().tolist() == [True, False, False, False, False, False]
    assert k_violations(r.data, ["sex", "age", "area"], 3) == 0


def test_local_suppression_leaves_k_anonymous_data_alone():
    d = pd.DataFrame({"a": [1, 1, 2, 2]})
    r = local_suppression(d, ["a"], 2)
    assert r.suppressed == {"a": 0} and r.data["a"].tolist() == [1, 1, 2, 2]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 60), k=st.integers(2, 5),
       levels=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_k_anonymity_holds_after_local_suppression_for_any_seeded_data(seed, n, k, levels):
    rng = np.random.default_rng(seed)
    keys = [f"v{j}" for j in range(len(levels))]
    d = pd.DataFrame({v: rng.integers(0, m, n) for v, m in zip(keys, levels)})
    if n >= k:
        out = local_suppression(d, keys, k).data
        assert (sample_frequencies(out, keys) >= k).all()


def test_pram_matrix_rows_sum_to_one():
    m = pram_matrix(4, 0.7)
    assert m[0].tolist() == pytest.approx([0.7, 0.1, 0.1, 0.1])
    assert m.sum(axis=1) == pytest.approx(np.ones(4))


def test_pram_is_reproducible_from_its_seed_and_keeps_most_values():
    s = pd.Series([1, 2, 3, 4] * 250)
    a = pram(s, 0.8, np.random.default_rng(7))
    b = pram(s, 0.8, np.random.default_rng(7))
    assert a.values.tolist() == b.values.tolist()
    kept = (a.values.to_numpy() == s.to_numpy()).mean()
    assert 0.76 < kept < 0.84 and a.categories == [1, 2, 3, 4]


def test_noise_has_the_requested_scale_and_is_seeded():
    s = pd.Series(np.arange(2000, dtype=float))
    a = add_noise(s, 0.1, np.random.default_rng(3))
    assert a.tolist() == add_noise(s, 0.1, np.random.default_rng(3)).tolist()
    assert (a - s).std() == pytest.approx(0.1 * s.std(), rel=0.05)
