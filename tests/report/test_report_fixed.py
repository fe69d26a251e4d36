"""Cells that hold by definition (a share of 0 % or 100 % because the group or the base is
made from the indicator's own answer) are flagged alike in estimates.csv, the workbook and
the report: ``flag = fixed``, a zero-width interval, "—" with a note in the tables. An
empirical zero (no child told the police) stays an estimate."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from dhkit.indicators.catalogue import load_catalogue
from dhkit.instrument import shipped_codebook
from dhkit.report.fixed import FIXED, defined_by_answer, direct_sources, made_from


@pytest.fixture(scope="module")
def sources():
    return made_from(direct_sources(load_catalogue(), shipped_codebook()))


def test_tf_csea_status_is_made_from_the_eight_forms_through_the_instrument(sources):
    assert {"ab_unwanted_images", "ab_shared_without_consent"} <= sources["any_tfcsea"]
    assert "inst_told" in sources["told_no_one"]


@pytest.mark.parametrize("indicator, domain, fixed", [
    ("any_tfcsea", "victim", True),            # the group is the answer itself
    ("ab_unwanted_images", "victim", True),    # the group is made from it (instrument)
    ("inperson_sv", "inperson_sv", True),
    ("mh_anxious", "victim", False),           # a real comparison
    ("ab_unwanted_images", "sex", False),
    ("told_anyone", "", False),                # base: victims, not made from telling
])
def test_a_group_or_base_made_from_the_answer_defines_the_cell(sources, indicator, domain,
                                                                 fixed):
    assert defined_by_answer(load_catalogue(), sources, indicator, domain) is fixed


def _csv(built) -> pd.DataFrame:
    return pd.read_csv(built.files["estimates.csv"], keep_default_na=False,
                       dtype={"level": str, "category": str, "domain": str})


def _row(est, indicator, domain, level, category=""):
    r = est[(est["indicator"] == indicator) & (est["domain"] == domain)
            & (est["level"] == level) & (est["category"] == category)]
    assert len(r) == 1
    return r.iloc[0]


def test_estimates_csv_flags_a_share_that_holds_by_definition(built):
    est = _csv(built)
    zero = _row(est, "ab_unwanted_images", "victim", "0")
    assert (zero["flag"], float(zero["estimate"]), float(zero["se"])) == (FIXED, 0.0, 0.0)
    assert (float(zero["ci_low"]), float(zero["ci_high"])) == (0.0, 0.0)
    assert zero["deff"] == ""
    assert _row(est, "any_tfcsea", "victim", "1")["flag"] == FIXED
    assert float(_row(est, "any_tfcsea", "victim", "1")["estimate"]) == 1.0
    real = _row(est, "ab_unwanted_images", "victim", "1")
    assert real["flag"] != FIXED and 0 < float(real["estimate"]) < 1


def test_an_empirical_zero_is_an_estimate_not_a_fixed_cell(built):
    est = _csv(built)
    police = _row(est, "inst_told_whom", "", "", "police")
    assert police["flag"] != FIXED
    fixed = est[est["flag"] == FIXED]
    assert set(fixed["estimate"].astype(float)) <= {0.0, 1.0}
    assert set(fixed["indicator"]) <= {"any_tfcsea", "inperson_sv", "inperson_sv_victims"} | {
        i for i in load_catalogue().indicators if i.startswith("ab_")}


def test_the_workbook_and_the_report_mark_the_same_rows(built):
    est = _csv(built)
    fixed_rows = set(est.loc[est["flag"] == FIXED, "row_id"].astype(int))
    html = built.files["report.html"].read_text(encoding="utf-8")
    import re

    shown = {int(x) for x in re.findall(r'class="num fixed"[^>]*data-row="(\d+)"', html)}
    assert shown and shown <= fixed_rows
    ws = openpyxl.load_workbook(built.files["tables.xlsx"], read_only=True)["Estimates"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    flagged = {int(r[head.index("row_id")]) for r in rows[1:] if r[head.index("flag")] == FIXED}
    assert flagged == fixed_rows


def test_a_base_made_from_a_yes_no_answer_fixes_its_share_but_an_answered_only_base_not():
    from types import SimpleNamespace

    cat = load_catalogue()
    base = SimpleNamespace(unit="child", where="any_tfcsea = 1 AND told_no_one = 1", label={})
    ind = SimpleNamespace(numerator="coalesce(told_no_one, 0)", variable=None, levels={},
                          base="b")
    cat2 = SimpleNamespace(indicators={"x": ind}, bases={"b": base}, domains=cat.domains)
    assert defined_by_answer(cat2, {}, "x", "") is True
    base.where = "told_no_one IS NOT NULL"
    assert defined_by_answer(cat2, {}, "x", "") is False
