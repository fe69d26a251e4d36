"""The shipped household-survey XLSForm: reproducible from its YAML source, valid for pyxform."""

from __future__ import annotations

from pathlib import Path

from dhkit.instrument.forms import build_household_survey as build

FORM = build.TARGET


def test_shipped_xlsx_is_built_from_the_yaml_source():
    assert FORM.read_bytes() == build.build_bytes(), \
        "run: python -m dhkit.instrument.forms.build_household_survey"


def test_build_is_byte_reproducible(tmp_path: Path):
    a = build.build(build.SOURCE, tmp_path / "a.xlsx").read_bytes()
    b = build.build(build.SOURCE, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_pyxform_converts_the_shipped_form_without_warnings():
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(xlsform=str(FORM), warnings=warnings)
    assert "<h:title>Household survey" in result.xform
    assert warnings == []


def test_source_problems_are_all_listed(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "settings: {form_id: x}\nlanguages: {en: English, es: Español}\n"
        "survey:\n  - {type: integer, name: a, label: {en: A}}\n  - {type: text}\n"
        "choices: {}\n", encoding="utf-8")
    try:
        build.load_source(bad)
    except build.FormSourceError as exc:
        lines = str(exc).splitlines()
    else:
        raise AssertionError("expected FormSourceError")
    assert len(lines) == 2
    assert "survey row 1 (a)" in lines[0] and "one text per language" in lines[0]
    assert "survey row 2" in lines[1] and "needs 'type' and 'name'" in lines[1]
