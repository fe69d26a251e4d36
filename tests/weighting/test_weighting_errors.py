"""Bad input to calibration: each error names the margin / level and says what to do."""

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError, ValidationError
from dhkit.weighting.calibrate import calibrate, calibrate_weights, poststratify, rake
from dhkit.weighting.margins import Margins
from dhkit.weighting.trim import trim_weights

DATA = pd.DataFrame({"sex": [1, 1, 2, 2, 2, 1], "area": ["u", "r", "u", "r", "u", "u"]})
W = np.full(6, 10.0)


def test_margins_whose_totals_disagree_are_refused():
    m = Margins.from_dict({"sex": {1: 50, 2: 50}, "area": {"u": 40, "r": 70}})
    with pytest.raises(DhkitError) as e:
        rake(W, DATA, m)
    assert e.value.code == "WGT-006" and "'area' sums to 110" in e.value.message


def test_margin_level_absent_from_the_sample_names_the_level():
    m = Margins.from_dict({"sex": {1: 50, 2: 40, 3: 10}})
    with pytest.raises(DhkitError) as e:
        poststratify(W, DATA, m)
    assert e.value.code == "WGT-005" and "'sex'" in e.value.message and "'3'" in e.value.message


def test_sample_level_without_a_total_names_the_level():
    m = Margins.from_dict({"area": {"u": 60}})
    with pytest.raises(DhkitError) as e:
        poststratify(W, DATA, m)
    assert e.value.code == "WGT-004" and "'r'" in e.value.message


def test_margin_variable_missing_from_the_sample():
    with pytest.raises(DhkitError) as e:
        rake(W, DATA, Margins.from_dict({"age": {1: 10}}))
    assert e.value.code == "WGT-002" and "'age'" in e.value.message


def test_bounded_calibration_that_cannot_converge_is_an_error():
    m = Margins.from_dict({"sex": {1: 20, 2: 80}, "area": {"u": 50, "r": 50}})
    with pytest.raises(DhkitError) as e:
        calibrate(W, DATA, m, calfun="logit", bounds=(0.9, 1.1))
    assert e.value.code == "WGT-007" and "widen the bounds" in e.value.message


def test_raking_that_cannot_converge_in_maxit_is_an_error():
    m = Margins.from_dict({"sex": {1: 20, 2: 80}, "area": {"u": 50, "r": 50}})
    with pytest.raises(DhkitError) as e:
        rake(W, DATA, m, maxit=1, epsilon=1e-9)
    assert e.value.code == "WGT-007"


def test_raking_not_converged_returns_when_not_strict():
    m = Margins.from_dict({"sex": {1: 20, 2: 80}, "area": {"u": 50, "r": 50}})
    r = rake(W, DATA, m, maxit=1, epsilon=1e-9, strict=False)
    assert r.converged is False and r.iterations == 1


def test_margins_file_problems_are_all_listed(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("variable,level,total\nsex,1,abc\nsex,1,5\nsex,1,6\nsex:age,1,3\n")
    with pytest.raises(ValidationError) as e:
        Margins.from_csv(p)
    assert e.value.report.codes() == ["WGT-001"] * 3
    assert [p.line for p in e.value.report] == [2, 4, 5]


def test_missing_input_weights_are_refused():
    with pytest.raises(DhkitError) as e:
        poststratify([1, np.nan, 1, 1, 1, 1], DATA, Margins.from_dict({"sex": {1: 3, 2: 3}}))
    assert e.value.code == "WGT-008" and "row 2" in e.value.message


def test_logit_needs_finite_bounds():
    with pytest.raises(DhkitError) as e:
        calibrate_weights(W, DATA, Margins.from_dict({"sex": {1: 30, 2: 30}}), "logit")
    assert e.value.code == "WGT-010"


def test_poststratify_takes_one_margin():
    m = Margins.from_dict({"sex": {1: 30, 2: 30}, "area": {"u": 40, "r": 20}})
    with pytest.raises(DhkitError) as e:
        poststratify(W, DATA, m)
    assert e.value.code == "WGT-009"


def test_trimming_keeps_the_sum_and_bounds_the_weights_when_strict():
    w = np.array([1.0, 2, 3, 4, 30])
    r = trim_weights(w, lower=1.5, upper=10, strict=True)
    assert r.weights.sum() == pytest.approx(w.sum())
    assert r.weights.min() >= 1.5 - 1e-12 and r.weights.max() <= 10 + 1e-12


def test_crossed_margin_of_integer_columns_poststratifies():
    df = pd.DataFrame({"a": [1, 1, 2, 2, 7], "b": [5, 6, 5, 5, 6]})
    m = Margins.from_dict({"a:b": {"1:5": 10, "1:6": 20, "2:5": 30, "7:6": 40}})
    r = poststratify(np.ones(5), df, m)
    assert r.weights.tolist() == [10.0, 20.0, 15.0, 15.0, 40.0]


def test_numeric_total_needs_a_calibration_method():
    m = Margins.from_frame(pd.DataFrame({"variable": ["sex", "sex", "x"], "level": ["1", "2", ""],
                                         "total": [30.0, 30.0, 100.0]}))
    df = DATA.assign(x=np.arange(6.0))
    with pytest.raises(DhkitError) as e:
        rake(W, df, m)
    assert e.value.code == "WGT-009" and "'x'" in e.value.message
    r = calibrate(W, df, m, calfun="linear")
    row = r.achieved().query("variable == 'x'").iloc[0]
    assert row["level"] == "(total)" and row["after"] == pytest.approx(100.0)


def test_numeric_levels_read_from_csv_match_integer_columns(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("variable,level,total\nsex,1,30\nsex,2,30\nx,,100\n")   # levels read as floats
    m = Margins.from_csv(p)
    assert m.margins[0].levels == ("1", "2") and m.margins[1].numeric
    r = calibrate(W, DATA.assign(x=np.arange(6.0)), m)
    assert r.weights.sum() == pytest.approx(60)


def test_zero_padded_levels_are_kept_as_written(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("variable;level;total\ndept;05;30\ndept;11;30\n")
    m = Margins.from_csv(p)
    r = poststratify([1.0, 1.0, 1.0], pd.DataFrame({"dept": ["05", "11", "11"]}), m)
    assert r.weights.tolist() == [30.0, 15.0, 15.0]
