"""Risk measures against hand-computed values (sdcMicro conventions)."""

import math

import numpy as np
import pandas as pd
import pytest

from dhkit.release.risk import (individual_risk, k_violations, l_diversity, measure_risk,
                                population_frequencies, sample_frequencies)


@pytest.fixture
def toy():
    # cells: (1,a) x3, (1,b) x2, (2,a) x1
    return pd.DataFrame({"sex": [1, 1, 1, 1, 1, 2], "area": list("aaabba"),
                         "w": [10.0, 20.0, 30.0, 5.0, 5.0, 50.0],
                         "abuse": [0, 1, 0, 1, 1, 0]})


def test_sample_frequency_counts_records_in_the_key_cell(toy):
    assert sample_frequencies(toy, ["sex", "area"]).tolist() == [3, 3, 3, 2, 2, 1]


def test_population_frequency_is_the_sum_of_weights_in_the_cell(toy):
    assert population_frequencies(toy, ["sex", "area"], "w").tolist() == [60, 60, 60, 10, 10, 50]


def test_a_suppressed_value_matches_every_value_of_its_variable(toy):
    toy.loc[5, "area"] = None          # (2, ?) is now only told apart by sex
    assert sample_frequencies(toy, ["sex", "area"]).tolist() == [3, 3, 3, 2, 2, 1]
    toy.loc[5, "sex"] = None           # (?, ?) matches everyone
    assert sample_frequencies(toy, ["sex", "area"]).tolist() == [4, 4, 4, 3, 3, 6]


def test_k_violations_count_records_in_cells_smaller_than_k(toy):
    assert k_violations(toy, ["sex", "area"], 3) == 3
    assert k_violations(toy, ["sex", "area"], 2) == 1


def test_individual_risk_follows_benedetti_franconi_by_cell_size():
    f = np.array([1, 2, 3])
    F = np.array([50.0, 10.0, 60.0])
    r = individual_risk(f, F)
    p1, p3 = 1 / 50, 3 / 60
    assert r[0] == pytest.approx(p1 / (1 - p1) * math.log(1 / p1))           # 0.07984
    assert r[1] == pytest.approx(0.25 - 0.0625 * math.log(5))                  # 0.14941
    assert r[2] == pytest.approx(p3 / (3 - (1 - p3)))                          # 0.02439
    assert r[0] == pytest.approx(0.0798372, rel=1e-5)


def test_individual_risk_of_a_census_is_one_over_the_cell_size():
    assert individual_risk(np.array([1, 4]), np.array([1.0, 4.0])).tolist() == [1.0, 0.25]


def test_l_diversity_counts_distinct_sensitive_values_in_the_cell(toy):
    assert l_diversity(toy, ["sex", "area"], "abuse").tolist() == [2, 2, 2, 1, 1, 1]


def test_measure_risk_sums_risks_into_expected_reidentifications(toy):
    r = measure_risk(toy, ["sex", "area"], "w", k=3, sensitive=["abuse"], risk_threshold=0.1)
    risks = individual_risk(np.array([3, 3, 3, 2, 2, 1]), np.array([60, 60, 60, 10, 10, 50.0]))
    assert r.uniques == 1 and r.k_violations == 3
    assert r.expected_reidentifications == pytest.approx(risks.sum())
    assert r.max_individual_risk == pytest.approx(0.14941, rel=1e-4)
    assert r.high_risk == 2 and r.l_diversity == {"abuse": 1}
