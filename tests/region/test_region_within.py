"""Each country's own tests between two groups of a domain (girls and boys, urban and
rural) — the national report's planned contrasts — carried into the regional tables as
† on the country's cells, never for a pair the region does not publish."""

import math

import pandas as pd
from openpyxl import load_workbook

from dhkit.region.render import render_html, table_views


def _national(analysis, country):
    return next(c for c in analysis.countries if c.ref.id == country).analysis.contrasts


def test_a_countrys_test_is_its_national_contrast_mapped_to_common_ids(analysis):
    w = analysis.within
    row = w[(w["country"] == "CO") & (w["indicator"] == "any_tfcsea") & (w["domain"] == "sex")]
    assert len(row) == 1
    row = row.iloc[0]
    nat = _national(analysis, "CO")
    src = nat[(nat["indicator"] == "any_tfcsea") & (nat["domain"] == "sex")].iloc[0]
    assert (row["level_a"], row["level_b"]) == (str(src["level_a"]), str(src["level_b"]))
    assert row["difference"] == src["difference"] and row["p_value"] == src["p_value"]
    assert row["significant"] == bool(src["significant"])
    # girls minus boys, as the country's cells say
    c = analysis.cells
    cell = lambda lv: c[(c["country"] == "CO") & (c["indicator"] == "any_tfcsea")   # noqa: E731
                        & (c["domain"] == "sex") & (c["level"] == lv)]["estimate"].iloc[0]
    assert math.isclose(row["difference"], cell(row["level_b"]) - cell(row["level_a"]),
                        rel_tol=1e-9, abs_tol=1e-12)


def test_a_test_with_an_unpublished_side_is_blank(analysis):
    w, c = analysis.within, analysis.cells
    status = {k: s for k, s in zip(c[["country", "indicator", "category", "domain", "level"]]
                                   .itertuples(index=False, name=None), c["status"])}
    blank = 0
    for r in w.to_dict("records"):
        sides = [status[(r["country"], r["indicator"], r["category"], r["domain"], lv)]
                 for lv in (r["level_a"], r["level_b"])]
        if sides != ["published", "published"]:
            blank += 1
            assert r["status"] == "suppressed" and math.isnan(r["difference"])
            assert not r["significant"]
    assert blank > 0          # the small demo has victims' tables with suppressed groups


def test_both_groups_of_a_significant_pair_carry_the_mark_and_the_note_names_the_pair(
        analysis):
    w = analysis.within
    sig = w[w["significant"] & (w["country"] == "CO") & (w["indicator"] == "any_tfcsea")]
    assert not sig.empty
    table = table_views(analysis, "en")[0]
    col = [c.ref.id for c in analysis.countries].index("CO")
    marked = {r.label for r in table.rows if r.cells and r.cells[col].mark
              and r.label.startswith(("Sex:", "Area:"))}
    expected = set()
    for r in sig.to_dict("records"):
        dom = analysis.region.harmonisation.domains[r["domain"]]
        expected |= {f"{dom.label['en']}: {dom.levels[lv]['en']}"
                     for lv in (r["level_a"], r["level_b"])}
    assert expected <= marked
    assert any(n.startswith("† (the two groups differ within that country): Sex: Girls – Boys")
               for n in table.notes)


def test_the_mark_is_seen_and_said_in_words(analysis):
    html = render_html(analysis, "en")
    assert ('<span class="sig" aria-hidden="true">†</span><span class="vh"> (the two groups '
            'differ significantly in this country)</span>') in html


def test_the_tests_are_written_as_tidy_data_and_a_workbook_sheet(built):
    within = pd.read_csv(built.files["within.csv"])
    assert {"country", "indicator", "domain", "level_a", "level_b", "difference", "p_value",
            "significant", "source_indicator"} <= set(within.columns)
    assert "within.parquet" in built.files
    wb = load_workbook(built.files["tables.xlsx"], read_only=True)
    assert "Within countries" in wb.sheetnames
