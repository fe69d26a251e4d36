"""Exports as KoboToolbox and ODK Central write them, of forms dhkit did not ship: groups,
translations, nested repeats (household -> members -> episodes), a form whose questions all
sit in a repeat. Every row lands or is quarantined with a reason."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture
def study(tmp_path):
    form = ff.household_form(tmp_path / "hh_visit.xlsx")
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _table(study, name, cols):
    with study.open_store() as store:
        return store.con.execute(f"SELECT {cols} FROM study.{name} ORDER BY ALL").fetchall()


def test_kobo_xlsx_nested_repeat_rows_link_to_their_member(study, tmp_path):
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "export.xlsx", ff.sample(3))])
    assert res.accepted == {"main": 3, "members": 6, "episodes": 6}
    assert res.ok
    rows = _table(study, "episodes", "_parent_key, ep_kind")
    assert rows[:2] == [("uuid-0000/members[1]", "ill"), ("uuid-0000/members[1]", "inj")]
    assert ("uuid-0000/members[1]", "A0") in _table(study, "members", "_key, m_name")


def test_kobo_csv_per_repeat_group_links_nested_rows(study, tmp_path):
    res = import_files(study, ff.kobo_csvs(tmp_path, ff.sample(4)))
    assert res.accepted == {"main": 4, "members": 8, "episodes": 8}
    assert res.quarantined == {"main": 0, "members": 0, "episodes": 0}


def test_odk_central_nested_repeat_links_by_parent_key(study, tmp_path):
    res = import_files(study, ff.odk_csvs(tmp_path, ff.sample(2)))
    assert res.accepted == {"main": 2, "members": 4, "episodes": 4}
    assert _table(study, "episodes", "_key")[0] == ("uuid:uuid-0000/members[1]/episodes[1]",)
    assert _table(study, "main", "_key") == [("uuid:uuid-0000",), ("uuid:uuid-0001",)]


def test_nested_row_whose_member_is_missing_is_quarantined_with_reason(study, tmp_path):
    paths = ff.kobo_csvs(tmp_path, ff.sample(2))
    text = paths[2].read_text().replace('"members";"1"', '"members";"99"', 1)
    paths[2].write_text(text)
    res = import_files(study, paths)
    assert res.quarantined["episodes"] == 1 and res.accepted["episodes"] == 3
    msg = next(p.message for p in res.report if p.code == "IMP-012")
    assert "no members row" in msg


def test_nested_rows_of_a_quarantined_member_wait_for_it(study, tmp_path):
    subs = ff.sample(2)
    subs[0].members[0].age = "many"
    res = import_files(study, ff.odk_csvs(tmp_path, subs))
    assert res.quarantined["members"] == 1
    assert res.quarantined["episodes"] == 2
    assert {p.code for p in res.report if p.file.endswith("episodes.csv")} == {"IMP-013"}


def test_form_with_every_question_in_a_repeat_accepts_a_metadata_only_main_sheet(tmp_path):
    form = ff.repeat_only_form(tmp_path / "visits.xlsx")
    study = init_study(tmp_path / "s", instrument=form, demo=True)
    main = tmp_path / "Visits.csv"
    main.write_text('"start";"__version__";"_id";"_uuid";"_submission_time";"_index"\n'
                    '"2024-01-01";"2024010101";"1";"u1";"2024-01-01";"1"\n')
    rep = tmp_path / "Visits-visits.csv"
    rep.write_text('"visits/v_date";"visits/v_score";"_index";"_parent_table_name";'
                   '"_parent_index";"_submission__uuid"\n'
                   '"2024-01-02";"4";"1";"Visits";"1";"u1"\n'
                   '"2024-01-03";"-1";"2";"Visits";"1";"u1"\n')
    res = import_files(study, [main, rep])
    assert res.accepted == {"main": 1, "visits": 1}
    assert res.quarantined == {"main": 0, "visits": 1}
    assert [p.code for p in res.report] == ["IMP-010"]


def test_metadata_only_file_for_a_form_with_main_questions_is_still_refused(study, tmp_path):
    from dhkit.errors import DhkitError

    p = tmp_path / "other.csv"
    p.write_text('"_uuid";"_index"\n"u1";"1"\n')
    with pytest.raises(DhkitError) as exc:
        import_files(study, [p])
    assert exc.value.code == "IMP-016"


def test_a_question_the_form_gains_after_the_first_import_becomes_a_new_column(tmp_path):
    form = ff.household_form(tmp_path / "hh_visit.xlsx")
    study = init_study(tmp_path / "s", instrument=form, demo=True)
    import_files(study, [ff.kobo_xlsx(tmp_path / "first.xlsx", ff.sample(2))])
    ff.household_form(study.instrument_path, phone=True)      # the team edits the form
    later = ff.sample(4)[2:]
    for s in later:
        s.hh_id, s.uuid, s.phone = s.hh_id + "b", s.uuid + "b", "1"
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "later.xlsx", later, phone=True)])
    assert res.accepted["main"] == 2
    assert _table(study, "main", "hh_id, phone_access") == [
        ("H000", None), ("H001", None), ("H002b", 1), ("H003b", 1)]
    with study.open_store() as store:
        notes = [r[0] for r in store.con.execute(
            "SELECT note FROM audit_log WHERE command = 'schema'").fetchall()]
    assert notes and "phone_access (BIGINT)" in notes[0]


def test_terminal_groups_identical_problems_and_the_csv_keeps_every_row(study, tmp_path):
    import csv

    from typer.testing import CliRunner

    from dhkit.cli import app

    subs = ff.sample(40)
    for s in subs:
        s.region = "mars"
    files = ff.kobo_csvs(tmp_path, subs)
    report = tmp_path / "problems.csv"
    out = CliRunner().invoke(app, ["import", str(study.dir), *map(str, files),
                                   "--report", str(report)], terminal_width=200)
    assert out.exit_code == 1
    lines = [ln for ln in out.output.splitlines() if "IMP-005" in ln]
    assert len(lines) == 1 and " 40 " in lines[0] and "2, 3, 4, ..." in lines[0]
    with report.open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] == "IMP-005"]
    assert len(rows) == 40 and rows[0]["value"] == "mars"


def _count(study, table):
    with study.open_store() as store:
        if not store.has_table(table):
            return 0
        return store.con.execute(f"SELECT count(*) FROM study.{table}").fetchone()[0]


def test_the_xlsx_after_the_csv_of_the_same_submissions_is_a_reported_no_op(study, tmp_path):
    subs = ff.sample(3)
    import_files(study, ff.kobo_csvs(tmp_path, subs))
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "same.xlsx", subs)])
    assert res.ok and res.quarantined == {"main": 0, "members": 0, "episodes": 0}
    assert res.unchanged == {"main": 3, "members": 6, "episodes": 6} and res.edited == {}
    assert res.accepted == {"main": 0, "members": 0, "episodes": 0}
    assert _count(study, "main") == 3 and _count(study, "episodes") == 6
    with study.open_store() as store:
        note = store.con.execute("SELECT note FROM audit_log WHERE file = 'same.xlsx'"
                                 ).fetchone()[0]
    assert "unchanged (already stored, no-op): main 3, members 6, episodes 6" in note


def test_odk_edit_with_the_same_key_replaces_the_row_and_keeps_the_old_one(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, ff.odk_csvs(tmp_path, subs))
    subs[1].region = "north"               # corrected on the server after the first export
    subs[1].members[0].age = 41
    later = tmp_path / "later"
    later.mkdir()
    res = import_files(study, ff.odk_csvs(later, subs))
    assert res.ok
    assert res.edited == {"main": 1, "members": 1}
    assert res.unchanged == {"main": 1, "members": 3}
    assert [f.already_imported for f in res.files] == [True, False, False]   # episodes: same file
    with study.open_store() as store:
        now = store.con.execute("SELECT region FROM study.main WHERE hh_id = 'H001'").fetchall()
        old = store.con.execute("SELECT region, _superseded_why FROM study.main_history"
                                ).fetchall()
        ages = store.con.execute("SELECT m_age FROM study.members WHERE m_name = 'A1'"
                                 ).fetchall()
    assert now == [("north",)] and ages == [(41,)]
    assert old == [("south", "edited: replaced by a newer version of the submission")]
    assert _count(study, "members") == 4 and _count(study, "members_history") == 1


def test_kobo_edit_with_a_new_uuid_and_deprecated_id_replaces_the_submission(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, [ff.kobo_xlsx(tmp_path / "first.xlsx", subs)])
    subs[0].uuid, subs[0].region = "uuid-0000-edit", "south"     # Kobo gives edits a new _uuid
    path = ff.kobo_xlsx(tmp_path / "edited.xlsx", subs)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Household visit"]
    ws.cell(1, ws.max_column + 1, "meta/deprecatedID")
    ws.cell(2, ws.max_column, "uuid:uuid-0000")
    wb.save(path)
    res = import_files(study, [path])
    assert res.ok, [str(p) for p in res.report]
    assert res.edited == {"main": 1} and res.unchanged["main"] == 1
    assert _count(study, "main") == 2 and _count(study, "main_history") == 1
    assert _count(study, "members") == 4 and _count(study, "members_history") == 2
    assert _count(study, "episodes") == 4 and _count(study, "episodes_history") == 2


def test_a_new_submission_reusing_a_stored_study_key_is_still_refused(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, ff.kobo_csvs(tmp_path, subs))
    subs[0].uuid, subs[0].kobo_id = "someone-else", 5001    # shares nothing but hh_id
    later = tmp_path / "later"
    later.mkdir()
    res = import_files(study, ff.kobo_csvs(later, subs[:1]))
    assert [p.code for p in res.report if p.file.endswith("visit.csv")] == ["IMP-009"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_labels_as_values_export_in_any_language_is_read_back_as_codes(study, tmp_path, lang):
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "labels.xlsx", ff.sample(2),
                                            labels=lang)])
    assert res.ok, [str(p) for p in res.report]
    assert res.accepted == {"main": 2, "members": 4, "episodes": 4}
    assert _table(study, "main", "region") == [("north",), ("south",)]
    assert _table(study, "members", "DISTINCT m_sex") == [("f",), ("m",)]
    assert _table(study, "episodes", "DISTINCT ep_kind") == [("ill",), ("inj",)]


def test_a_label_that_is_no_choice_is_still_a_choice_problem(study, tmp_path):
    subs = ff.sample(2)
    subs[0].region = "Atlántida"
    res = import_files(study, ff.kobo_csvs(tmp_path, subs, labels="es"))
    assert [(p.code, p.field, p.row) for p in res.report if p.code != "IMP-013"] == [
        ("IMP-005", "region", 2)]


def test_kobo_edit_imported_without_its_repeat_files_takes_its_entries_along(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, ff.kobo_csvs(tmp_path, subs))
    subs[0].uuid, subs[0].region = "uuid-0000-edit", "south"
    later = tmp_path / "later"
    later.mkdir()
    main = ff.kobo_csvs(later, subs)[0]
    lines = main.read_text().splitlines()
    lines[0] += ';"meta/deprecatedID"'
    lines[1] += ';"uuid:uuid-0000"'
    lines[2] += ';""'
    main.write_text("\n".join(lines) + "\n")
    res = import_files(study, [main])                 # only the main sheet again
    assert res.edited == {"main": 1}
    assert _table(study, "members", "_key, _parent_key")[:2] == [
        ("uuid-0000-edit/members[1]", "uuid-0000-edit"),
        ("uuid-0000-edit/members[2]", "uuid-0000-edit")]
    assert _table(study, "episodes", "DISTINCT _parent_key")[0] == ("uuid-0000-edit/members[1]",)
    # the repeat files exported with the edit now find their entries unchanged
    rest = ff.kobo_csvs(later, subs)[1:]
    again = import_files(study, rest)
    assert again.unchanged == {"members": 4, "episodes": 4} and again.accepted == {
        "members": 0, "episodes": 0}
