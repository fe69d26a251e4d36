"""A file identical to one imported before (same SHA-256) is skipped, and the summary says
so per table ("members: 0 new (file identical to ... imported on DATE ...)"), so a level that
brings nothing new is not mistaken for a lost one. Exports are written as Kobo and ODK
Central write them (``fieldforms``)."""

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
    return init_study(tmp_path / "study", instrument=ff.household_form(tmp_path / "f.xlsx"),
                      demo=True)


def _cli(study, files):
    from typer.testing import CliRunner

    from dhkit.cli import app

    return CliRunner().invoke(app, ["import", str(study.dir), *map(str, files)],
                              terminal_width=240)


def _approved(main: Path) -> Path:
    """The main sheet re-exported after a reviewer approved every submission: only Kobo's
    ``_validation_status`` changed, so the repeat files are byte for byte the same."""
    text = main.read_text(encoding="utf-8").replace('"";"";"submitted_via_web"',
                                                    '"validation_status_approved";"";'
                                                    '"submitted_via_web"')
    assert text != main.read_text(encoding="utf-8")
    main.write_text(text, encoding="utf-8")
    return main


def test_identical_repeat_files_of_a_kobo_re_export_are_named_per_level(study, tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    first.mkdir()
    again.mkdir()
    subs = ff.sample(2)
    import_files(study, ff.kobo_csvs(first, subs))
    main, members, episodes = ff.kobo_csvs(again, subs)
    out = _cli(study, [_approved(main), members, episodes])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert ("Household_visit-members.csv: members: 0 new (file identical to "
            "Household_visit-members.csv imported on 20") in flat
    assert "UTC; its 4 rows were handled then) Household_visit-episodes.csv: episodes: 0 new " \
        "(file identical to Household_visit-episodes.csv imported on 20" in flat
    assert "main: 0 accepted, 0 quarantined, 2 unchanged" in flat


def test_the_result_counts_the_rows_of_skipped_files_per_table(study, tmp_path):
    subs = ff.sample(2)
    import_files(study, ff.odk_csvs(tmp_path, subs))
    subs[1].region = "north"                   # an edit of the main sheet only
    later = tmp_path / "later"
    later.mkdir()
    res = import_files(study, ff.odk_csvs(later, subs))
    assert res.ok and res.edited == {"main": 1} and res.unchanged == {"main": 1}
    assert res.identical == {"members": 4, "episodes": 4}
    skipped = {f.file: f.identical_to for f in res.files if f.already_imported}
    assert set(skipped) == {"hh_visit-members.csv", "hh_visit-episodes.csv"}
    assert skipped["hh_visit-members.csv"].file == "hh_visit-members.csv"
    assert skipped["hh_visit-members.csv"].rows == {"members": 4}
    with study.open_store() as store:      # nothing lost: every member still in its table
        assert store.con.execute("SELECT count(*) FROM study.members").fetchone()[0] == 4
        note = store.con.execute("SELECT note FROM audit_log WHERE file = "
                                 "'hh_visit-episodes.csv' ORDER BY seq DESC").fetchone()[0]
    assert note.startswith("already imported (") and \
        "nothing added: episodes: 0 new (file identical to hh_visit-episodes.csv" in note


def test_the_same_file_twice_in_one_import_names_the_first(study, tmp_path):
    main, members, _ = ff.kobo_csvs(tmp_path, ff.sample(2))
    copy = tmp_path / "copy-of-members.csv"
    copy.write_bytes(members.read_bytes())
    res = import_files(study, [main, members, copy])
    skipped = [f for f in res.files if f.already_imported]
    assert [f.file for f in skipped] == ["copy-of-members.csv"]
    assert skipped[0].identical_to.describe() == (
        "members: 0 new (file identical to Household_visit-members.csv in this import; its 4 "
        "rows were handled then)")
    assert res.accepted == {"main": 2, "members": 4}


def test_an_identical_file_whose_rows_wait_for_their_values_stays_a_no_op(study, tmp_path):
    subs = ff.sample(2)
    subs[1].members[1].sex = "x"           # IMP-005: quarantined for its value
    files = ff.kobo_csvs(tmp_path, subs)
    first = import_files(study, files)
    assert [(p.code, p.field) for p in first.report] == [("IMP-005", "m_sex")]
    again = import_files(study, files)
    assert all(f.already_imported for f in again.files) and not again.notes
    with study.open_store() as store:
        assert store.con.execute("SELECT count(*), count(*) FILTER (WHERE released) FROM "
                                 "study.quarantine").fetchone() == (1, 0)
