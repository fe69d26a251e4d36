"""The rules every regional table follows — what a country cell shows, how a range, a
combined figure and a difference between countries are made, what † means — are said
once, in "How to read the tables" before the first table; under each table a short
pointer leads back to them (in print with the page number). The workbook, whose sheets
are read one at a time, keeps them on every table sheet."""

import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from dhkit.region.render import reading_notes, render_html, table_views

COMBINED_EN = "variance = Σ (weight share)² × country variance"
COMBINED_ES = "varianza = Σ (proporción del peso)² × varianza del país"
RANGE_EN = "The lowest and the highest published country estimate"
LEGEND_EN = "unweighted base 25–49: interpret with caution"
DIFF_EN = "Welch–Satterthwaite degrees of freedom from the two designs"
DIFF_ES = "grados de libertad de Welch–Satterthwaite de ambos diseños"
WITHIN_EN = "design-based test on the covariance of the two estimates"


def test_each_rule_is_said_once_in_the_english_report(analysis):
    html = render_html(analysis, "en")
    for rule in (COMBINED_EN, RANGE_EN, LEGEND_EN, DIFF_EN, WITHIN_EN):
        assert html.count(rule) == 1, rule
    assert html.count("<dt>") == 5     # cells, range, combined, differences, †


def test_each_rule_is_said_once_in_the_spanish_report(analysis):
    html = render_html(analysis, "es")
    for rule in (COMBINED_ES, DIFF_ES, "interpretar con cautela; * base", "La estimación nacional "
                 "publicada más baja y la más alta"):
        assert html.count(rule) == 1, rule
    assert '<h2>Cómo leer los cuadros</h2>' in html


def test_the_rules_come_before_the_first_table_and_every_table_points_back(analysis):
    html = render_html(analysis, "en")
    tables = table_views(analysis, "en")
    assert html.index('<section id="reading">') < html.index('<section id="t-prevalence">')
    assert html.index('<section id="glance">') < html.index('<section id="reading">')
    pointer = ("Country figures, range, combined figure and differences are made as set out "
               'in <a class="ref" href="#reading" data-page="p.">How to read the tables</a>.')
    assert html.count(pointer) == len(tables) == 8
    # each differences table: the sign in a line, and the way back to the test
    assert html.count("Country b minus country a, in percentage points; ▲ p &lt; 0.05. How "
                      'the test is made: <a class="ref" href="#reading"') == 6
    assert '<li><a href="#reading">How to read the tables</a></li>' in html


def test_a_table_keeps_only_its_own_notes_under_it(analysis):
    tv = {t.id: t for t in table_views(analysis, "en")}
    assert tv["platforms"].notes == [
        "Countries in rows, platforms in columns, as the regional presentation shows them; "
        "a child may name several platforms."]
    assert all(COMBINED_EN not in n and LEGEND_EN not in n
               for t in tv.values() for n in t.notes)
    prevalence = tv["prevalence"].notes
    assert len(prevalence) == 1 and prevalence[0].startswith(
        "† (the two groups differ within that country): Sex: Girls – Boys; Area: ")


def test_the_rules_follow_the_regions_settings(analysis):
    from dataclasses import replace

    equal = replace(analysis, region=replace(analysis.region, combine="equal",
                                             on_suppressed="suppress"))
    text = {n.term: n.text for n in reading_notes(equal, "en")}
    assert text["Combined figure"].startswith("The unweighted mean of the published country "
                                              "estimates (each country counts equally)")
    assert text["Combined figure"].endswith("A combined figure over a suppressed country cell "
                                            "is itself suppressed (*).")
    none = replace(analysis, region=replace(analysis.region, combine="none"))
    assert "Combined figure" not in {n.term for n in reading_notes(none, "en")}
    # the dashboard has none of the report's files
    site = {n.term: n.text for n in reading_notes(analysis, "en", files=False)}
    assert "differences.csv" not in site["Differences between countries"]
    assert "within.csv" not in site["† Differences within a country"]


def test_every_workbook_sheet_still_carries_the_rules(built):
    wb = load_workbook(built.files["tables.xlsx"], read_only=True)
    for name in ("Table 1", "Table 3"):
        text = " ".join(str(v) for row in wb[name].iter_rows(values_only=True)
                        for v in row if v)
        assert COMBINED_EN in text and RANGE_EN in text, name


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_the_printed_report_says_the_rules_once_and_points_to_their_page(analysis, tmp_path):
    from dhkit.report.render import write_pdf

    pdf = write_pdf(render_html(analysis, "en", True), tmp_path / "r.pdf")
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    flat = [" ".join(p.split()) for p in pages]
    rules_page = next(i for i, p in enumerate(flat, 1) if p.lstrip().startswith(
        "Disrupting Harm") and "How to read the tables Every table below" in p)
    assert sum(p.count("(weight share)²") for p in flat) == 1
    assert sum(p.count("Welch–Satterthwaite") for p in flat) == 1
    assert sum(p.count(f"How to read the tables (p. {rules_page})") for p in flat) == 8 + 6
