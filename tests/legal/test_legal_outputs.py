"""Gap report, matrix, recommendations and the assessment's Excel round trip."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest

from dhkit.legal.assessment import colombia_assessment_path, load_assessment
from dhkit.legal.checklist import load_checklist
from dhkit.legal.gap import build_gap, build_matrix, render_gap_html, write_gap, write_matrix
from dhkit.legal.recommendations import (
    check_registry_file,
    colombia_recommendations_path,
    load_registry,
    render_registry_html,
)
from dhkit.legal.strings import LANGS, STRINGS
from dhkit.legal.xlsxio import export_assessment_xlsx, import_assessment_xlsx


@pytest.fixture(scope="module")
def cl():
    return load_checklist()


@pytest.fixture(scope="module")
def co(cl):
    return load_assessment(colombia_assessment_path(), cl)


def test_every_string_has_both_languages():
    assert all(set(v) == set(LANGS) and all(v.values()) for v in STRINGS.values())


def test_gap_shares_per_area(cl, co):
    g = build_gap(cl, co)
    crm = g.area("criminalization")
    assert crm.n_items == 43 and sum(crm.counts.values()) == 43
    assert crm.share("not_met") == pytest.approx(crm.counts["not_met"] / 43)
    assert g.area("jurisdiction").share("unknown") == 1.0
    assert {x.item.id for x in g.not_met} >= {"CRM-06", "CRM-19", "DEF-09"}


def test_gap_items_link_to_the_recommendations_that_address_them(cl, co):
    g = build_gap(cl, co, "en", load_registry(colombia_recommendations_path()))
    by_id = {x.item.id: x for x in g.not_met}
    assert by_id["CRM-06"].recommendations == ("7.5",)
    assert "7.3" in by_id["CRM-19"].recommendations
    assert any("Lanzarote" in s for s in by_id["CRM-06"].standards_full)
    assert ("7.5", load_registry(colombia_recommendations_path()).find("7.5").text) in \
        g.recommendations
    html = render_gap_html(g, cl)
    assert 'href="#rec-7.5"' in html and 'id="rec-7.5"' in html


@pytest.mark.parametrize("lang, heading, question", [
    ("en", "Items not met", "Is knowingly accessing or viewing child sexual abuse material"),
    ("es", "Ítems que no se cumplen", "¿Es delito acceder o visualizar a sabiendas"),
])
def test_gap_html_in_both_languages(cl, co, lang, heading, question):
    html = render_gap_html(build_gap(cl, co, lang), cl)
    assert f'<html lang="{lang}">' in html and heading in html and question in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_gap_pdf_and_excel_are_written(cl, co, tmp_path):
    files = write_gap(build_gap(cl, co, "es"), cl, tmp_path, ("pdf", "xlsx"))
    pdf, xlsx = files
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20000
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    assert wb.sheetnames[:3] == ["Resumen por área", "Ítems que no se cumplen",
                                 "Ítems que se cumplen parcialmen"]


def test_matrix_of_two_countries(cl, co, tmp_path):
    other = dataclasses.replace(co, country="PE", answers=tuple(
        dataclasses.replace(a, answer="met") if a.item == "CRM-06" else a for a in co.answers))
    m = build_matrix(cl, [other, co])
    assert m.countries == ("CO", "PE")
    row = next(vals for it, vals in m.rows if it.id == "CRM-06")
    assert row == ("not_met", "met")
    out = write_matrix(m, cl, tmp_path, "en", ("html", "xlsx"))
    assert "CRM-06" in out[0].read_text(encoding="utf-8")


def test_assessment_excel_round_trip(cl, co, tmp_path):
    path = export_assessment_xlsx(co, tmp_path / "co.xlsx", cl)
    back, report = import_assessment_xlsx(path, cl)
    assert report.ok and back.answers == co.answers
    assert (back.status, back.reviewer, back.sources) == (co.status, co.reviewer, co.sources)


def test_bad_assessment_workbook_lists_every_problem_with_its_row(cl, co, tmp_path):
    path = export_assessment_xlsx(co, tmp_path / "co.xlsx", cl)
    wb = openpyxl.load_workbook(path)
    ws = wb["answers"]
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) + 1 for h in head}
    ws.cell(row=3, column=col["answer"], value="mostly")         # DEF-02
    for name in ("source", "section", "pages"):                  # DEF-03 not_met: no citation
        ws.cell(row=4, column=col[name]).value = None
    ws.cell(row=5, column=col["item"], value="XYZ-01")
    wb.save(path)
    back, report = import_assessment_xlsx(path, cl)
    assert back is None
    found = {(p.code, p.row) for p in report}
    assert {("LEG-011", 3), ("LEG-012", 4), ("LEG-010", 5)} <= found
    assert "LEG-013" in report.codes()    # DEF-04 is now unanswered


def test_recommendations_match_the_report_structure():
    reg = load_registry(colombia_recommendations_path())
    assert [len(i.recommendations) for i in reg.insights] == [7, 6, 7, 4, 4, 4, 5]
    assert reg.find("2.4").actors == ("government", "law_enforcement")


def test_recommendation_links_are_checked(tmp_path):
    text = colombia_recommendations_path().read_text(encoding="utf-8")
    text = text.replace("items: [CRM-06]", "items: [CRM-99]")
    text = text.replace("indicators: [ab_ai_images]", "indicators: [no_such_indicator]")
    text = text.replace("codes: [extortion.threats]", "codes: [Bad Code!]")
    text = text.replace('number: "7.2"', 'number: "6.9"')
    text = text.replace("actors: [industry]\n", "actors: [aliens]\n", 1)
    bad = tmp_path / "recommendations-CO.yaml"
    bad.write_text(text, encoding="utf-8")
    reg, report = check_registry_file(bad, indicators={"ab_ai_images"})
    assert reg is None
    assert sorted(set(report.codes())) == ["LEG-041", "LEG-042", "LEG-043", "LEG-044", "LEG-045"]
    assert all(p.line for p in report)
    # without a catalogue only the format of indicator ids is checked
    _, report2 = check_registry_file(bad, indicators=None)
    assert "LEG-043" not in report2.codes()


def test_recommendations_render_with_links(tmp_path):
    html = render_registry_html(load_registry(colombia_recommendations_path()), "es")
    assert 'id="rec-7.5"' in html and "<code>CRM-06</code>" in html
    assert "Fuerzas del orden" in html and "Hallazgo clave 7" in html


def test_every_colombia_recommendation_has_spanish_text():
    reg = load_registry(colombia_recommendations_path())
    assert all(r.text_es for r in reg.all())
    assert all(i.finding.get("es") and i.title.get("es") for i in reg.insights)


def test_gap_outputs_name_their_inputs_by_hash(cl, co):
    g = build_gap(cl, co, "en", load_registry(colombia_recommendations_path()))
    names = [n for n, _ in g.inputs]
    assert names == ["checklist.yaml", "assessment-CO.yaml", "recommendations-CO.yaml"]
    assert all(len(h) == 64 for _, h in g.inputs)
    assert g.inputs[1][1][:16] in render_gap_html(g, cl)
