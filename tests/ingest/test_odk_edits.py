"""ODK Central edits across imports. Central keeps ``KEY`` (the first instanceID) and
``SubmissionDate`` when a submission is edited; only the answers, ``meta-instanceID``,
``meta-deprecatedID`` and ``Edits`` change (central-backend ``lib/data/briefcase.js``). The
store keeps the version columns, so an older export imported after a newer one never
replaces it: the older answers go to ``main_history`` ("older than the one stored")."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.edits import OLDER_THAN_STORED  # noqa: E402
from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

TABLES = ("main", "members", "episodes")
REPLACED = "edited: replaced by a newer version of the submission"


@pytest.fixture
def study(tmp_path):
    form = ff.household_form(tmp_path / "hh_visit.xlsx")
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _version(n: int) -> list[ff.Submission]:
    """Central's export after ``n`` edits of the first submission (KEY, SubmissionDate and
    repeat keys unchanged; region, the first member's age and the version ids change)."""
    subs = ff.sample(2)
    s = subs[0]
    if n >= 1:
        s.instance, s.deprecated, s.edits = "uuid-0000-v2", "uuid-0000", 1
        s.region, s.members[0].age = "south", 44
    if n >= 2:
        s.instance, s.deprecated, s.edits = "uuid-0000-v3", "uuid-0000-v2", 2
        s.members[0].age = 45
    return subs


def _export(tmp_path, name, subs):
    d = tmp_path / name
    d.mkdir()
    return ff.odk_csvs(d, subs)


def _rows(study, sql):
    with study.open_store() as store:
        return store.con.execute(sql).fetchall()


def _where(study):
    """table -> (in the table, in history, in quarantine)."""
    with study.open_store() as store:
        con = store.con

        def n(t):
            return con.execute(f"SELECT count(*) FROM study.{t}").fetchone()[0] \
                if store.has_table(t) else 0
        q = dict(con.execute('SELECT "table", count(*) FROM study.quarantine GROUP BY ALL')
                 .fetchall())
        return {t: (n(t), n(f"{t}_history"), q.get(t, 0)) for t in TABLES}


def _current(study):
    return _rows(study, "SELECT m._key, region, _instance_id, _edits, m_age FROM study.main m "
                        "JOIN study.members r ON r._parent_key = m._key AND r._key LIKE '%[1]' "
                        "ORDER BY 1")


def test_the_store_keeps_the_version_columns_of_a_central_export(study, tmp_path):
    import_files(study, _export(tmp_path, "a", _version(1)))
    assert _rows(study, "SELECT _key, _instance_id, _deprecated_id, _edits FROM study.main "
                        "ORDER BY 1") == [
        ("uuid:uuid-0000", "uuid:uuid-0000-v2", "uuid:uuid-0000", 1),
        ("uuid:uuid-0001", "uuid:uuid-0001", None, 0)]


def test_an_edit_imported_after_the_original_replaces_it(study, tmp_path):
    import_files(study, _export(tmp_path, "old", _version(0)))
    res = import_files(study, _export(tmp_path, "new", _version(1)))
    assert res.ok, [str(p) for p in res.report]
    assert res.edited == {"main": 1, "members": 1}
    assert _current(study) == [("uuid:uuid-0000", "south", "uuid:uuid-0000-v2", 1, 44),
                               ("uuid:uuid-0001", "south", "uuid:uuid-0001", 0, 31)]
    assert _rows(study, "SELECT region, _superseded_why FROM study.main_history") == [
        ("north", REPLACED)]
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 1, 0), "episodes": (4, 0, 0)}


def test_an_older_export_imported_after_the_newer_one_goes_to_history(study, tmp_path):
    import_files(study, _export(tmp_path, "new", _version(1)))
    res = import_files(study, _export(tmp_path, "old", _version(0)))
    assert res.ok, [str(p) for p in res.report]
    assert res.accepted == {"main": 0, "members": 0}  # episodes: the same file, skipped
    assert _current(study) == [("uuid:uuid-0000", "south", "uuid:uuid-0000-v2", 1, 44),
                               ("uuid:uuid-0001", "south", "uuid:uuid-0001", 0, 31)]
    assert _rows(study, "SELECT _key, region, _instance_id, _superseded_why "
                        "FROM study.main_history") == [
        ("uuid:uuid-0000", "north", "uuid:uuid-0000", OLDER_THAN_STORED)]
    assert _rows(study, "SELECT _key, m_age, _superseded_why FROM study.members_history") == [
        ("uuid:uuid-0000/members[1]", 30, OLDER_THAN_STORED)]
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 1, 0), "episodes": (4, 0, 0)}


def test_a_stored_version_two_edits_ahead_is_kept_by_the_edits_count(study, tmp_path):
    """Version 3 names version 2 as replaced, not version 1: Central's Edits count (2 > 0)
    tells that the original is older."""
    import_files(study, _export(tmp_path, "v3", _version(2)))
    res = import_files(study, _export(tmp_path, "v1", _version(0)))
    assert res.ok, [str(p) for p in res.report]
    assert _current(study)[0] == ("uuid:uuid-0000", "south", "uuid:uuid-0000-v3", 2, 45)
    assert _rows(study, "SELECT region, _superseded_why FROM study.main_history") == [
        ("north", OLDER_THAN_STORED)]


def test_the_version_a_stored_edit_replaced_is_older_whatever_the_import_order(
        study, tmp_path):
    import_files(study, _export(tmp_path, "v3", _version(2)))
    res = import_files(study, _export(tmp_path, "v2", _version(1)))
    assert res.ok, [str(p) for p in res.report]
    assert _current(study)[0] == ("uuid:uuid-0000", "south", "uuid:uuid-0000-v3", 2, 45)
    assert _rows(study, "SELECT _instance_id, _superseded_why FROM study.main_history") == [
        ("uuid:uuid-0000-v2", OLDER_THAN_STORED)]
    assert _where(study) == {"main": (2, 1, 0), "members": (4, 1, 0), "episodes": (4, 0, 0)}


def test_three_exports_in_one_import_apply_the_newest_whatever_the_file_order(
        study, tmp_path):
    files = (_export(tmp_path, "v3", _version(2)) + _export(tmp_path, "v1", _version(0))
             + _export(tmp_path, "v2", _version(1)))
    res = import_files(study, files)
    assert res.ok, [str(p) for p in res.report]
    assert _current(study)[0] == ("uuid:uuid-0000", "south", "uuid:uuid-0000-v3", 2, 45)
    assert sorted(_rows(study, "SELECT _instance_id FROM study.main_history")) == [
        ("uuid:uuid-0000",), ("uuid:uuid-0000-v2",)]
    assert res.duplicates == {"main": 2, "members": 6}  # the same episodes file: skipped
    assert _where(study) == {"main": (2, 2, 0), "members": (4, 2, 0), "episodes": (4, 0, 0)}
