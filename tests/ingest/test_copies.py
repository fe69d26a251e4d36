"""Edits and copies of one submission: Kobo edits found by ``_id``; the same submission twice
in one import (CSV and XLSX together, a row repeated, two exports with an edit between).
Every row lands in the table or its history, waits in quarantine, or is an identical copy of
one that did: the counts below add up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.edits import OLDER_IN_IMPORT, OLDER_THAN_STORED  # noqa: E402
from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

TABLES = ("main", "members", "episodes")


@pytest.fixture
def study(tmp_path):
    form = ff.household_form(tmp_path / "hh_visit.xlsx")
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _folder(tmp_path, name):
    d = tmp_path / name
    d.mkdir()
    return d


def _rows(study, sql):
    with study.open_store() as store:
        return store.con.execute(sql).fetchall()


def _count(study, table):
    with study.open_store() as store:
        if not store.has_table(table):
            return 0
        return store.con.execute(f"SELECT count(*) FROM study.{table}").fetchone()[0]


def _where(study):
    """table -> (in the table, in history, in quarantine)."""
    with study.open_store() as store:
        q = dict(store.con.execute('SELECT "table", count(*) FROM study.quarantine '
                                   'GROUP BY ALL').fetchall()) if store.has_table(
            "quarantine") else {}
    return {t: (_count(study, t), _count(study, f"{t}_history"), q.get(t, 0)) for t in TABLES}


def _edited_copy(subs):
    """Kobo's edit of the first submission: new _uuid, same _id, region changed."""
    subs[0].uuid, subs[0].region = "uuid-0000-edit", "south"
    subs[0].members[0].age = 44
    return subs


# ---------------------------------------------------------------------- Kobo _id


def test_kobo_edit_without_deprecated_id_replaces_the_stored_submission_by_its_id(
        study, tmp_path):
    subs = ff.sample(2)
    import_files(study, ff.kobo_csvs(tmp_path, subs))
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "edited.xlsx", _edited_copy(subs))])
    assert res.ok, [str(p) for p in res.report]
    assert res.edited == {"main": 1}
    assert res.unchanged == {"main": 1, "members": 2, "episodes": 2}     # the other one
    assert res.accepted == {"main": 1, "members": 2, "episodes": 2}
    assert _rows(study, "SELECT _key, _kobo_id, region FROM study.main ORDER BY 1") == [
        ("uuid-0000-edit", "1001", "south"), ("uuid-0001", "1002", "south")]
    assert _rows(study, "SELECT _key, region, _superseded_why FROM study.main_history") == [
        ("uuid-0000", "north", "edited: replaced by a newer version of the submission")]
    assert _rows(study, "SELECT m_age FROM study.members WHERE _parent_key = "
                        "'uuid-0000-edit' ORDER BY 1") == [(5,), (44,)]
    # the entries of the old version went to history with it; nothing is orphaned
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 2, 0), "episodes": (4, 2, 0)}
    assert _rows(study, "SELECT count(*) FROM study.members WHERE _parent_key NOT IN "
                        "(SELECT _key FROM study.main)") == [(0,)]
    note = _rows(study, "SELECT note FROM audit_log WHERE file = 'edited.xlsx'")[0][0]
    assert "edited (the older version kept in TABLE_history): main 1" in note


def test_kobo_edit_of_an_older_export_keeps_the_stored_newer_version(study, tmp_path):
    subs = ff.sample(2)
    old = ff.kobo_csvs(_folder(tmp_path, "old"), subs)
    edited = _edited_copy(ff.sample(2))
    edited[0].submitted = "2024-03-05T09:00:00"
    import_files(study, [ff.kobo_xlsx(tmp_path / "edited.xlsx", edited)])
    res = import_files(study, old)                  # last week's export, imported late
    assert res.ok, [str(p) for p in res.report]
    assert _rows(study, "SELECT _key, region FROM study.main ORDER BY 1") == [
        ("uuid-0000-edit", "south"), ("uuid-0001", "south")]
    assert _rows(study, "SELECT _key, _superseded_why FROM study.main_history") == [
        ("uuid-0000", OLDER_THAN_STORED)]
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 2, 0), "episodes": (4, 2, 0)}


def test_a_different_submission_sharing_only_hh_id_is_still_imp_009(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, ff.kobo_csvs(tmp_path, subs))
    other = ff.sample(1)
    other[0].uuid, other[0].kobo_id = "another-device", 7001
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "other.xlsx", other)])
    assert [(p.code, p.field) for p in res.report if p.file == "other.xlsx[Household visit]"
            ] == [("IMP-009", "hh_id")]
    assert _where(study)["main"] == (2, 0, 1)


def test_two_different_submissions_sharing_only_hh_id_in_one_import_are_imp_008(
        study, tmp_path):
    subs = ff.sample(2)
    subs[1].hh_id = subs[0].hh_id
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "both.xlsx", subs)])
    assert [(p.code, p.field, p.row) for p in res.report if p.code == "IMP-008"] == [
        ("IMP-008", "hh_id", 3)]
    assert res.duplicates == {}


# ---------------------------------------------------------------------- copies in one import


def test_csv_and_xlsx_of_the_same_submissions_together_are_counted_duplicates(
        study, tmp_path):
    subs = ff.sample(3)
    res = import_files(study, [*ff.kobo_csvs(tmp_path, subs),
                               ff.kobo_xlsx(tmp_path / "same.xlsx", subs)])
    assert res.ok, [str(p) for p in res.report]
    assert res.duplicates == {"main": 3, "members": 6, "episodes": 6}
    assert res.accepted == {"main": 3, "members": 6, "episodes": 6}
    assert res.edited == {} and res.unchanged == {}
    assert _where(study) == {"main": (3, 0, 0), "members": (6, 0, 0), "episodes": (6, 0, 0)}
    note = _rows(study, "SELECT note FROM audit_log WHERE file = 'same.xlsx'")[0][0]
    assert "duplicate in this import, identical (no-op): main 3, members 6, episodes 6" in note


def test_copies_in_one_import_of_submissions_already_stored_are_no_ops(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, [ff.kobo_xlsx(tmp_path / "first.xlsx", subs)])
    res = import_files(study, [*ff.kobo_csvs(tmp_path, subs),
                               ff.kobo_xlsx(tmp_path / "again.xlsx", subs[::-1])])
    assert res.ok and sum(res.accepted.values()) == 0
    assert sum(res.unchanged.values()) + sum(res.duplicates.values()) == 2 * (2 + 4 + 4)
    assert _where(study) == {"main": (2, 0, 0), "members": (4, 0, 0), "episodes": (4, 0, 0)}


def test_odk_exports_before_and_after_an_edit_together_apply_the_later_one(study, tmp_path):
    subs = ff.sample(2)
    before = ff.odk_csvs(_folder(tmp_path, "monday"), subs)
    subs[1].region, subs[1].members[0].age = "north", 41
    after = ff.odk_csvs(_folder(tmp_path, "friday"), subs)
    res = import_files(study, [*before, *after])
    assert res.ok, [str(p) for p in res.report]
    assert _rows(study, "SELECT hh_id, region FROM study.main ORDER BY 1") == [
        ("H000", "north"), ("H001", "north")]
    assert _rows(study, "SELECT m_age FROM study.members WHERE m_name = 'A1'") == [(41,)]
    assert _rows(study, "SELECT region, _superseded_why FROM study.main_history") == [
        ("south", OLDER_IN_IMPORT)]
    assert _rows(study, "SELECT m_age FROM study.members_history") == [(31,)]
    assert res.duplicates == {"main": 1, "members": 3}
    # the episodes file is the same file twice: skipped, its rows are not doubled
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 1, 0), "episodes": (4, 0, 0)}


def test_kobo_old_and_edited_exports_together_keep_the_old_version_in_history(
        study, tmp_path):
    old = ff.kobo_csvs(_folder(tmp_path, "old"), ff.sample(2))
    new = ff.kobo_xlsx(tmp_path / "new.xlsx", _edited_copy(ff.sample(2)))
    res = import_files(study, [*old, new])
    assert res.ok, [str(p) for p in res.report]
    assert _rows(study, "SELECT _key FROM study.main ORDER BY 1") == [
        ("uuid-0000-edit",), ("uuid-0001",)]
    assert _rows(study, "SELECT _key, _superseded_why FROM study.main_history") == [
        ("uuid-0000", OLDER_IN_IMPORT)]
    # the old version's members and episodes follow it to history; the unchanged
    # submission's copies are duplicates
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 2, 0), "episodes": (4, 2, 0)}
    assert res.duplicates == {"main": 1, "members": 2, "episodes": 2}


def test_the_later_submission_time_wins_over_the_order_of_the_files(study, tmp_path):
    old = ff.sample(2)
    new = _edited_copy(ff.sample(2))
    new[0].submitted = "2024-03-09T12:00:00"
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "new.xlsx", new),
                               *ff.kobo_csvs(tmp_path, old)])
    assert res.ok
    assert _rows(study, "SELECT _key, region FROM study.main ORDER BY 1")[0] == (
        "uuid-0000-edit", "south")


def test_a_deprecated_id_orders_copies_whatever_the_file_order(study, tmp_path):
    subs = ff.sample(1)
    first = ff.odk_csvs(_folder(tmp_path, "a"), subs)
    subs[0].region, subs[0].deprecated = "south", "uuid-0000"   # edited on the server
    second = ff.odk_csvs(_folder(tmp_path, "b"), subs)
    res = import_files(study, [second[0], first[0]])     # main files only, newest first
    assert res.ok
    assert _rows(study, "SELECT region FROM study.main") == [("south",)]
    assert _rows(study, "SELECT region FROM study.main_history") == [("north",)]


def test_changed_copies_nothing_can_order_stay_imp_008(study, tmp_path):
    subs = ff.sample(2)
    path = ff.kobo_csvs(tmp_path, subs)[0]
    lines = path.read_text().splitlines()
    lines.append(lines[1].replace('"north"', '"south"'))       # same _uuid, _id and time
    path.write_text("\n".join(lines) + "\n")
    res = import_files(study, [path])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-008", 4, "_key")]
    assert "with other content" in res.report.problems[0].message
    assert _where(study)["main"] == (2, 0, 1)


def test_a_file_holding_one_kobo_id_twice_links_nothing_by_it(study, tmp_path):
    subs = ff.sample(2)
    subs[1].kobo_id = subs[0].kobo_id       # not Kobo's numbering (e.g. two servers merged)
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "merged.xlsx", subs)])
    assert res.ok and res.accepted["main"] == 2 and res.duplicates == {}


def test_an_older_odk_export_imported_after_the_newer_one_only_adds_history(study, tmp_path):
    subs = ff.sample(2)
    before = ff.odk_csvs(_folder(tmp_path, "monday"), subs)
    subs[1].region, subs[1].members[0].age = "north", 41
    subs[1].submitted = "2024-03-08T16:00:00"          # a later submission date
    after = ff.odk_csvs(_folder(tmp_path, "friday"), subs)
    import_files(study, after)
    res = import_files(study, before)                  # the older export, imported late
    assert res.ok and sum(res.accepted.values()) == 0
    assert _rows(study, "SELECT hh_id, region FROM study.main ORDER BY 1") == [
        ("H000", "north"), ("H001", "north")]
    # the member follows its submission: the stored newer answer stays
    assert _rows(study, "SELECT m_age FROM study.members WHERE m_name = 'A1'") == [(41,)]
    assert _rows(study, "SELECT region, _superseded_why FROM study.main_history") == [
        ("south", OLDER_THAN_STORED)]
    assert _rows(study, "SELECT m_age FROM study.members_history") == [(31,)]
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 1, 0), "episodes": (4, 0, 0)}


def test_a_kobo_edit_chain_in_one_import_replaces_the_stored_first_version(study, tmp_path):
    """Stored: A. Imported together: B (deprecatedID A) and C (deprecatedID B), exported
    before Kobo's _id was kept (the store predates it)."""
    subs = ff.sample(1)
    import_files(study, [ff.kobo_xlsx(tmp_path / "a.xlsx", subs)])
    with study.open_store() as store:
        store.con.execute("UPDATE study.main SET _kobo_id = NULL")
    paths = []
    for name, uuid, dep, region in (("b", "uuid-b", "uuid-0000", "south"),
                                    ("c", "uuid-c", "uuid-b", "east")):
        subs[0].uuid, subs[0].region = uuid, region
        path = ff.kobo_xlsx(tmp_path / f"{name}.xlsx", subs)
        from openpyxl import load_workbook

        wb = load_workbook(path)
        ws = wb["Household visit"]
        ws.cell(1, ws.max_column + 1, "meta/deprecatedID")
        ws.cell(2, ws.max_column, f"uuid:{dep}")
        wb.save(path)
        paths.append(path)
    res = import_files(study, paths[::-1])
    assert res.ok, [str(p) for p in res.report]
    assert _rows(study, "SELECT _key, region FROM study.main") == [("uuid-c", "east")]
    assert sorted(_rows(study, "SELECT _key FROM study.main_history")) == [
        ("uuid-0000",), ("uuid-b",)]
    assert _where(study) == {"main": (1, 2, 0), "members": (2, 4, 0), "episodes": (2, 4, 0)}
