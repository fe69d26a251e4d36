"""The report measures and reads as the seed's country report does: its parts in the seed's
order (methods before the findings; prevention, conclusion, recommendations after them),
answer bars and the matching table rows largest first with catch-alls last, cells that hold
by definition shown as a dash with a note (HTML and Excel alike), and the prevention and
conclusion chapters built from the study's own data."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dhkit.errors import ValidationError
from dhkit.indicators.catalogue import load_catalogue, load_plan
from dhkit.report import render
from dhkit.report.study import inputs_from_study

PLAN = Path(load_plan.__code__.co_filename).parent / "data" / "plan.yaml"
SEED_ORDER = ["methods", "internet", "abuse", "drivers", "after", "disclosure", "reporting",
              "services", "prevention", "conclusion", "recommendations", "appendix"]


def _html(result, lang="en") -> str:
    return result.files["report.html" if lang == "en" else f"report.{lang}.html"].read_text(
        encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _table(html: str, table_id: str) -> str:
    start = html.index(f'id="table-{table_id}"')
    return html[start:html.index("</table>", start)]


# ------------------------------------------------------------------ order of parts
def test_the_shipped_plan_puts_methods_before_the_findings_and_recommendations_last():
    order = list(load_plan(catalogue=load_catalogue()).order())
    assert order[:3] == ["key", "summary", "methods"]
    assert [p for p in order if p in SEED_ORDER] == SEED_ORDER
    assert order[-1] == "annexes"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_report_and_its_contents_follow_the_plan_order(built, lang):
    html = _html(built, lang)
    body = [html.index(f'<section id="{p}"') for p in SEED_ORDER]
    assert body == sorted(body)
    nav = html[html.index("<nav"):html.index("</nav>")]
    links = [nav.index(f'href="#{p}"') for p in SEED_ORDER]
    assert links == sorted(links)
    assert "extra-" not in html        # legal review and registry are inside their chapters


def test_a_plan_without_parts_gets_the_seed_order(tmp_path):
    text = re.sub(r"(?m)^parts:.*\n", "", PLAN.read_text(encoding="utf-8"))
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    order = load_plan(path, catalogue=load_catalogue()).order()
    assert order.index("methods") < order.index("internet") < order.index("appendix")


def test_parts_that_name_an_unknown_part_twice_or_leave_a_section_out_are_rejected(tmp_path):
    text = PLAN.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^parts: \[.*\]$",
                  "parts: [key, summary, methods, methods, foreword, internet, abuse, drivers, "
                  "after, disclosure, reporting, services, conclusion, recommendations, "
                  "appendix, annexes]", text)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_plan(path, catalogue=load_catalogue())
    messages = [p.message for p in err.value.report.problems if p.code == "PLAN-005"]
    assert "parts: unknown part 'foreword'" in messages
    assert "parts: 'methods' is named 2 times" in messages
    assert "parts: section 'prevention' is not placed" in messages


# ------------------------------------------------------------------ sorted answers
def _row_labels(table_html: str) -> list[str]:
    return [_text(x).strip() for x in re.findall(r'<tr class="level">\s*<th scope="row">(.*?)</th>',
                                                   table_html, re.S)]


def test_answer_rows_are_largest_first_with_catch_alls_last(built):
    table = _table(_html(built), "told_whom")
    pub = built.estimates
    rows = pub[(pub["indicator"] == "inst_told_whom") & (pub["domain"].fillna("") == "")]
    named = rows[rows["category"] != "other"].sort_values("estimate", ascending=False,
                                                          kind="stable")
    cat = load_catalogue().indicators["inst_told_whom"]
    expected = [cat.level_labels[c]["en"] for c in named["category"]] + ["Other"]
    assert _row_labels(table)[:len(expected)] == expected


def test_bars_follow_the_same_order_as_the_table(built):
    html = _html(built)
    labels = _row_labels(_table(html, "platforms"))
    start = html.index('id="figure-platforms_chart"')
    alt = re.search(r'aria-label="([^"]*)"', html[start:]).group(1)
    shown = [x.split(":")[0].strip() for x in alt.split(": ", 1)[1].split(";")]
    assert shown == [x for x in labels if x in shown]
    values = [float(x.rsplit(":", 1)[1].strip().rstrip("%.")) for x in alt.split(";")]
    assert values == sorted(values, reverse=True)


def test_items_of_a_table_beside_a_chart_are_ordered_as_the_chart(built):
    labels = [_text(x).strip() for x in re.findall(r'<th scope="row">(.*?)</th>',
                                                   _table(_html(built), "tfcsea_items"), re.S)]
    assert labels[0] == "Subjected to any TF-CSEA in the past year"     # the total stays first
    pub = built.estimates
    items = pub[pub["indicator"].str.startswith("ab_") & (pub["domain"].fillna("") == "")]
    cat = load_catalogue().indicators
    expected = [cat[i].label["en"] for i in
                items.sort_values("estimate", ascending=False, kind="stable")["indicator"]]
    assert labels[1:] == expected


def test_ties_keep_the_catalogue_order_and_an_ordinal_scale_is_not_sorted():
    from types import SimpleNamespace as NS

    def analysis(ordinal):
        ind = NS(ordinal=ordinal, levels=("a", "b", "c"),
                 columns=lambda: [("x.a", "a"), ("x.b", "b"), ("x.c", "c")])
        pub = pd.DataFrame({"indicator": ["x"] * 3, "category": ["a", "b", "c"],
                            "domain": [""] * 3, "estimate": [0.2, 0.4, 0.4]})
        return NS(catalogue=NS(indicators={"x": ind}), public=pub)

    assert render.answer_order(analysis(False), "x") == ["b", "c", "a"]
    assert render.answer_order(analysis(True), "x") == ["a", "b", "c"]


# ------------------------------------------------------------------ cells fixed by definition
@pytest.mark.parametrize("lang", ["en", "es"])
def test_cells_fixed_by_definition_are_a_dash_with_a_note(built, lang):
    html = _html(built, lang)
    table = _table(html, "overlap")
    row = re.search(r'data-indicator="inperson_sv"[^>]*>([^<]*)</td>\s*'
                    r'<td[^>]*data-indicator="inperson_sv"[^>]*>([^<]*)</td>\s*'
                    r'<td[^>]*data-indicator="inperson_sv"[^>]*>([^<]*)</td>', table)
    assert row.group(2) == row.group(3) == "—"
    assert row.group(1) not in ("—", "100.0", "0.0")
    notes = html[html.index(table):html.index("</div>", html.index(table))]
    note = "—: not an estimate" if lang == "en" else "—: no es una estimación"
    assert note in notes
    assert ">100.0<" not in table and ">100,0<" not in table


def test_a_real_zero_is_still_shown_as_zero(built):
    table = _table(_html(built), "formal")
    assert "—" not in table and "0.0" in table


def test_the_workbook_shows_the_same_dash_and_note(built):
    wb = openpyxl.load_workbook(built.files["tables.xlsx"])
    ws = next(wb[n] for n in wb.sheetnames if n.startswith("Table")
              and "Overlap" in str(wb[n]["A1"].value))
    values = [[c.value for c in r] for r in ws.iter_rows()]
    row = next(r for r in values if r[0] and "Subjected to in-person sexual violence" in r[0])
    assert row[2] == row[3] == "—"
    assert any(r[0] and str(r[0]).startswith("—: not an estimate") for r in values)


def test_the_tidy_estimates_keep_the_arithmetic_value(built):
    pub = built.estimates
    row = pub[(pub["indicator"] == "inperson_sv") & (pub["domain"] == "inperson_sv")
              & (pub["level"] == "1")]
    assert float(row["estimate"].iloc[0]) == 1.0


# ------------------------------------------------------------------ new chapters
@pytest.mark.parametrize("lang", ["en", "es"])
def test_prevention_lists_the_checklist_prevention_items_with_the_answers(built, lang):
    html = _html(built, lang)
    start = html.index('<section id="prevention"')
    section = html[start:html.index("</section>", start)]
    assert 'id="table-caregivers_safety"' in section
    assert 'id="prevention-policy"' in section
    assert "POL-01" in section and "POL-19" in section
    assert "DEF-22" not in section          # a definition, not a prevention measure
    met = "Met" if lang == "en" else "Cumplido"
    assert f"<td>{met}</td>" in section


def test_the_prevention_policy_sentence_counts_measures_in_place_partly_and_not(built):
    """It read "2 are in part and 0 are not": the counts now each name their state."""
    html = _html(built)
    start = html.index('id="prevention-policy"')
    text = _text(html[start:html.index("</p>", html.index("<p>", start))])
    assert re.search(r"this chapter: \d+ in place, \d+ partly in place and \d+ not in place; "
                     r"for \d+ the texts reviewed did not settle the answer\.", text), text


def test_conclusion_brings_the_chapters_and_the_legal_review_together(built):
    html = _html(built)
    start = html.index('<section id="conclusion"')
    section = _text(html[start:html.index("</section>", start)])
    assert "Taken together" in section
    assert "first met in person" in section
    assert "What the legal and policy review found" in section
    assert re.search(r"Of the \d+ checklist items", section)


def test_recommendations_are_their_own_numbered_chapter(built):
    html = _html(built)
    start = html.index('<section id="recommendations"')
    section = html[start:html.index("</section>", start)]
    assert "9. Recommendations" in section and "id='rec-1.1'" in section


def test_an_unknown_checklist_topic_is_reported(tmp_path):
    from dhkit.report.build import _check_checklist_topics
    from dhkit.validation import ValidationReport

    text = PLAN.read_text(encoding="utf-8").replace("checklist: [strategy,",
                                                    "checklist: [stratgy,")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    report = ValidationReport()
    _check_checklist_topics(load_plan(path, catalogue=load_catalogue()), report)
    assert [p.code for p in report.problems] == ["PLAN-006"]
    assert "'stratgy'" in report.problems[0].message


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_consultation_on_the_recommendations_is_counted(demo, built, lang):
    from dhkit.legal.consultation import Comment, save_comments
    from dhkit.legal.study import open_legal_study
    from dhkit.report.chapters import consultation_block
    from dhkit.report.i18n import Translator

    legal = open_legal_study(demo.study.dir)
    path = legal.consultation_path
    try:
        save_comments(legal, [
            Comment("C-001", "1.1", "Ministry A", "government", "Agree.", "", "endorse",
                    "accepted"),
            Comment("C-002", "1.1", "NGO B", "civil_society", "Add schools.", "Add schools",
                    "endorse_with_changes"),
            Comment("C-003", "2.1", "NGO B", "civil_society", "No.", "", "do_not_endorse",
                    "rejected")])
        block = consultation_block(inputs_from_study(demo.study), Translator(lang))
    finally:
        path.unlink()
    text = " ".join(block.paragraphs)
    if lang == "en":
        assert "3 comments came from 2 organisations in 2 sectors" in text
        assert "1 endorsed the recommendation" in text and "1 proposed a change" in text
        assert "1 accepted, 0 noted and 1 rejected; 1 still open" in text
    else:
        assert "3 comentarios de 2 organizaciones de 2 sectores" in text


def test_without_consultation_comments_there_is_no_consultation_block(built):
    assert 'id="consultation"' not in _html(built)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_methods_describe_the_legal_analysis_and_the_capacity_assessment(built, lang):
    from dhkit.legal.capacity import is_public, load_questionnaire
    from dhkit.legal.checklist import load_checklist

    html = _html(built, lang)
    methods = html[html.index('<section id="methods"'):]
    methods = _text(methods[:methods.index("</section>")])
    n_items = len(load_checklist().items)
    q = load_questionnaire()
    restricted = sum(not is_public(x) for x in q.questions)
    if lang == "en":
        assert f"a checklist of {n_items} items in 6 areas" in methods
        assert f"a questionnaire of {len(q.questions)} questions" in methods
        assert f"The answers to {restricted} of them are restricted" in methods
    else:
        assert f"una lista de verificación de {n_items} ítems en 6 áreas" in methods
        assert f"un cuestionario de {len(q.questions)} preguntas" in methods


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_multiple_answer_figure_says_its_shares_can_exceed_100(built, lang):
    html = _html(built, lang)
    figure = html[html.index('id="figure-places_chart"'):]
    figure = figure[:figure.index("</figure>")]
    table = _table(html, "devices_places")
    notes = html[html.index(table):html.index("</div>", html.index(table))]
    words = ("more than one answer could be given" if lang == "en"
             else "se podía dar más de una respuesta")
    assert words in figure and words in notes
    single = _table(html, "risks")                 # yes/no items: no such note
    assert words not in html[html.index(single):html.index("</div>", html.index(single))]


def test_the_skills_chart_names_what_counts_as_a_skill(built):
    html = _html(built)
    caption = re.search(r'id="figure-skills_chart".*?<figcaption>(.*?)</figcaption>', html,
                        re.S).group(1)
    assert "mostly or very true" in caption


def test_a_table_without_a_significant_difference_has_no_dagger_column_nor_note(built):
    html = _html(built)
    formal = _table(html, "formal")
    notes = html[html.index(formal):html.index("</div>", html.index(formal))]
    assert "†" not in formal and "†" not in notes
    items = _table(html, "tfcsea_items")
    assert 'class="mark">†</td>' in items             # marked rows keep their column


def test_the_internet_chapter_opens_with_the_household_internet_use_rate(built):
    html = _html(built)
    section = html[html.index('<section id="internet"'):]
    assert section.index('id="hh-internet-rate"') < section.index('id="table-internet_use"')


# ------------------------------------------------------------------ what each chapter holds
def _section_of(html: str, anchor: str) -> str:
    """The id of the chapter (top-level section) holding ``anchor``."""
    at = html.index(anchor)
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<section id="([\w-]+)"', html)]
    return [sid for pos, sid in starts if pos < at][-1]


@pytest.mark.parametrize("anchor, chapter", [
    # the seed counts children subjected to more than one form beside the prevalence
    # (chapter 1: 39 % of the 190 children), not among the consequences (chapter 3)
    ('id="table-forms"', "abuse"),
    # and weighs the overlap with in-person violence among the drivers of abuse
    # (chapter 2: "three times more likely"), with its prevalence ratio
    ('id="table-overlap"', "drivers"),
    ('id="overlap-ratio"', "drivers"),
    ('id="table-wellbeing"', "after"),
    ('id="table-perpetrators"', "abuse")])
def test_each_measure_stands_in_the_seed_s_chapter(built, anchor, chapter):
    assert _section_of(_html(built), anchor) == chapter
