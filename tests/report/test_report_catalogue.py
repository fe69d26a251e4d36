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


def test_label_with_an_unquoted_comma_is_rejected_with_its_line(tmp_path):
    path = _copy(tmp_path, "catalogue.yaml", lambda s: s.replace(
        'label: {en: "Reported to the police, a helpline or a social worker", es: "Lo denunció '
        'a la policía, una línea de ayuda o un trabajador social"}',
        "label: {en: Reported to the police, a helpline or a social worker, es: Lo denunció a "
        "la policía, una línea de ayuda o un trabajador social}"))
    with pytest.raises(ValidationError) as exc:
        load_catalogue(path)
    problems = [p for p in exc.value.report if p.code == "CAT-011"]
    assert [p.message for p in problems] == [
        "indicator reported_formal: 'label' has an unknown language key "
        "'a helpline or a social worker'",
        "indicator reported_formal: 'label' has an unknown language key "
        "'una línea de ayuda o un trabajador social'"]
    line = path.read_text(encoding="utf-8").splitlines().index(
        next(x for x in path.read_text(encoding="utf-8").splitlines()
             if "Reported to the police" in x)) + 1
    assert {p.line for p in problems} == {line} and problems[0].file == str(path)


def test_shipped_label_keeps_the_whole_text_after_its_comma():
    label = load_catalogue().indicators["reported_formal"].label
    assert label == {"en": "Reported to the police, a helpline or a social worker",
                     "es": "Lo denunció a la policía, una línea de ayuda o un trabajador social"}


def test_unknown_language_and_unknown_keys_are_each_reported(tmp_path):
    path = _copy(tmp_path, "catalogue.yaml", lambda s: s
                 .replace("label: {en: Uses the internet every day, es: Usa internet todos los días}",
                          "label: {en: Uses the internet every day, sp: Usa internet todos los días}")
                 .replace("    numerator: \"main_device = 1\"",
                          "    numerator: \"main_device = 1\"\n    headlines: true"))
    with pytest.raises(ValidationError) as exc:
        load_catalogue(path)
    msgs = {p.code: p.message for p in exc.value.report}
    assert msgs["CAT-011"] == "indicator daily_internet: 'label' has an unknown language key 'sp'"
    assert msgs["CAT-010"] == "indicator own_smartphone: unknown key 'headlines'"
    assert msgs["CAT-003"] == "indicator daily_internet: no 'es' text in 'label'"
    assert all(p.line for p in exc.value.report)


def test_plan_rejects_unknown_keys_at_every_level(tmp_path):
    cat = load_catalogue()
    path = _copy(tmp_path, "plan.yaml", lambda s: s
                 .replace("significance:\n  level: 0.05", "significance:\n  levle: 0.05")
                 .replace("        domains: [sex, age_group, area]\n      - id: risks",
                          "        domain: [sex, age_group, area]\n      - id: risks", 1)
                 .replace("  - {indicator: told_anyone}", "  - {indicator: told_anyone, pop: true}"))
    with pytest.raises(ValidationError) as exc:
        load_plan(path, catalogue=cat)
    got = sorted(p.message for p in exc.value.report if p.code == "CAT-010")
    assert got == ["callout: unknown key 'pop'", "significance: unknown key 'levle'",
                   "table internet_use: unknown key 'domain'"]
    assert all(p.line and p.file == str(path) for p in exc.value.report)


def test_the_first_tables_title_names_every_kind_of_row_it_holds():
    """Table 1 holds daily use and the main device beside weekly activities: its title
    says so (it used to say only "at least weekly")."""
    from dhkit.indicators.catalogue import load_catalogue, load_plan

    plan = load_plan(catalogue=load_catalogue())
    first = plan.sections[0].tables[0]
    assert first.indicators[:2] == ("daily_internet", "own_smartphone")
    assert first.title == {"en": "Daily internet use, main device and weekly online activities",
                           "es": "Uso diario de internet, dispositivo principal y actividades "
                                 "en línea semanales"}


def test_a_domain_group_for_an_unknown_level_or_without_spanish_is_reported(tmp_path):
    path = _copy(tmp_path, "catalogue.yaml", lambda s: s
                 .replace('      "2": {en: boys, es: los niños}',
                          '      "3": {en: boys, es: los niños}')
                 .replace("{en: children in rural areas, es: quienes viven en zonas rurales}",
                          "{en: children in rural areas}"))
    with pytest.raises(ValidationError) as exc:
        load_catalogue(path)
    msgs = {p.code: p.message for p in exc.value.report}
    assert msgs["CAT-009"] == "domain sex: group '3' is not a level"
    assert msgs["CAT-003"] == "domain area group 2: no 'es' text in '2'"
    assert all(p.line for p in exc.value.report)


def test_the_shipped_plan_holds_six_research_questions_in_both_languages():
    questions = load_plan(catalogue=load_catalogue()).research_questions
    assert len(questions) == 6
    assert questions[1]["en"] == ("Which circumstances make it more likely that a child is "
                                  "subjected to such abuse, or that someone commits it?")
    assert questions[5]["es"].startswith("¿En qué medida las leyes y políticas del país")
    assert all(q["en"].endswith("?") and q["es"].startswith("¿") for q in questions)


def test_a_research_question_without_spanish_or_with_a_stray_key_is_reported(tmp_path):
    cat = load_catalogue()
    path = _copy(tmp_path, "plan.yaml", lambda s: s
                 .replace("research_questions:\n",
                          "research_questions:\n  - {en: \"Who helps?\", sp: \"¿Quién ayuda?\"}\n",
                          1))
    with pytest.raises(ValidationError) as exc:
        load_plan(path, catalogue=cat)
    line = path.read_text(encoding="utf-8").splitlines().index(
        '  - {en: "Who helps?", sp: "¿Quién ayuda?"}') + 1
    got = sorted((p.code, p.message, p.line) for p in exc.value.report)
    assert got == [("CAT-003", "research question 1: no 'es' text in 'research_questions'", line),
                   ("CAT-011", "research question 1: 'research_questions' has an unknown "
                    "language key 'sp'", line)]


def test_a_plan_without_research_questions_loads_with_none(tmp_path):
    text = (DATA / "plan.yaml").read_text(encoding="utf-8")
    start = text.index("research_questions:")
    end = text.index("callouts:")
    path = tmp_path / "plan.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert load_plan(path, catalogue=load_catalogue()).research_questions == ()
