"""Nonresponse adjustments (classes, propensity by IRLS) and weight diagnostics."""

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError
from dhkit.weighting.diagnostics import (
    diagnostics_html,
    factors_by_class,
    weight_diagnostics,
    write_diagnostics_excel,
)
from dhkit.weighting.nonresponse import (
    base_weights,
    logistic_irls,
    nonresponse_classes,
    nonresponse_propensity,
)


def test_logistic_irls_equals_r_glm_quasibinomial():
    a = np.array(list("uurrururruur")) == "u"
    x = np.array([1, 5, 2, 3, 4, 6, 2, 1, 7, 3, 2, 6.])
    X = np.column_stack([np.ones(12), a, x])
    y = np.array([1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 1.])
    w = np.array([1, 2, 1, 3, 1, 2, 1, 1, 2, 1, 1, 2.])
    beta, _ = logistic_irls(X, y, w)
    # R: coef(glm(r ~ a + x, family = quasibinomial, weights = w))
    np.testing.assert_allclose(beta, [7.06943765923987, -2.74651950892661, -1.22191172203228],
                               rtol=1e-8)


def test_factor_cap_limits_the_adjustment():
    r = nonresponse_classes([1.] * 5, [1, 0, 0, 0, 0], ["a"] * 5, cap=2.0)
    assert r.weights.tolist() == [2.0, 0, 0, 0, 0] and r.n_capped == 1
    assert r.table["factor_uncapped"].tolist() == [5.0]


def test_inverse_propensity_capped():
    cov = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10})
    resp = [1] * 9 + [0] + [1] * 2 + [0] * 8
    r = nonresponse_propensity([1.] * 20, resp, cov, classes=None, cap=4.0)
    assert r.factors[0] == pytest.approx(10 / 9) and r.factors[10] == 4.0
    assert r.n_capped == 2


def test_perfect_prediction_of_response_is_reported():
    cov = pd.DataFrame({"x": np.arange(20.0)})
    with pytest.raises(DhkitError) as e:
        nonresponse_propensity([1.] * 20, [0] * 10 + [1] * 10, cov, classes=None)
    assert e.value.code == "WGT-012"


def test_probability_outside_unit_interval_is_refused():
    with pytest.raises(DhkitError) as e:
        base_weights(pd.DataFrame({"p": [0.5, 0.0]}), ["p"])
    assert e.value.code == "WGT-016" and "row 2" in e.value.message


def test_kish_deff_and_effective_n():
    d = weight_diagnostics([1., 1., 2., 4.])
    assert d.deff_kish == pytest.approx(4 * 22 / 64)
    assert d.n_effective == pytest.approx(64 / 22)
    assert d.deff_kish == pytest.approx(1 + d.cv ** 2)


def test_factors_by_class_table():
    t = factors_by_class([1., 1., 2.], [2., 3., 2.], ["a", "a", "b"], "region")
    assert t.to_dict("list") == {"region": ["a", "b"], "n": [2, 1], "before": [2.0, 2.0],
                                 "after": [5.0, 2.0], "factor": [2.5, 1.0]}


def test_appendix_html_and_excel(tmp_path):
    tables = {"Weights": weight_diagnostics([1., 2.]).table()}
    html = diagnostics_html(tables)
    assert html.startswith("<section") and "<caption>Weights</caption>" in html
    path = write_diagnostics_excel(tables, tmp_path / "a.xlsx")
    sheet = pd.read_excel(path, sheet_name="Weighting", header=None)
    assert sheet.iloc[0, 0] == "Weights" and sheet.iloc[1, 0] == "statistic"


def test_the_appendix_file_is_a_page_with_statistics_named_for_a_reader():
    from dhkit.weighting.diagnostics import diagnostics_document

    page = diagnostics_document({"Weights": weight_diagnostics([1., 2., 3., 6.]).table()})
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<h1>Weighting diagnostics</h1>" in page
    for label in ("Design effect due to weighting", "Effective sample size",
                  "1st percentile", "Median", "99th percentile"):
        assert f"<td>{label}</td>" in page
    assert '<td class="num">4</td>' in page            # the row count, right-aligned
