"""read_xlsform on other teams' conventions, and every bad-form case with its coded problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from dhkit.errors import DhkitError, ValidationError
from dhkit.instrument.xlsform import (check_with_pyxform, inspect_xlsform, language_code,
                                      parse_type, read_xlsform)


def write_form(path: Path, survey: list[list], choices: list[list] | None = None,
               settings: list[list] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    if choices is not None:
        wc = wb.create_sheet("choices")
        for row in choices:
            wc.append(row)
    if settings is not None:
        wt = wb.create_sheet("settings")
        for row in settings:
            wt.append(row)
    wb.save(path)
    return path


@pytest.fixture
def other_team_form(tmp_path: Path) -> Path:
    """A second team's form: `label::English` + plain `label` columns, nested repeats,
    `select_multiple ... or_other`, `begin_group` spelling, TRUE() and numeric codes."""
    return write_form(
        tmp_path / "team_b.xlsx",
        survey=[
            ["type", "name", "label", "label::Spanish", "hint::English", "required", "relevance"],
            ["start", "start", None, None, None, None, None],
            ["begin_group", "hh", "Household", "Hogar", None, None, None],
            ["integer", "members", "Members", "Miembros", "Count them", "TRUE()", None],
            ["begin_repeat", "person", "Person", "Persona", None, None, None],
            ["text", "pname", "Name", "Nombre", None, "yes", None],
            ["select_multiple apps or_other", "apps", "Apps", "Aplicaciones", None, "true", None],
            ["begin repeat", "incident", "Incident", "Incidente", None, None,
             "count-selected(${apps}) > 0"],
            ["select_one yn", "hurt", "Hurt?", "¿Daño?", None, "no", None],
            ["select_one_from_file towns.csv", "town", "Town", "Pueblo", None, None, None],
            ["end repeat", None, None, None, None, None, None],
            ["end_repeat", None, None, None, None, None, None],
            ["end group", "hh", None, None, None, None, None],
            ["note", "bye", "Thanks", "Gracias", None, None, None],
        ],
        choices=[["list name", "name", "label", "label::Spanish"],
                 ["apps", "wa", "WhatsApp", "WhatsApp"], ["apps", "fb", "Facebook", "Facebook"],
                 ["yn", 1, "Yes", "Sí"], ["yn", 2, "No", "No"]],
        settings=[["form_title", "form_id"], ["Team B", "team_b"]],
    )


def test_other_team_form_reads(other_team_form):
    cb = read_xlsform(other_team_form)
    assert (cb.title, cb.form_id) == ("Team B", "team_b")
    assert cb.languages == ["en", "es"]
    assert cb.label("members") == "Members" and cb.label("members", "es") == "Miembros"
    assert cb.question("members").required and cb.question("members").hints == {"en": "Count them"}


def test_nested_repeats_have_paths_and_parents(other_team_form):
    cb = read_xlsform(other_team_form)
    assert cb.repeats["incident"].parent == "person"
    assert cb.repeats["person"].group == "hh"
    hurt = cb.question("hurt")
    assert (hurt.repeat, hurt.path) == ("incident", "hh/person/incident/hurt")
    assert [q.name for q in cb.data_questions("person")] == ["pname", "apps", "apps_other"]
    assert [q.name for q in cb.data_questions("incident")] == ["hurt", "town"]


def test_or_other_adds_the_other_choice_and_its_text_question(other_team_form):
    cb = read_xlsform(other_team_form)
    apps = cb.question("apps")
    assert (apps.base_type, apps.list_name, apps.or_other) == ("select_multiple", "apps", True)
    assert cb.choice_values("apps") == ["wa", "fb", "other"]
    other = cb.question("apps_other")
    assert (other.type, other.relevant) == ("text", "selected(${apps}, 'other')")


def test_select_from_file_and_numeric_codes(other_team_form):
    cb = read_xlsform(other_team_form)
    town = cb.question("town")
    assert (town.base_type, town.list_name, town.choice_file) == (
        "select_one_from_file", "towns.csv", "towns.csv")
    assert cb.choice_values("yn") == ["1", "2"]
    assert cb.question("incident").relevant == "count-selected(${apps}) > 0"


def test_plain_label_takes_the_default_language(tmp_path):
    path = write_form(tmp_path / "f.xlsx",
                      survey=[["type", "name", "label", "label::English (en)"],
                              ["text", "a", "Nombre", "Name"]],
                      settings=[["default_language"], ["Español (es)"]])
    cb = read_xlsform(path)
    assert cb.question("a").labels == {"es": "Nombre", "en": "Name"}
    assert cb.default_language == "es"


def test_language_codes_from_column_suffixes():
    assert [language_code(t) for t in ("English (en)", "Español (es)", "English", "Spanish",
                                       "Français", "pt")] == ["en", "es", "en", "es", "fr", "pt"]


def test_parse_type_variants():
    assert parse_type("select one from yn") == ("select_one", "yn", False)
    assert parse_type("select_multiple  apps   or_other") == ("select_multiple", "apps", True)
    assert parse_type("end_repeat") == ("end repeat", None, False)
    assert parse_type("dateTime") == ("dateTime", None, False)


BAD_SURVEY = [
    ["type", "name", "label", "relevant"],
    ["integer", "age", "Age", None],                      # 2 ok
    ["color_picker", "fav", "Colour", None],              # 3 INS-010 unknown type
    ["select_one nolist", "pick", "Pick", None],          # 4 INS-011 list missing
    ["text", "age", "Again", None],                       # 5 INS-013 duplicate
    ["text", None, "No name", None],                      # 6 INS-014 missing name
    ["begin group", "g", "G", None],                      # 7
    ["end repeat", None, None, None],                     # 8 INS-012 closes a group
    ["begin repeat", "r", "R", "${missing} = 1"],         # 9 INS-012 never closed; INS-017
]


@pytest.fixture
def bad_form(tmp_path: Path) -> Path:
    return write_form(tmp_path / "bad.xlsx", BAD_SURVEY,
                      choices=[["list_name", "name", "label"], ["yn", "1", "Yes"],
                               ["yn", "1", "Yes again"]])


@pytest.mark.parametrize("code,row", [
    ("INS-010", 3), ("INS-011", 4), ("INS-013", 5), ("INS-014", 6), ("INS-012", 8),
    ("INS-012", 9), ("INS-017", 9),
])
def test_each_bad_form_case_has_its_coded_problem_with_row(bad_form, code, row):
    _, report = inspect_xlsform(bad_form)
    assert (code, row) in [(p.code, p.row) for p in report]


def test_read_xlsform_lists_all_problems_at_once(bad_form):
    with pytest.raises(ValidationError) as info:
        read_xlsform(bad_form)
    exc = info.value
    assert exc.code == "INS-004" and exc.exit_code == 1
    assert sorted(exc.report.codes()) == sorted(["INS-010", "INS-011", "INS-013", "INS-014",
                                                 "INS-012", "INS-012", "INS-017", "INS-015"])
    assert all(p.file == "bad.xlsx" for p in exc.report)
    assert "bad.xlsx" in exc.message and "dhkit instrument check" in exc.message


def test_duplicate_choice_is_reported_on_the_choices_sheet(bad_form):
    _, report = inspect_xlsform(bad_form)
    dup = [p for p in report if p.code == "INS-015"]
    assert len(dup) == 1 and dup[0].row == 3 and dup[0].field == "choices:name"


def test_missing_survey_sheet(tmp_path):
    wb = Workbook()
    wb.active.title = "questions"
    wb.save(tmp_path / "x.xlsx")
    _, report = inspect_xlsform(tmp_path / "x.xlsx")
    assert report.codes() == ["INS-002"]


def test_missing_or_unreadable_file_is_a_usage_error(tmp_path):
    with pytest.raises(DhkitError) as info:
        read_xlsform(tmp_path / "nope.xlsx")
    assert info.value.code == "INS-001" and info.value.exit_code == 2
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    with pytest.raises(DhkitError) as info:
        read_xlsform(tmp_path / "junk.xlsx")
    assert info.value.code == "INS-001"


def test_required_expression_is_kept_as_required_if(tmp_path):
    path = write_form(tmp_path / "f.xlsx", [["type", "name", "label", "required"],
                                            ["integer", "a", "A", "yes"],
                                            ["integer", "b", "B", "${a} > 2"],
                                            ["integer", "c", "C", "maybe"]])
    cb, report = inspect_xlsform(path)
    assert cb.question("a").required and not cb.question("b").required
    assert cb.question("b").required_if == "${a} > 2"
    assert [(p.code, p.row) for p in report] == [("INS-016", 4)]


def test_pyxform_check_reports_a_refused_form(bad_form):
    report = check_with_pyxform(bad_form)
    assert report.codes()[:1] == ["INS-020"]


def test_pyxform_accepts_the_other_team_form(other_team_form):
    report = check_with_pyxform(other_team_form)
    assert "INS-020" not in report.codes()


def test_every_question_type_pyxform_accepts_is_known():
    # older spellings still found in forms (pyxform's question type dictionary), e.g. the
    # 'phone number' and 'uri:deviceid' rows of pyxform's own example forms
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    from dhkit.instrument.xlsform import SELECT_TYPES, SIMPLE_TYPES

    unknown = [t for t in QUESTION_TYPE_DICT if parse_type(t)[0] not in SIMPLE_TYPES | SELECT_TYPES]
    assert unknown == []


def test_old_type_spellings_map_to_their_modern_type():
    assert parse_type("phone number") == ("text", None, False)          # keeps leading zeros
    assert parse_type("uri:deviceid") == ("deviceid", None, False)
    assert parse_type("add integer prompt") == ("integer", None, False)
    assert parse_type("select one using yn or_other") == ("select_one", "yn", True)
    assert parse_type("q select1 yn") == ("select_one", "yn", False)


def test_loop_over_a_list_is_one_clear_problem(tmp_path):
    path = write_form(tmp_path / "loop.xlsx",
                      survey=[["type", "name", "label"],
                              ["begin loop over rooms", "per_room", "Rooms"],
                              ["integer", "windows", "Windows"],
                              ["end loop", None, None]],
                      choices=[["list_name", "name", "label"], ["rooms", "kitchen", "Kitchen"]])
    _, report = inspect_xlsform(path)
    assert [(p.code, p.row) for p in report.problems] == [("INS-010", 2)]
    assert "loop over a choice list" in report.problems[0].message


def test_dictionary_names_the_conditions_of_enclosing_groups_and_repeats(tmp_path):
    from dhkit.instrument.dictionary import data_dictionary, render_html, sections

    path = write_form(tmp_path / "groups.xlsx",
                      survey=[["type", "name", "label", "relevant", "repeat_count"],
                              ["select_one yn", "consent", "Consent?", None, None],
                              ["begin_group", "hh", "Household", "${consent} = '1'", None],
                              ["integer", "n_kids", "Children", None, None],
                              ["begin_repeat", "kid", "Child", "${n_kids} > 0", "${n_kids}"],
                              ["select_one yn", "online", "Online?", None, None],
                              ["begin_group", "use", "Use", "${online} = '1'", None],
                              ["integer", "hours", "Hours", None, None],
                              ["end_group", None, None, None, None],
                              ["end_repeat", None, None, None, None],
                              ["end_group", None, None, None, None]],
                      choices=[["list_name", "name", "label"], ["yn", 1, "Yes"], ["yn", 0, "No"]])
    cb = read_xlsform(path)
    rows = {r.name: r for r in data_dictionary(cb)}
    assert rows["consent"].section_relevant == ""
    assert rows["n_kids"].section_relevant == "${consent} = '1'"
    assert rows["hours"].relevant == ""
    assert rows["hours"].section_relevant == ("(${consent} = '1') and (${n_kids} > 0) and "
                                              "(${online} = '1')")
    assert sections(cb)[-1].relevant == rows["hours"].section_relevant
    assert "asked only if" in render_html(cb)


def test_dictionary_shows_hints_cascading_filters_and_other_in_the_form_language(tmp_path):
    from dhkit.instrument.dictionary import data_dictionary, render_html

    path = write_form(tmp_path / "fr.xlsx",
                      survey=[["type", "name", "label::Français (fr)", "hint::Français (fr)",
                               "choice_filter"],
                              ["select_one region", "region", "Région", None, None],
                              ["select_one district", "district", "District", None,
                               "region=${region}"],
                              ["integer", "size", "Taille du ménage", "Comptez tout le monde", None],
                              ["select_one device or_other", "device", "Appareil", None, None]],
                      choices=[["list_name", "name", "label::Français (fr)", "region"],
                               ["region", "N", "Nord", None], ["district", "n1", "Nkove", "N"],
                               ["device", "tel", "Téléphone", None]],
                      settings=[["default_language"], ["Français (fr)"]])
    cb = read_xlsform(path)
    rows = {r.name: r for r in data_dictionary(cb, "fr")}
    assert rows["district"].choice_filter == "region=${region}"
    assert rows["device"].choices == "tel=Téléphone; other=Autre"
    assert rows["device_other"].labels["fr"] == "Appareil (autre)"
    assert cb.choice_labels("device", "en")["other"] == "Other"   # Kobo label exports say "Other"
    html = render_html(cb, "fr")
    assert "Comptez tout le monde" in html and "region=${region}" in html
