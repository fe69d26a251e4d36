"""`dhkit instrument codebook|check|path`: files written, labels in both languages, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.instrument import shipped_codebook, shipped_form_path
from dhkit.instrument.dictionary import render_html

runner = CliRunner()


def test_codebook_writes_csv_with_one_row_per_variable(tmp_path: Path):
    res = runner.invoke(app, ["instrument", "codebook", str(shipped_form_path()),
                              "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    with open(out["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert out["variables"] == len(rows) == 72
    r = rows["inst_told_whom"]
    assert (r["path"], r["level"], r["type"], r["list"]) == (
        "child/instance/inst_told_whom", "instance", "select_multiple confidant", "confidant")
    assert r["label_en"] == "Whom did you tell?" and r["label_es"] == "¿A quién le contaste?"
    assert r["relevant"] == "${inst_told} = 1" and r["required"] == "yes"
    assert rows["ab_ai_images"]["choices"] == "1=Yes; 2=No; 98=Don't know; 99=Prefer not to say"
    assert rows["child_age"]["constraint"] == ". >= 12 and . <= 17"


def test_codebook_lang_es_puts_spanish_first(tmp_path: Path):
    res = runner.invoke(app, ["instrument", "codebook", "--out", str(tmp_path), "--lang", "es"])
    assert res.exit_code == 0, res.output
    path = tmp_path / "dhkit_household_survey_codebook.csv"
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[5:7] == ["label_es", "label_en"]
    assert "1=Sí; 2=No; 98=No sé" in path.read_text(encoding="utf-8-sig")
    html = (tmp_path / "dhkit_household_survey_codebook.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in html and "Diccionario de datos" in html


def test_codebook_html_is_self_contained_with_both_languages():
    html = render_html(shipped_codebook())
    assert '<html lang="en">' in html
    assert "Did someone make sexual pictures or videos of you with AI or editing apps?" in html
    assert '<p class="other-lang" lang="es">¿Alguien hizo fotos o videos sexuales de ti' in html
    assert html.count("<table>") == 5                  # main, roster, caregiver, child, instance
    assert '<th scope="col">Choices</th>' in html and "<code>2</code> = In person" in html
    assert "<script" not in html and "http://" not in html and "<link" not in html


def test_unknown_language_is_a_usage_error(tmp_path: Path):
    res = runner.invoke(app, ["instrument", "codebook", "--out", str(tmp_path), "--lang", "fr"])
    assert res.exit_code != 0
    assert res.exception is not None and getattr(res.exception, "code", "") == "INS-040"


def test_check_passes_the_shipped_form():
    res = runner.invoke(app, ["instrument", "check", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"form": str(shipped_form_path()), "ok": True,
                                      "problems": []}


def test_check_lists_problems_and_exits_1(tmp_path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in (["type", "name", "label", "constraint"], ["integer", "a", "A", "now() > ."],
                ["select_one nolist", "b", "B", None], ["begin group", "g", "G", None]):
        ws.append(row)
    wb.save(tmp_path / "f.xlsx")
    res = runner.invoke(app, ["instrument", "check", str(tmp_path / "f.xlsx"), "--json",
                              "--report", str(tmp_path / "p.csv")])
    assert res.exit_code == 1
    codes = {p["code"] for p in json.loads(res.stdout)["problems"]}
    assert {"INS-011", "INS-012", "INS-020", "INS-031"} <= codes
    assert (tmp_path / "p.csv").read_text().startswith("code,message,file,row")


def test_path_prints_the_shipped_form():
    res = runner.invoke(app, ["instrument", "path"])
    assert res.exit_code == 0 and res.stdout.strip() == str(shipped_form_path())


def test_codebook_of_a_form_with_nested_repeats(tmp_path: Path):
    from openpyxl import Workbook

    from dhkit.instrument.dictionary import sections
    from dhkit.instrument.xlsform import read_xlsform

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in (["type", "name", "label::English", "label::Spanish"],
                ["begin repeat", "person", "Person", "Persona"],
                ["integer", "age", "Age", "Edad"],
                ["begin repeat", "trip", "Trip", "Viaje"],
                ["text", "dest", "Where to", "Adónde"],
                ["end repeat", None, None, None], ["end repeat", None, None, None]):
        ws.append(row)
    wb.save(tmp_path / "nested.xlsx")
    cb = read_xlsform(tmp_path / "nested.xlsx")
    assert [(s.path, s.title, s.level, [r.name for r in s.rows]) for s in sections(cb)] == [
        ("person", "Person", "person", ["age"]), ("person/trip", "Trip", "trip", ["dest"])]
    res = runner.invoke(app, ["instrument", "codebook", str(tmp_path / "nested.xlsx"),
                              "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "nested_codebook.csv").read_text(encoding="utf-8-sig")
    assert "dest,person/trip/dest,trip,text,,Where to,Adónde" in text
