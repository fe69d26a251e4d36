"""What a reader meets in the regional report: every table names each country's unweighted
base, a combined figure never shows an interval of zero width, a range of one value says
so, differences read with a true minus sign and usable p-values (in Spanish too), the
legal summary's shares add up to 100 with the items not yet answered, chart titles wrap
instead of being cut, and a country's study title sits on a line of its own."""

import math

import pandas as pd

from dhkit.region import compare
from dhkit.region.render import (_combined, _range, base_text, legal_view, p_text, points,
                                  render_html, small_multiples, table_views)
from dhkit.report.i18n import Translator


def _overall_n(analysis, country: str, indicator: str) -> int:
    c = analysis.cells
    row = c[(c["country"] == country) & (c["indicator"] == indicator) & (c["domain"] == "")
            & (c["category"] == "")]
    return int(row["n_unweighted"].iloc[0])


def test_the_base_line_names_each_countrys_unweighted_n(analysis):
    n = {cid: _overall_n(analysis, cid, "any_tfcsea") for cid in ("CO", "KE", "PH", "TH")}
    assert base_text(analysis, ["any_tfcsea"], "en") == (
        "internet-using children aged 12–17 (unweighted n: "
        f"CO {n['CO']}, KE {n['KE']}, PH {n['PH']}, TH {n['TH']})")
    # the demo's countries are a fifth of 999 / 700 / 800 / 600 children
    assert (n["CO"], n["KE"], n["PH"], n["TH"]) == (200, 140, 160, 120)
    assert "(n no ponderado: CO 200, KE 140, PH 160, TH 120)" in \
        base_text(analysis, ["any_tfcsea"], "es")


def test_the_disclosure_table_base_is_the_victims_of_each_country(analysis):
    disclosure = next(tv for tv in table_views(analysis, "en") if tv.id == "disclosure")
    n_co = _overall_n(analysis, "CO", "told_anyone")
    assert disclosure.base.startswith("internet-using children aged 12–17 subjected to "
                                      "TF-CSEA in the past year (unweighted n: CO ")
    assert f"CO {n_co}," in disclosure.base and n_co < 200


def test_a_combined_figure_of_zeros_has_no_interval_of_zero_width():
    cells = pd.DataFrame({"country": ["A", "B"], "indicator": "x", "category": "",
                          "domain": "", "level": "", "status": "published",
                          "estimate": [0.0, 0.0], "se": [0.0, 0.0], "df": [100.0, 50.0],
                          "n_weighted": [10.0, 30.0]})
    r = compare.combined(cells, {"A": 1.0, "B": 1.0}, "population").iloc[0]
    assert r["combined"] == 0.0 and r["combined_se"] == 0.0
    assert math.isnan(r["combined_ci_low"]) and math.isnan(r["combined_ci_high"])
    cell = _combined(r.to_dict(), Translator("en"), {}, "en")
    assert (cell.text, cell.ci, cell.title) == ("0.0%", "", "no CI: 0% or 100% in every country")


def test_a_range_of_one_value_says_it_is_the_same_everywhere():
    reg = {"low": 0.0, "high": 0.0, "low_countries": "A B", "high_countries": "A B"}
    assert _range(reg, Translator("en"), {}, "en") == ("0.0%", "same in every country")
    assert _range(reg, Translator("es"), {}, "es") == ("0,0\u00a0%", "igual en todos los países")


def test_differences_read_with_a_minus_sign_and_no_negative_zero():
    en, es = Translator("en"), Translator("es")
    assert [points(x, en) for x in (-0.0690, -0.0004, 0.0453)] == ["−6.9", "0.0", "4.5"]
    assert points(-0.1293, es) == "−12,9"


def test_p_values_read_as_a_reader_expects():
    en, es = Translator("en"), Translator("es")
    assert [p_text(p, en) for p in (5.7e-12, 0.0026, 0.0496, 0.0503)] == \
        ["<0.001", "0.003", "0.0496", "0.050"]
    assert p_text(2.8e-8, es) == "<0,001"


def test_the_differences_table_is_worded_in_the_reports_language(analysis):
    diffs = next(tv for tv in table_views(analysis, "es") if tv.kind == "indicators").differences
    assert diffs and all(" a " in d["ci"] and " to " not in d["ci"] for d in diffs if d["ci"])
    assert not any(d["difference"].startswith("-") for d in diffs)


def test_the_legal_summary_counts_items_not_yet_answered(analysis):
    view = legal_view(analysis, "en")
    assert view is not None
    rows = {r["area"]: r["cells"][0] for r in view["rows"]}     # Colombia is first
    # the shipped Colombia assessment: definitions 4 met, 0 partly, 11 not met, 7 unknown
    # of 22; jurisdiction's 16 items are all unanswered
    assert rows["Legal definitions"] == "18 / 0 / 50 / 32"
    assert rows["Jurisdiction and extradition"] == "no answers yet (16 items)"
    assert view["head"] == "met / partly / not met / not yet known (%)"
    assert view["rows"][0]["cells"][1] == "not assessed"


def test_small_multiple_titles_wrap_rather_than_being_cut(analysis):
    spec = analysis.region.harmonisation.tables[0]
    svg = small_multiples(analysis, spec, "en")
    assert "…" not in svg and "..." not in svg
    assert "Offered money or gifts for sexual" in svg and "images or videos" in svg


def test_a_countrys_study_title_is_on_its_own_line(analysis):
    html = render_html(analysis, "en")
    assert '<th scope="row">Colombia<span class="ci">' in html
    assert "td .ci, th .ci { display: block;" in html


def test_a_significant_difference_is_marked_for_the_eye_and_said_in_words(analysis):
    html = render_html(analysis, "en")
    assert ('<td class="mark"><span aria-hidden="true">▲</span><span class="vh">significant '
            '(p &lt; 0.05)</span></td>') in html
    assert "significativa (p &lt; 0,05)" in render_html(analysis, "es")
