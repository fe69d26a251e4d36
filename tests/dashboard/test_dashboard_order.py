"""An indicator's answers read as in the report: largest overall share first, catch-alls
("Other", "Don't know", ...) last, ties in catalogue order, an ``ordinal`` scale as it is
(the report's own :func:`dhkit.report.render.answer_order`); every cell filed under its own
answer; a cell that holds by definition printed "—", without an interval or a dot."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re

from dhkit.dashboard.data import indicator_view
from dhkit.dashboard.views import indicator_page
from dhkit.report.i18n import Translator
from dhkit.report.render import SORT_LAST


def _answers_table(page: str) -> str:
    start = page.index('<table class="est answers">')
    return page[start:page.index("</table>", start)]


def _answers_chart(page: str) -> str:
    start = page.index('aria-labelledby="cat cad"')
    return page[start:page.index("</svg>", start)]


def _row_labels(table: str) -> list[str]:
    return [htmllib.unescape(x) for x in re.findall(r'<th scope="row">([^<]*)</th>', table)]


def _bar_labels(svg: str) -> list[str]:
    return [htmllib.unescape(x) for x in re.findall(r'<text class="lab"[^>]*>([^<]*)</text>',
                                                    svg)]


def _overall(site_data, ind: str):
    pub = site_data.public
    return pub[(pub["indicator"] == ind) & (pub["domain"] == "")].set_index("category")


def test_answers_come_largest_first_with_the_catch_all_last(site, site_data):
    page = (site.out_dir / "en/indicators/inst_told_whom.html").read_text(encoding="utf-8")
    overall = _overall(site_data, "inst_told_whom")
    assert "other" in overall.index and overall.loc["other", "estimate"] > 0.05
    labels = site_data.analysis.catalogue.indicators["inst_told_whom"].level_labels
    named = overall.drop(index="other").sort_values("estimate", ascending=False, kind="stable")
    expected = [labels[c]["en"] for c in named.index] + ["Other"]
    assert _row_labels(_answers_table(page)) == expected
    # the chart beside the table: the same answers in the same order, dots falling
    svg = _answers_chart(page)
    assert _bar_labels(svg) == expected
    dots = [float(x) for x in re.findall(r'<circle class="dot[^"]*" cx="([\d.]+)"', svg)]
    assert dots[:-1] == sorted(dots[:-1], reverse=True) and len(dots) == len(expected)
    # each answer's own section follows in that order
    heads = [htmllib.unescape(h) for h in re.findall(r'<h2 id="h-\d+">([^<]*)</h2>', page)]
    assert heads == expected


def test_an_ordinal_indicator_keeps_its_scale_order(site_data):
    cat = site_data.analysis.catalogue
    ind = cat.indicators["inst_told_whom"]
    scale = dataclasses.replace(cat, indicators={**cat.indicators,
                                                 "inst_told_whom": dataclasses.replace(
                                                     ind, ordinal=True)})
    data = dataclasses.replace(site_data, cache={},
                               analysis=dataclasses.replace(site_data.analysis,
                                                            catalogue=scale))
    page = indicator_page(data, "inst_told_whom", "en")
    in_catalogue = [ind.level_labels[c]["en"] for _, c in ind.columns()]
    assert _row_labels(_answers_table(page)) == in_catalogue
    assert _bar_labels(_answers_chart(page)) == in_catalogue
    assert "Answers in the order of their scale." in page
    assert in_catalogue != _row_labels(_answers_table(
        indicator_page(site_data, "inst_told_whom", "en")))        # sorted otherwise


def test_every_cell_is_filed_under_its_own_answer(site_data):
    """The view's answers are sorted; each (answer, domain, level) key still holds the
    published row of that very answer, so the compare page and the tables agree."""
    pub = site_data.public.set_index("row_id")
    cat = site_data.analysis.catalogue
    t = Translator("en")
    checked = 0
    for ind in site_data.indicators:
        if len(cat.indicators[ind].columns()) < 2:
            continue
        view = indicator_view(site_data, ind, t)
        labels = cat.indicators[ind].level_labels
        for category, label in view.categories:
            assert label == labels[category]["en"], (ind, category)
        for (category, dom, lvl), c in view.cells.items():
            row = pub.loc[c.row_id]
            assert (row["category"], row["domain"], row["level"]) == (category, dom, lvl)
            checked += 1
    assert checked > 500


def test_catch_alls_are_last_in_every_multi_answer_indicator(site_data):
    cat = site_data.analysis.catalogue
    t = Translator("en")
    for ind in site_data.indicators:
        codes = [c for c, _ in indicator_view(site_data, ind, t).categories]
        last = [c in SORT_LAST for c in codes]
        assert last == sorted(last), (ind, codes)      # no answer after a catch-all
        assert sorted(codes) == sorted(c for _, c in cat.indicators[ind].columns())


def test_a_cell_that_holds_by_definition_is_a_dash_without_interval_or_dot(site, site_data):
    page = (site.out_dir / "en/indicators/any_tfcsea.html").read_text(encoding="utf-8")
    view = indicator_view(site_data, "any_tfcsea", Translator("en"))
    fixed = [c for c in view.cells.values() if c.fixed]
    assert sorted(c.level for c in fixed) == ["0", "1"] and {c.domain for c in fixed} == \
        {"victim"}
    for c in fixed:
        cells = re.search(rf'data-row="{c.row_id}">([^<]*)</td>\s*<td class="num">([^<]*)</td>',
                          page)
        assert cells.groups() == ("—", "")
    assert "—: not an estimate" in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    dots = len(re.findall(r"<circle", svg))
    shown = [c for c in view.cells.values() if c.flag != "suppressed" and not c.fixed]
    assert dots == len(shown) and "Subjected to TF-CSEA</text>" not in svg


def test_the_downloads_of_an_indicator_list_its_answers_in_the_pages_order(site, site_data):
    import openpyxl
    import pandas as pd

    order = [c for c, _ in indicator_view(site_data, "inst_told_whom", Translator("en"))
             .categories]
    rows = pd.read_csv(site.out_dir / "data/indicators/inst_told_whom.csv",
                       keep_default_na=False)
    assert list(dict.fromkeys(rows["category"])) == order
    assert len(rows) == (site_data.public["indicator"] == "inst_told_whom").sum()
    sheet = openpyxl.load_workbook(site.out_dir / "data/indicators/inst_told_whom-en.xlsx",
                                   read_only=True).active
    values = list(sheet.values)
    col = values[0].index("category")
    assert list(dict.fromkeys(r[col] for r in values[1:])) == order
