"""Several deployed versions of one form: each row is checked against its own version, all
versions share one stored table, a row of a version the study does not hold is quarantined
with the command that adds it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.errors import DhkitError  # noqa: E402
from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.instrument.versions import add_version, load_versions  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture
def study(tmp_path):
    """Version 2 is the study's instrument (region 'west' instead of 'east', a required
    phone question); version 1 is added."""
    v2 = ff.household_form(tmp_path / "hh_v2.xlsx", "2", phone=True,
                           regions=("north", "south", "west"))
    st = init_study(tmp_path / "study", instrument=v2, demo=True)
    add_version(st, ff.household_form(tmp_path / "hh_v1.xlsx", "1"))
    return st


def _mixed():
    subs = ff.sample(4)
    subs[0].region = "east"                    # only version 1 has it
    for s in subs[2:]:
        s.version, s.phone = "2", "1"
    subs[3].region = "west"                    # only version 2 has it
    return subs


def test_each_row_is_checked_against_its_own_version(study, tmp_path):
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "e.xlsx", _mixed(), phone=True)])
    assert res.ok, [str(p) for p in res.report]
    assert res.accepted == {"main": 4, "members": 8, "episodes": 8}
    with study.open_store() as store:
        rows = store.con.execute("SELECT hh_id, region, phone_access, _form_version "
                                 "FROM study.main ORDER BY hh_id").fetchall()
        eps = store.con.execute("SELECT DISTINCT _form_version FROM study.episodes "
                                "ORDER BY 1").fetchall()
    assert rows == [("H000", "east", None, "1"), ("H001", "south", None, "1"),
                    ("H002", "north", 1, "2"), ("H003", "west", 1, "2")]
    assert eps == [("1",), ("2",)]


def test_a_choice_or_question_of_the_other_version_is_still_a_problem(study, tmp_path):
    subs = _mixed()
    subs[1].region = "west"          # a version-1 row with a version-2 choice
    subs[2].phone = None             # a version-2 row without its required answer
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "e.xlsx", subs, phone=True)])
    got = sorted((p.code, p.field, p.row) for p in res.report if p.code != "IMP-013")
    assert got == [("IMP-005", "region", 3), ("IMP-006", "phone_access", 4)]


def test_a_row_of_a_version_the_study_does_not_hold_is_quarantined_naming_it(study, tmp_path):
    subs = _mixed()
    subs[1].version = "7"
    res = import_files(study, ff.odk_csvs(tmp_path, subs, phone=True))
    assert res.quarantined == {"main": 1, "members": 2, "episodes": 2}
    p = next(p for p in res.report if p.code == "IMP-020")
    assert p.field == "FormVersion" and p.row == 3
    assert 'form version "7"' in p.message and "holds 1, 2" in p.message
    assert "dhkit instrument add study FORM.xlsx" in p.message
    assert {q.code for q in res.report if q.file.endswith("members.csv")} == {"IMP-013"}


def test_odk_repeat_rows_take_the_version_of_their_submission(study, tmp_path):
    res = import_files(study, ff.odk_csvs(tmp_path, _mixed(), phone=True))
    assert res.ok, [str(p) for p in res.report]
    with study.open_store() as store:
        got = store.con.execute("SELECT _form_version, count(*) FROM study.members "
                                "GROUP BY 1 ORDER BY 1").fetchall()
    assert got == [("1", 4), ("2", 4)]


def test_kobo_version_ids_are_matched_through_an_alias(tmp_path):
    v2 = ff.household_form(tmp_path / "hh_v2.xlsx", "2", phone=True)
    st = init_study(tmp_path / "s", instrument=v2, demo=True)
    add_version(st, ff.household_form(tmp_path / "v1.xlsx", "1"), aliases=["vQ3xk9Lm2"])
    subs = ff.sample(2)
    subs[0].version = "vQ3xk9Lm2"
    subs[1].version, subs[1].phone = "2", "2"
    res = import_files(st, ff.kobo_csvs(tmp_path, subs, phone=True))
    assert res.ok and res.accepted["main"] == 2


def test_merged_codebook_knows_which_versions_did_not_ask(study):
    held = load_versions(study)
    assert held.names == ["1", "2"]
    assert held.not_asked("phone_access") == ["1"] and held.not_asked("region") == []
    assert [c.name for c in held.merged.choices["region"]] == ["north", "south", "west", "east"]
    assert "phone_access" in study.codebook().questions


def test_dictionary_of_the_study_lists_not_asked_versions(study, tmp_path):
    import csv

    from dhkit.instrument.dictionary import write_dictionary_csv

    held = load_versions(study)
    path = write_dictionary_csv(held.merged, tmp_path / "cb.csv", versions=held)
    with path.open(encoding="utf-8-sig") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert rows["phone_access"]["not_asked_in"] == "1" and rows["hh_id"]["not_asked_in"] == ""


def test_adding_a_form_with_another_form_id_is_refused(study, tmp_path):
    other = ff.household_form(tmp_path / "o.xlsx", "3", form_id="other_form")
    with pytest.raises(DhkitError) as exc:
        add_version(study, other)
    assert exc.value.code == "INS-041"


def test_same_version_with_other_content_is_refused_and_same_file_is_a_no_op(study, tmp_path):
    changed = ff.household_form(tmp_path / "c.xlsx", "1", phone=True)
    with pytest.raises(DhkitError) as exc:
        add_version(study, changed)
    assert exc.value.code == "INS-042"
    again = add_version(study, ff.household_form(tmp_path / "again.xlsx", "1"))
    assert again.already_held


def test_instrument_add_command_reports_the_versions_held(tmp_path):
    from typer.testing import CliRunner

    from dhkit.cli import app

    v1 = ff.household_form(tmp_path / "hh_v1.xlsx", "1")
    init_study(tmp_path / "s", instrument=v1, demo=True)
    v3 = ff.household_form(tmp_path / "hh_v3.xlsx", "3", phone=True)
    out = CliRunner().invoke(app, ["instrument", "add", str(tmp_path / "s"), str(v3)],
                             terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "version 3 added; the study holds 1, 3" in out.output
    assert "phone_access" in out.output
    assert (tmp_path / "s" / "instrument" / "versions" / "hh_visit__3.xlsx").exists()


def test_a_quarantined_row_released_after_its_version_is_added_goes_in(tmp_path):
    from dhkit.ingest.quarantine import export_quarantine, release

    v2 = ff.household_form(tmp_path / "hh_v2.xlsx", "2", phone=True)
    st = init_study(tmp_path / "s", instrument=v2, demo=True)
    add_version(st, ff.household_form(tmp_path / "hh_v3.xlsx", "3", phone=True))
    subs = ff.sample(2)
    subs[1].version, subs[1].phone = "2", "1"       # subs[0]: version 1, not held yet
    first = import_files(st, [ff.kobo_xlsx(tmp_path / "e.xlsx", subs, phone=True)])
    assert first.quarantined["main"] == 1
    add_version(st, ff.household_form(tmp_path / "hh_v1.xlsx", "1"))
    n = export_quarantine(st, tmp_path / "fix.csv", table="main")
    res = release(st, tmp_path / "fix.csv")
    assert n == 1 and res.ok and res.accepted["main"] == 1


def test_codebook_of_a_study_marks_questions_a_version_did_not_ask(study, tmp_path):
    import csv

    from typer.testing import CliRunner

    from dhkit.cli import app

    out = CliRunner().invoke(app, ["instrument", "codebook", "--study", str(study.dir),
                                   "--out", str(tmp_path / "cb")])
    assert out.exit_code == 0, out.output
    with (tmp_path / "cb" / "hh_visit_codebook.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["name"]: r["not_asked_in"] for r in csv.DictReader(fh)}
    assert rows["phone_access"] == "1" and rows["m_age"] == ""
    html = (tmp_path / "cb" / "hh_visit_codebook.html").read_text(encoding="utf-8")
    assert "Not asked in form version(s) 1" in html


def test_a_plain_csv_with_a_version_column_is_checked_by_version(study, tmp_path):
    p = tmp_path / "plain.csv"
    p.write_text("hh_id,region,phone_access,version\nP1,east,,1\nP2,west,1,2\nP3,east,1,2\n")
    res = import_files(study, [p])
    assert res.accepted["main"] == 2
    assert [(q.code, q.row) for q in res.report] == [("IMP-005", 4)]
