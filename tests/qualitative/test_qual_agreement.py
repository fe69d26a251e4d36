"""Inter-coder agreement equals the reference implementations and published examples."""

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa, to_table

from dhkit.errors import DhkitError
from dhkit.qualitative.agreement import agreement, cohen_kappa, krippendorff_alpha, reliability_data
from dhkit.qualitative.demo import load_demo
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"
NA = np.nan


def test_krippendorff_2011_nominal_example_with_missing_values():
    # Krippendorff (2011) "Computing Krippendorff's alpha-reliability", section C:
    # 4 observers, 12 units, nominal; published alpha = 0.743.
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
            [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA]]
    assert round(krippendorff_alpha(data), 3) == 0.743
    assert krippendorff_alpha(data) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)


def test_krippendorff_2011_binary_two_observer_example():
    # Same source, section A: two observers, ten units, binary; alpha = 1 - 19*4/(14*6).
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert krippendorff_alpha(data) == pytest.approx(1 - 76 / 84, abs=1e-12)
    assert round(krippendorff_alpha(data), 3) == 0.095


def test_cohen_kappa_textbook_example():
    # 50 proposals read by two readers: yes/yes 20, yes/no 5, no/yes 10, no/no 15;
    # p_o = 0.70, p_e = 0.50, kappa = 0.40 (worked example of the Wikipedia article
    # "Cohen's kappa", after Cohen 1960).
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels' z-test on degenerate tables
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=80))
def test_cohen_kappa_equals_statsmodels(pairs):
    a, b = np.array(pairs).T
    ours = cohen_kappa(a, b)
    table = to_table(np.c_[a, b], bins=np.arange(5) - 0.5)[0]
    if np.isnan(ours):
        return
    assert ours == pytest.approx(cohens_kappa(table).kappa, abs=1e-9)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the package on undefined alpha
@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.integers(2, 40), st.integers(0, 2**32 - 1))
def test_alpha_equals_the_krippendorff_package(n_coders, n_units, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 4, size=(n_coders, n_units)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    ours = krippendorff_alpha(data)
    try:
        ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except ValueError:  # one value only, or nothing pairable: undefined
        assert np.isnan(ours)
        return
    if np.isnan(ref):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("agree") / "s.duckdb", KEY) as s:
        load_demo(s, withdraw=False)
        yield s


@pytest.mark.parametrize("level", ["unit", "character"])
def test_demo_agreement_per_code_equals_the_references(store, level):
    report = agreement(store, ["coder-a", "coder-b"], level=level)
    assert report.per_code
    for row in report.per_code:
        data = reliability_data(store, row.code_id, ["coder-a", "coder-b"], level)
        ref_alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert row.alpha == pytest.approx(ref_alpha, abs=1e-9)
        ref_kappa = cohens_kappa(to_table(data.T.astype(int), bins=[-0.5, 0.5, 1.5])[0]).kappa
        assert row.kappa == pytest.approx(ref_kappa, abs=1e-9)
    assert 0.5 < report.overall.kappa < 1 and 0.5 < report.overall.alpha < 1
    pooled = np.concatenate([reliability_data(store, r.code_id, ["coder-a", "coder-b"], level)
                             for r in report.per_code], axis=1)
    assert report.overall.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal"), abs=1e-9)
    assert report.overall.kappa == pytest.approx(
        cohens_kappa(to_table(pooled.T.astype(int), bins=[-0.5, 0.5, 1.5])[0]).kappa, abs=1e-9)


def test_identical_codings_agree_perfectly(store):
    row = next(r for r in agreement(store).per_code if r.code_id == "disclosure.told")
    assert (row.percent_agreement, row.kappa, row.alpha) == (1.0, 1.0, 1.0)


def test_agreement_needs_two_known_coders(store):
    with pytest.raises(DhkitError) as exc:
        agreement(store, ["coder-a", "coder-z"])
    assert exc.value.code == "QUAL-071"


@pytest.mark.parametrize("level", ["unit", "character"])
def test_units_are_built_as_documented(store, level):
    """A plain re-implementation: unit = non-empty line (or character), applied when any
    of the coder's segments with the code overlaps it."""
    from dhkit.qualitative.codings import codings, redacted_texts

    texts, segs = redacted_texts(store), codings(store)
    for code in ("coercion", "disclosure.shame"):
        expected = []
        for coder in ("coder-a", "coder-b"):
            row = []
            for tid in sorted(texts):
                text, pos, units = texts[tid], 0, []
                if level == "character":
                    units = [(i, i + 1) for i in range(len(text))]
                else:
                    for line in text.split("\n"):
                        if line.strip():
                            units.append((pos, pos + len(line)))
                        pos += len(line) + 1
                mine = [(c.start, c.end) for c in segs if c.transcript_id == tid
                        and c.coder == coder and c.code_id == code]
                row += [float(any(s < b and a < e for s, e in mine)) for a, b in units]
            expected.append(row)
        got = reliability_data(store, code, ["coder-a", "coder-b"], level)
        assert got.tolist() == expected
