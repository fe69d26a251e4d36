"""The notebook API: one meaning of ``by``, string names, subset/update, imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError
from dhkit.survey import Design, as_replicate

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"


@pytest.fixture(scope="module")
def strat() -> Design:
    return Design(pd.read_csv(FIX / "apistrat.csv"), weights="pw", strata="stype", psu=None,
                  fpc="fpc")


def test_a_single_name_may_be_a_string_in_every_verb(strat):
    one = strat.estimate(means="api00", totals="enroll").table
    two = strat.estimate(means=["api00"], totals=["enroll"]).table
    pd.testing.assert_frame_equal(one, two)
    assert strat.mean("api00").table.indicator.tolist() == ["api00"]


def test_by_is_one_domain_and_a_list_is_crossed(strat):
    crossed = strat.mean("api00", by=["stype", "sch.wide"]).table
    assert set(crossed.domain) == {"", "stype:sch.wide"}
    plan = strat.estimate(means="api00", domains=["stype", ["stype", "sch.wide"]]).table
    pd.testing.assert_frame_equal(plan[plan.domain == "stype:sch.wide"].reset_index(drop=True),
                                  crossed[crossed.domain != ""].reset_index(drop=True))


def test_by_with_a_nested_list_points_to_domains(strat):
    with pytest.raises(DhkitError) as e:
        strat.mean("api00", by=["stype", ["stype", "sch.wide"]])
    assert e.value.code == "EST-028" and "domains=" in e.value.message


def test_subset_is_the_domain_of_the_full_design(strat):
    """R: svymean(~api00, subset(dstrat, stype == "E")) equals the stype=E row of svyby."""
    sub = strat.subset("stype == 'E'").mean("api00").table.iloc[0]
    row = strat.mean("api00", by="stype").table.query("level == 'E'").iloc[0]
    assert sub.estimate == pytest.approx(row.estimate, rel=1e-12)
    assert sub.se == pytest.approx(row.se, rel=1e-12)
    assert sub.n_unweighted == row.n_unweighted


def test_subset_on_a_replicate_design_is_its_domain(strat):
    rep = as_replicate(strat)
    sub = rep.subset(lambda d: d["stype"] == "H").mean("api00").table.iloc[0]
    row = rep.mean("api00", by="stype").table.query("level == 'H'").iloc[0]
    assert sub.se == pytest.approx(row.se, rel=1e-12)


def test_filtering_the_data_first_gives_another_variance():
    df = pd.read_csv(FIX / "apiclus1.csv")
    d = Design(df, weights="pw", psu="dnum")
    right = d.subset("stype == 'H'").mean("api00").table.se.iloc[0]
    wrong = Design(df[df.stype == "H"], weights="pw", psu="dnum").mean("api00").table.se.iloc[0]
    assert right != pytest.approx(wrong, rel=1e-3)


def test_update_adds_a_derived_variable_without_touching_the_design(strat):
    d2 = strat.update(high="api00 > 700", diff=lambda d: d.api00 - d.api99)
    assert d2.mean("high").table.statistic.iloc[0] == "proportion"
    assert "high" not in strat.data.columns
    assert d2.stages is strat.stages
    diff = d2.mean("diff").table.estimate.iloc[0]
    means = strat.mean(["api00", "api99"]).table.estimate.to_numpy()
    assert diff == pytest.approx(means[0] - means[1], rel=1e-12)


def test_ttest_and_chisq_take_a_domain(strat):
    d = strat
    inner = d.ttest("api00", "sch.wide", domain="stype == 'E'")
    outer = d.subset("stype == 'E'").ttest("api00", "sch.wide")
    assert inner.estimate == outer.estimate and inner.se == outer.se
    assert d.chisq("sch.wide", "comp.imp", domain="stype == 'E'").p_value == \
        d.subset("stype == 'E'").chisq("sch.wide", "comp.imp").p_value


def test_quantile_import_is_the_function_even_after_the_module_loads():
    code = ("import dhkit.survey.quantiles\nfrom dhkit.survey import quantile\n"
            "print(callable(quantile))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")})
    assert out.stdout.strip() == "True", out.stderr


def test_every_result_has_a_tidy_table(strat):
    results = [strat.mean("api00"), strat.ttest("api00", "sch.wide"),
               strat.chisq("sch.wide", "comp.imp"), strat.glm("api00 ~ ell"),
               strat.glm("api00 ~ ell").wald("ell"),
               strat.update(yes=lambda d: (d["sch.wide"] == "Yes").astype(int))
                    .prevalence_ratio("yes", "stype", ("H", "E"))]
    for r in results:
        assert isinstance(r.table, pd.DataFrame) and len(r.table) >= 1
