"""``select_one_from_file`` / ``select_multiple_from_file``: answers are checked against the
choices of the attached file when the study holds it (copied from next to the form by
``dhkit init``); when it does not, the import says once which question was not checked."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


def _study(tmp_path, with_file=True):
    form_dir = tmp_path / "form"
    form_dir.mkdir()
    form = ff.towns_form(form_dir, with_file=with_file)
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _counts(study):
    with study.open_store() as store:
        return (store.con.execute("SELECT count(*) FROM study.main").fetchone()[0],
                store.con.execute("SELECT count(*) FROM study.quarantine").fetchone()[0])


def test_init_keeps_the_attached_file_next_to_the_study_form(tmp_path):
    study = _study(tmp_path)
    assert (study.instrument_path.parent / "towns.csv").read_text(encoding="utf-8") == \
        ff.TOWNS_CSV


def test_a_town_not_in_the_attached_file_is_not_a_choice(tmp_path):
    study = _study(tmp_path)
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "e.xlsx", [
        ("north", "t1", "t1 t2"), ("north", "t9", "")])])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-005", 3, "town")]
    assert res.report.problems[0].message == \
        '"t9" is not a choice of list towns.csv (expected t1, t2, t3)'
    assert _counts(study) == (1, 1)


def test_each_value_of_a_select_multiple_from_file_is_checked(tmp_path):
    study = _study(tmp_path)
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "e.xlsx", [
        ("north", "t1", "t2 t7 t3")])])
    assert [(p.code, p.field) for p in res.report] == [("IMP-005", "markets")]
    assert res.report.problems[0].message.startswith('"t7" is not a choice of list towns.csv')
    assert _counts(study) == (0, 1)


def test_the_choice_filter_reads_the_attached_file_columns(tmp_path):
    study = _study(tmp_path)
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "e.xlsx", [
        ("south", "t3", ""), ("south", "t1", "")])])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-021", 3, "town")]
    assert res.report.problems[0].message == ('"t1" is not a choice offered when region = '
                                              '"south" (choice_filter region=${region})')
    assert _counts(study) == (1, 1)


def test_without_the_file_the_import_says_once_which_questions_were_not_checked(tmp_path):
    study = _study(tmp_path, with_file=False)
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "e.xlsx", [
        ("north", "t9", "t8"), ("south", "t1", "")])])
    assert res.ok, [str(p) for p in res.report]
    notes = [n for n in res.notes if "towns.csv" in n]
    folder = study.instrument_path.parent
    assert notes == [
        f"town: answers not checked against the choices of select_one_from_file towns.csv "
        f"(the file is not in the study; copy towns.csv next to the form, into {folder}/, "
        "and import again)",
        f"markets: answers not checked against the choices of select_multiple_from_file "
        f"towns.csv (the file is not in the study; copy towns.csv next to the form, into "
        f"{folder}/, and import again)"]
    assert _counts(study) == (2, 0)


def test_a_file_supplied_later_is_used_by_the_next_import(tmp_path):
    study = _study(tmp_path, with_file=False)
    (study.instrument_path.parent / "towns.csv").write_text(ff.TOWNS_CSV, encoding="utf-8")
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "e.xlsx", [
        ("north", "t9", "")])])
    assert res.report.codes() == ["IMP-005"]
    assert not [n for n in res.notes if "towns.csv" in n]
