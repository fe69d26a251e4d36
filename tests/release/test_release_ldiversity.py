"""l-diversity (distinct, entropy, recursive (c, l), positive-disclosure recursive) and its
treatment, and household-level risk, against hand-computed values.

Reference: Machanavajjhala, Kifer, Gehrke, Venkitasubramaniam (2007), "l-diversity: privacy
beyond k-anonymity", ACM TKDD 1(1): Def. 4.1 (entropy), 4.2 (recursive), 4.4
(positive-disclosure recursive, "don't care" values); sdcMicro ``measure_hierachical``."""

import math

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import ValidationError
from dhkit.release.config import LDiversityRule, load_release_spec
from dhkit.release.risk import (entropy_l, household_risk, individual_risk,
                                ldiversity_violations, measure_risk, recursive_ok,
                                sample_frequencies)
from dhkit.release.treat import ldiversity_suppression


@pytest.fixture
def cells():
    # cell a: 3 "no" (2) + 1 "yes" (1); cell b: 2 "yes"; cell c: 3 "no"
    return pd.DataFrame({"area": list("aaaabbccc"), "abuse": [2, 2, 2, 1, 1, 1, 2, 2, 2],
                         "w": [10.0] * 9})


def test_entropy_l_is_exp_of_the_cells_entropy(cells):
    e = entropy_l(cells, ["area"], "abuse")
    h = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))          # 0.5623
    assert e[0] == pytest.approx(math.exp(h)) == pytest.approx(1.7548, abs=1e-4)
    assert e[4] == 1.0 and e[6] == 1.0


def test_recursive_cl_diversity_compares_the_top_count_with_the_tail():
    # r = (5, 3, 2): (2, 2)-diverse as 5 < 2·(3 + 2); not (2, 3)-diverse as 5 ≥ 2·2
    assert recursive_ok(np.array([5.0, 3, 2]), list("abc"), l=2, c=2)
    assert not recursive_ok(np.array([5.0, 3, 2]), list("abc"), l=3, c=2)
    assert not recursive_ok(np.array([7.0, 2, 1]), list("abc"), l=2, c=2)   # 7 ≥ 6


def test_positive_disclosure_recursive_lets_no_dominate_but_not_yes():
    dont = ("2",)
    # 3 no, 1 yes: y = 2 > l − 1 → 1 < 3·3
    assert recursive_ok(np.array([3.0, 1]), ["2", "1"], l=2, c=3, dont_care=dont)
    # 3 yes, 1 no: y = 1 ≤ l − 1 → 3 < 3·1 fails; 2 yes, 1 no → 2 < 3 passes
    assert not recursive_ok(np.array([3.0, 1]), ["1", "2"], l=2, c=3, dont_care=dont)
    assert recursive_ok(np.array([2.0, 1]), ["1", "2"], l=2, c=3, dont_care=dont)
    assert recursive_ok(np.array([4.0]), ["2"], l=2, c=3, dont_care=dont)     # only "no"


def test_a_cell_of_only_harmless_answers_is_not_a_violation(cells):
    distinct = LDiversityRule("distinct", 2, dont_care={"abuse": (2,)})
    assert ldiversity_violations(cells, ["area"], "abuse", distinct).tolist() == [
        False] * 4 + [True] * 2 + [False] * 3
    strict = LDiversityRule("distinct", 2)          # without dont_care: "no" cells too
    assert ldiversity_violations(cells, ["area"], "abuse", strict).sum() == 5


def test_suppression_merges_a_breaking_cell_until_the_rule_holds(cells):
    rule = LDiversityRule("recursive", 2, 3, dont_care={"abuse": (2,)})
    r = ldiversity_suppression(cells, ["area"], ["abuse"], rule)
    assert r.suppressed == {"area": 2} and r.unfixable == {}
    assert r.data["area"].isna().tolist() == [False] * 4 + [True] * 2 + [False] * 3
    assert not ldiversity_violations(r.data, ["area"], "abuse", rule).any()
    assert (sample_frequencies(r.data, ["area"]) >= 2).all()       # k can only improve


def test_a_file_too_homogeneous_to_fix_is_reported_unfixable():
    d = pd.DataFrame({"a": [1, 1, 2], "s": [1, 1, 1]})
    r = ldiversity_suppression(d, ["a"], ["s"], LDiversityRule("distinct", 2))
    assert r.unfixable == {"s": 3}


def test_household_risk_is_one_minus_the_product_of_member_safety():
    assert household_risk(np.array([0.1]), np.array([0.2]))[0] == pytest.approx(0.28)


def test_measure_risk_reports_household_risk_on_the_joint_key():
    d = pd.DataFrame({"region": [1, 1, 1, 1], "child_sex": [1, 1, 2, 2],
                      "cg_sex": [1, 2, 1, 1], "w": [5.0, 5.0, 5.0, 5.0]})
    r = measure_risk(d, ["region", "child_sex"], "w", k=2, household_keys=["region", "cg_sex"])
    h = r.household
    assert h.keys == ("region", "child_sex", "cg_sex")
    assert h.uniques == 2 and h.k_violations == 2                  # rows 1 and 2
    rc = individual_risk(np.array([2, 2, 2, 2]), np.full(4, 10.0))
    rg = individual_risk(np.array([3, 1, 3, 3]), np.array([15.0, 5, 15, 15]))
    assert h.expected_reidentifications == pytest.approx((1 - (1 - rc) * (1 - rg)).sum())


def _spec(tmp_path, body: str):
    p = tmp_path / "release.toml"
    p.write_text('[release]\nkeys = ["region"]\nsensitive = ["any_tfcsea"]\n' + body)
    return p


def test_ldiversity_settings_are_validated_with_their_line(tmp_path):
    p = _spec(tmp_path, '[ldiversity]\nmeasure = "bogus"\nc = 0\n'
                        'dont_care = { inperson_sv = [2] }\n')
    with pytest.raises(ValidationError) as exc:
        load_release_spec(p)
    text = str(exc.value)
    assert "line 5: [REL-003] 'measure' must be one of distinct, entropy, recursive" in text
    assert "line 6: [REL-003] c must be positive" in text
    assert "line 7: [REL-005] 'inperson_sv' in dont_care is not a sensitive variable" in text


def test_ldiversity_settings_are_read(tmp_path):
    s = load_release_spec(_spec(tmp_path, '[ldiversity]\nmeasure = "entropy"\nl = 1.5\n'
                                          'treat = "refuse"\ndont_care = { any_tfcsea = [0] }\n'))
    assert s.ldiversity == LDiversityRule("entropy", 1.5, 3.0, "refuse", {"any_tfcsea": (0,)})


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(6, 50), p=st.floats(0.05, 0.6),
       measure=st.sampled_from(["distinct", "recursive"]))
def test_ldiversity_holds_after_suppression_or_the_file_is_flagged(seed, n, p, measure):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"a": rng.integers(0, 4, n), "b": rng.integers(0, 3, n),
                      "s": np.where(rng.random(n) < p, 1, 2)})
    rule = LDiversityRule(measure, 2, 3, dont_care={"s": (2,)})
    r = ldiversity_suppression(d, ["a", "b"], ["s"], rule)
    left = int(ldiversity_violations(r.data, ["a", "b"], "s", rule).sum())
    assert left == r.unfixable.get("s", 0)
    if left:   # only when every key of the breaking records is already suppressed
        bad = ldiversity_violations(r.data, ["a", "b"], "s", rule)
        assert r.data.loc[bad, ["a", "b"]].isna().all().all()


def test_replicate_settings_are_validated(tmp_path):
    p = _spec(tmp_path, '[replicates]\ntype = "BRR"\nreplicates = 1\npublic = "yes"\n')
    with pytest.raises(ValidationError) as exc:
        load_release_spec(p)
    text = str(exc.value)
    assert "line 5: [REL-003] 'type' must be one of bootstrap, JKn, not 'BRR'" in text
    assert "line 6: [REL-003] replicates must be at least 2" in text
    assert "line 7: [REL-003] 'public' must be a boolean" in text
