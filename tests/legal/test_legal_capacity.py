"""Law-enforcement capacity: answer sheets, validation, public/restricted split."""

from __future__ import annotations

import openpyxl
import pytest

from dhkit.errors import ValidationError
from dhkit.legal.capacity import (
    TABLE,
    import_answers,
    load_public,
    load_questionnaire,
    validate_answers,
    write_template,
)
from dhkit.legal.study import open_legal_study
from dhkit.workspace.store import Store

KEY = "capacity-test-key-0123456789"


@pytest.fixture()
def study(tmp_path, monkeypatch):
    monkeypatch.setenv("DHKIT_KEY", KEY)
    d = tmp_path / "s"
    d.mkdir()
    (d / "study.toml").write_text('[study]\nname = "le"\ncountry = "CO"\ndemo = false\n',
                                  encoding="utf-8")
    return open_legal_study(d)


def test_questionnaire_marks_every_question_and_covers_the_topics():
    q = load_questionnaire()
    assert set(q.sections) == {"units", "training", "tools", "cases", "referrals", "databases",
                               "cooperation", "barriers"}
    vis = {x.visibility for x in q.questions}
    assert vis == {"public", "restricted"}
    assert any(x.type == "by_year" for x in q.questions)


def test_template_filled_in_excel_imports_and_splits(study, tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["LE-U01"], 3).value = "yes"
    ws.cell(rows["LE-U03"], 3).value = "12"                     # restricted
    ws.cell(rows["LE-C01"], 2).value = 2023
    ws.cell(rows["LE-C01"], 3).value = 310
    wb.save(path)
    assert import_answers(study, path) == (2, 1)
    public = load_public(study, load_questionnaire())
    assert [(a.question, a.year, a.value) for a in public] == [("LE-U01", None, "yes"),
                                                               ("LE-C01", 2023, "310")]
    with Store.open(study.store_path, KEY) as store:
        assert store.con.execute(f"SELECT question, value FROM {TABLE}").fetchall() == [
            ("LE-U03", "12")]
        audit = store.con.execute("SELECT command, rows_accepted, note FROM audit_log").fetchall()
    assert audit == [("capacity import", 3, "2 public, 1 restricted")]
    assert "LE-U03" not in study.capacity_public_path.read_text(encoding="utf-8")


def test_bad_answer_sheet_lists_every_problem_and_imports_nothing(study, tmp_path):
    sheet = tmp_path / "a.csv"
    sheet.write_text("question,year,value,note\n"
                     "LE-X99,,yes,\n"            # unknown question
                     "LE-U01,,maybe,\n"          # not yes/no
                     "LE-U03,,twelve,\n"         # not a number
                     "LE-C01,20x3,5,\n"          # bad year
                     "LE-U02,,galactic,\n"       # not a listed choice
                     "LE-T01,,yes,\nLE-T01,,no,\n",  # answered twice
                     encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        import_answers(study, sheet)
    rep = e.value.report
    assert sorted((p.code, p.row) for p in rep) == [
        ("LEG-031", 2), ("LEG-033", 3), ("LEG-033", 4), ("LEG-033", 6), ("LEG-034", 5),
        ("LEG-035", 8)]
    assert not study.capacity_public_path.exists() and not study.store_path.exists()


def test_public_file_edited_to_hold_a_restricted_question_is_filtered(study, tmp_path):
    study.legal_dir.mkdir(parents=True)
    study.capacity_public_path.write_text(
        "country: CO\nanswers:\n- {question: LE-U01, value: 'yes'}\n"
        "- {question: LE-U04, value: SECRET-PLACE}\n", encoding="utf-8")
    public = load_public(study, load_questionnaire())
    assert [a.question for a in public] == ["LE-U01"]


def test_validate_answers_accepts_a_clean_sheet():
    q = load_questionnaire()
    answers, rep = validate_answers([(2, {"question": "LE-D01", "value": "no"})], q, "x.csv")
    assert rep.ok and answers[0].value == "no"


def test_answer_sheet_inside_the_study_folder_is_refused(study):
    from dhkit.errors import SafetyError

    study.legal_dir.mkdir(parents=True)
    sheet = study.legal_dir / "answers.csv"
    sheet.write_text("question,year,value,note\nLE-U01,,yes,\n", encoding="utf-8")
    with pytest.raises(SafetyError) as e:
        import_answers(study, sheet)
    assert e.value.code == "LEG-036" and not study.capacity_public_path.exists()
