"""Rao-Scott chi-square (svychisq) and design-based t-test (svyttest) equal to R survey 4.1.1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError
from dhkit.survey.association import chisq, ttest
from dhkit.survey.design import Design
from dhkit.survey.replicate import ReplicateDesign

FX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "extras"
META = json.loads((FX / "replicate_designs.json").read_text())
CHISQ = pd.read_csv(FX / "chisq.csv", keep_default_na=False, na_values=["NaN"])
TTEST = pd.read_csv(FX / "ttest.csv")
RTOL = 1e-8


def design(case: str):
    """The R design named ``case``: linearization (clus1, strat) or replicate."""
    if case == "clus1":
        return Design(pd.read_csv(FX / "apiclus1.csv"), weights="pw", psu="dnum", fpc="fpc")
    if case == "strat":
        return Design(pd.read_csv(FX / "apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    if case == "clus1_post":  # R postStratify(dclus1, ~stype, ...)
        from dhkit.weighting.calibrate import calibrate_design
        from dhkit.weighting.margins import Margins

        margins = Margins.from_dict({"stype": {"E": 4421, "H": 755, "M": 1018}})
        return calibrate_design(design("clus1"), margins, "poststratify")
    m = META[case]
    kind = "SDR" if m["type"] == "successive-difference" else m["type"]
    kw = {} if kind == "SDR" else {"scale": m["scale"], "rscales": m["rscales"]}
    return ReplicateDesign(pd.read_csv(FX / m["file"]), repweights="^rw[0-9]+$",
                           weights="pweight", type=kind, combined_weights=m["combined"],
                           mse=m["mse"], **kw)


@pytest.mark.parametrize("case", sorted(CHISQ.case.unique()))
def test_chisq_equals_r(case):
    d = design(case)
    for _, r in CHISQ[CHISQ.case == case].iterrows():
        x = chisq(d, r.row_var, r.col_var, statistic=r.statistic_type)
        assert x.method == r.method
        np.testing.assert_allclose([x.statistic, x.ndf, x.p_value], [r.statistic, r.ndf, r.p_value],
                                   rtol=RTOL, err_msg=f"{case} {r.row_var}x{r.col_var}")
        if r.statistic_type == "F":
            assert x.ddf == pytest.approx(r.ddf, rel=RTOL)
        else:
            assert x.ddf is None


@pytest.mark.parametrize("case", sorted(TTEST.case.unique()))
def test_ttest_equals_r(case):
    d = design(case)
    for _, r in TTEST[TTEST.case == case].iterrows():
        x = ttest(d, r.y, r.group)
        np.testing.assert_allclose(
            [x.estimate, x.se, x.statistic, x.p_value, x.ci_low, x.ci_high],
            [r.estimate, r.se, r.statistic, r.p_value, r.ci_low, r.ci_high], rtol=RTOL,
            err_msg=f"{case} {r.y}~{r.group}")
        assert x.df == r.df
        assert x.groups == ("No", "Yes")


def test_ttest_difference_is_second_group_minus_first():
    df = pd.DataFrame({"w": [1.0, 2, 1, 2, 1, 2], "c": range(6), "g": [1, 1, 1, 2, 2, 2],
                       "y": [1.0, 2, 3, 5, 6, 7]})
    x = ttest(Design(df, weights="w", psu="c"), "y", "g")
    m1 = (1 * 1 + 2 * 2 + 1 * 3) / 4
    m2 = (2 * 5 + 1 * 6 + 2 * 7) / 5
    assert x.estimate == pytest.approx(m2 - m1)
    assert x.groups == ("1", "2")


def test_chisq_independent_table_has_zero_statistic():
    df = pd.DataFrame({"w": 1.0, "c": range(8), "a": list("xxyyxxyy"), "b": list("pqpqpqpq")})
    x = chisq(Design(df, weights="w", psu="c"), "a", "b", statistic="Chisq")
    assert x.statistic == pytest.approx(0.0, abs=1e-12) and x.p_value == pytest.approx(1.0)


def test_chisq_one_level_names_the_column():
    with pytest.raises(DhkitError) as e:
        chisq(_one_level(), "a", "b")
    assert e.value.code == "REP-009" and "'a'" in e.value.message and "at least 2" in e.value.message


def _one_level():
    df = pd.DataFrame({"w": 1.0, "c": range(4), "a": ["x"] * 4, "b": list("pqpq")})
    return Design(df, weights="w", psu="c")


def test_chisq_unknown_statistic_is_refused():
    with pytest.raises(DhkitError) as e:
        chisq(design("clus1"), "sch.wide", "stype", statistic="Wald")
    assert e.value.code == "REP-014"


def test_ttest_group_must_have_two_values():
    with pytest.raises(DhkitError) as e:
        ttest(design("clus1"), "api00", "stype")
    assert e.value.code == "REP-010" and "'stype'" in e.value.message and "3 value" in e.value.message
    df = pd.DataFrame({"w": 1.0, "c": range(4), "g": [3, 3, 5, 5], "y": [1.0, 2, 3, 4]})
    with pytest.raises(DhkitError) as e:
        ttest(Design(df, weights="w", psu="c"), "y", "g")
    assert e.value.code == "REP-010" and "0/1" in e.value.message


def test_ttest_outcome_must_be_numeric():
    with pytest.raises(DhkitError) as e:
        ttest(design("clus1"), "stype", "sch.wide")
    assert e.value.code == "EST-014" and "'stype'" in e.value.message
