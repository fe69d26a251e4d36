"""A filtered ``search()`` select is judged row by row, as ODK Collect filters its CSV: the
answer must be the value of a row the filter keeps given that row's answers
(``search('villages', 'matches', 'district', ${district})``), or a static choice; else IMP-021
names the answers, the file and the filter. The form is written as a Kobo user writes one:
a group, English and Spanish labels, the list's placeholder row naming the CSV columns, a
static "99" choice; the exports are Kobo XLSX main sheets (group paths, ``_uuid``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

#: v3 and v4 are in district d2; v9 has no district; "River" is in two villages' labels
VILLAGES_CSV = ("name_key,label_en,label_es,district,kind\n"
                "v1,Riverside,Ribera,d1,rural\n"
                "v2,Hilltop,Colina,d1,urban\n"
                "v3,Upper River,Río Arriba,d2,rural\n"
                "v4,Bayview,Bahía,d2,urban\n"
                "v9,Nowhere,Ninguna,,rural\n")
HEAD = ["type", "name", "label::English (en)", "label::Español (es)", "required",
        "appearance"]


def _study(tmp_path: Path, appearance: str, village: str = "select_one villages") -> object:
    """Group ``loc``: ``district`` (select_one), ``typed`` (text the enumerator types to
    narrow the list) and ``village`` with the given appearance; villages.csv next to it."""
    folder = tmp_path / "form"
    folder.mkdir(parents=True)
    survey = [["start", "start", "", "", "", ""],
              ["begin_group", "loc", "Location", "Lugar", "", "field-list"],
              ["select_one districts", "district", "District", "Distrito", "", ""],
              ["text", "typed", "Type part of the name", "Escriba parte del nombre", "", ""],
              [village, "village", "Village", "Vereda", "yes", appearance],
              ["end_group", "", "", "", "", ""]]
    choices = [["districts", "d1", "North district", "Distrito norte"],
               ["districts", "d2", "South district", "Distrito sur"],
               ["villages", "name_key", "label_en", "label_es"],
               ["villages", "99", "Other village", "Otra vereda"]]
    form = ff._workbook(folder / "village_form.xlsx", survey, choices,
                        [["form_title", "form_id", "version", "default_language"],
                         ["Village visit", "vv", "1", "English (en)"]], HEAD)
    (folder / "villages.csv").write_text(VILLAGES_CSV, encoding="utf-8")
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _export(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """Kobo's XLSX export: loc/district, loc/typed, loc/village, then Kobo's meta."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Village visit"
    ws.append(["start", "loc/district", "loc/typed", "loc/village", "__version__", "_id",
               "_uuid", "_submission_time", "_index"])
    for i, r in enumerate(rows, start=1):
        ws.append(["2024-03-01T10:00:00", *r, "1", str(9000 + i), f"uuid-v{i}",
                   "2024-03-01T10:05:00", str(i)])
    wb.save(path)
    return path


def _problems(res):
    return [(p.code, p.row, p.field) for p in res.report]


MATCHES = "search('villages', 'matches', 'district', ${district})"


def test_a_village_of_the_answered_district_passes_and_one_of_another_is_named(tmp_path):
    study = _study(tmp_path, MATCHES)
    res = import_files(study, [_export(tmp_path / "e.xlsx", [
        ("d1", "", "v1"), ("d1", "", "v3"), ("d2", "", "v4"), ("d2", "", "99"),
        ("d2", "", "v7")])])
    assert _problems(res) == [("IMP-021", 3, "village"),
                              ("IMP-005", 6, "village")]
    assert res.report.problems[0].message == (
        '"v3" is not a choice offered when district = "d1" (villages.csv has no row of that '
        'value whose district matches "d1"; appearance ' + MATCHES + ")")
    assert str(res.report.problems[0]).startswith(
        "[IMP-021] e.xlsx[Village visit], row 3, field village: ")
    assert not [n for n in res.notes if n.startswith("village:")], res.notes


def test_matches_ignores_the_case_of_letters_as_odk_collects_like_does(tmp_path):
    study = _study(tmp_path, "search('villages', 'matches', 'district', ${typed})")
    res = import_files(study, [_export(tmp_path / "e.xlsx", [
        ("d1", "D1", "v2"), ("d1", "d2", "v2")])])
    assert _problems(res) == [("IMP-021", 3, "village")]


def test_contains_startswith_and_endswith_read_what_was_typed(tmp_path):
    rows = [("d1", "river", "v1"), ("d1", "river", "v3"), ("d1", "river", "v2")]
    expected = {"contains": [4], "startswith": [3, 4], "endswith": [3, 4]}
    typed = {"contains": "river", "startswith": "river", "endswith": "side"}
    for how, bad in expected.items():
        study = _study(tmp_path / how,
                       f"search('villages', '{how}', 'label_en', ${{typed}})")
        data = [(d, typed[how], v) for d, _, v in rows]
        res = import_files(study, [_export(tmp_path / f"{how}.xlsx", data)])
        assert [p.row for p in res.report] == bad, (how, [str(p) for p in res.report])
        assert {p.code for p in res.report} == {"IMP-021"}
    assert res.report.problems[0].message.endswith(
        "(villages.csv has no row of that value whose label_en ends with \"side\"; appearance "
        "search('villages', 'endswith', 'label_en', ${typed}))")


def test_an_empty_answer_is_the_empty_text_as_on_the_device(tmp_path):
    """``matches`` with no district offers only the villages whose district is empty (v9);
    ``contains`` with nothing typed offers every village."""
    study = _study(tmp_path, MATCHES)
    res = import_files(study, [_export(tmp_path / "e.xlsx", [
        ("", "", "v9"), ("", "", "v1")])])
    assert _problems(res) == [("IMP-021", 3, "village")]
    assert res.report.problems[0].message.startswith(
        '"v1" is not a choice offered when district = "" (villages.csv has no row of that '
        'value whose district matches ""')
    study = _study(tmp_path / "c", "search('villages', 'contains', 'label_en', ${typed})")
    res = import_files(study, [_export(tmp_path / "c.xlsx", [("", "", "v1"), ("", "", "v4")])])
    assert res.ok, [str(p) for p in res.report]


def test_the_six_argument_form_adds_an_exact_filter_column(tmp_path):
    study = _study(tmp_path, "search('villages', 'contains', 'label_en,label_es', ${typed}, "
                             "'district', ${district})")
    res = import_files(study, [_export(tmp_path / "e.xlsx", [
        ("d2", "río", "v3"), ("d1", "río", "v3"), ("d1", "top", "v2")])])
    assert _problems(res) == [("IMP-021", 3, "village")]
    assert res.report.problems[0].message == (
        '"v3" is not a choice offered when typed = "río" and district = "d1" (villages.csv '
        'has no row of that value whose label_en or label_es contains "río" and district is '
        "\"d1\"; appearance search('villages', 'contains', 'label_en,label_es', ${typed}, "
        "'district', ${district}))")


def test_a_select_multiple_names_only_the_villages_not_offered(tmp_path):
    study = _study(tmp_path, MATCHES, village="select_multiple villages")
    res = import_files(study, [_export(tmp_path / "e.xlsx", [
        ("d1", "", "v1 v2"), ("d1", "", "v1 v4 99")])])
    assert _problems(res) == [("IMP-021", 3, "village")]
    assert res.report.problems[0].message.startswith(
        '"v4" is not a choice offered when district = "d1"')


def test_a_filter_dhkit_cannot_read_is_named_and_the_whole_file_checked(tmp_path):
    study = _study(tmp_path, "search('villages', 'matches', 'district', "
                             "concat(${district}, ''))")
    res = import_files(study, [_export(tmp_path / "e.xlsx", [
        ("d1", "", "v3"), ("d1", "", "v8")])])
    assert _problems(res) == [("IMP-005", 3, "village")]
    assert [n for n in res.notes if n.startswith("village:")] == [
        "village: answers checked against every row of villages.csv; the filter of its "
        "appearance search('villages', 'matches', 'district', concat(${district}, '')) was "
        "not checked (its search type and columns must be quoted text and its value "
        "${question} or a literal)"]


def test_a_filter_column_the_file_lacks_is_named_not_guessed(tmp_path):
    study = _study(tmp_path, "search('villages', 'matches', 'region', ${district})")
    res = import_files(study, [_export(tmp_path / "e.xlsx", [("d1", "", "v3")])])
    assert res.ok
    assert [n for n in res.notes if n.startswith("village:")] == [
        "village: answers checked against every row of villages.csv; the filter of its "
        "appearance search('villages', 'matches', 'region', ${district}) was not checked "
        "(villages.csv has no column region)"]


def test_in_a_repeat_the_filter_reads_the_entrys_own_answers(tmp_path):
    """ODK Central export: the main file and the ``visits`` repeat file. ``village`` filters
    by the entry's own ``v_district``; ``village2`` by the submission's ``district`` on the
    parent sheet, which the import joins to the entry as for any rule that reads it."""
    folder = tmp_path / "form"
    folder.mkdir()
    survey = [["start", "start", "", "", "", ""],
              ["select_one districts", "district", "District", "Distrito", "", ""],
              ["begin_repeat", "visits", "Visit", "Visita", "", ""],
              ["select_one districts", "v_district", "District", "Distrito", "", ""],
              ["select_one villages", "village", "Village", "Vereda", "",
               "search('villages', 'matches', 'district', ${v_district})"],
              ["select_one villages", "village2", "Village", "Vereda", "",
               "search('villages', 'matches', 'district', ${district})"],
              ["end_repeat", "", "", "", "", ""]]
    choices = [["districts", "d1", "North", "Norte"], ["districts", "d2", "South", "Sur"],
               ["villages", "name_key", "label_en", "label_es"]]
    form = ff._workbook(folder / "visits.xlsx", survey, choices,
                        [["form_title", "form_id", "version"], ["Visits", "visits", "1"]],
                        HEAD)
    (folder / "villages.csv").write_text(VILLAGES_CSV, encoding="utf-8")
    study = init_study(tmp_path / "study", instrument=form, demo=True)
    main = tmp_path / "visits.csv"
    main.write_text("SubmissionDate,district,meta-instanceID,KEY\n"
                    "2024-03-01T10:05:00.000Z,d1,uuid:a,uuid:a\n", encoding="utf-8")
    rep = tmp_path / "visits-visits.csv"
    rep.write_text("v_district,village,village2,PARENT_KEY,KEY\n"
                   "d1,v1,v1,uuid:a,uuid:a/visits[1]\n"
                   "d2,v1,v4,uuid:a,uuid:a/visits[2]\n", encoding="utf-8")
    res = import_files(study, [main, rep])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-021", 3, "village"),
                                                              ("IMP-021", 3, "village2")]
    assert res.report.problems[0].message.startswith(
        '"v1" is not a choice offered when v_district = "d2"')
    assert res.report.problems[1].message.startswith(
        '"v4" is not a choice offered when district = "d1"')
    assert not [n for n in res.notes if n.startswith("village2:")]
