"""The indicator catalogue and tabulation plan are data, validated on load with every
problem listed (file, line, what to do)."""

import shutil
from pathlib import Path

import pytest

from dhkit.errors import ValidationError
from dhkit.indicators.catalogue import DATA, load_catalogue, load_plan


def test_shipped_catalogue_and_plan_load():
    cat = load_catalogue()
    plan = load_plan(catalogue=cat)
    assert "any_tfcsea" in cat.indicators
    assert {s.id for s in plan.sections} >= {"abuse", "disclosure", "reporting", "services"}
    assert all(i in cat.indicators for i in plan.indicator_ids())


def test_multiple_response_indicator_expands_to_one_column_per_level():
    ind = load_catalogue().indicators["inst_platform"]
    assert ind.columns()[0] == ("inst_platform.facebook", "facebook")
    assert len(ind.columns()) == len(ind.levels)


def _copy(tmp_path: Path, name: str, edit) -> Path:
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_every_catalogue_problem_is_listed_with_its_line(tmp_path):
    path = _copy(tmp_path, "catalogue.yaml", lambda s: s
                 .replace("base: children\n    numerator: \"internet_freq = 1\"",
                          "base: nobody_base\n    numerator: \"internet_freq = 1\"")
                 .replace("type: proportion\n    base: children\n    numerator: \"main_device = 1\"",
                          "type: percentage\n    base: children\n    numerator: \"main_device = 1\"")
                 .replace("es: Juega en línea al menos una vez por semana", "es: ''"))
    with pytest.raises(ValidationError) as exc:
        load_catalogue(path)
    codes = exc.value.report.codes()
    assert codes.count("CAT-008") == 1      # unknown base
    assert codes.count("CAT-007") == 1      # unknown type
    assert codes.count("CAT-003") == 1      # missing Spanish label
    assert all(p.line and p.file == str(path) for p in exc.value.report)


def test_plan_naming_unknown_indicator_and_domain_lists_both(tmp_path):
    cat = load_catalogue()
    path = _copy(tmp_path, "plan.yaml", lambda s: s
                 .replace("indicators: [daily_internet,", "indicators: [no_such_indicator,")
                 .replace("domains: [region, age, wealth]", "domains: [region, planet, wealth]"))
    with pytest.raises(ValidationError) as exc:
        load_plan(path, catalogue=cat)
    messages = [p.message for p in exc.value.report]
    assert any("no_such_indicator" in m for m in messages)
    assert any("planet" in m for m in messages)
