"""Consultation comments: quarantine of bad rows, strict mode, decisions, history, Excel."""

from __future__ import annotations

import pytest

from dhkit.errors import DhkitError, ValidationError
from dhkit.legal import install_colombia
from dhkit.legal.consultation import (
    decide,
    export_comments,
    finalize,
    import_comments,
    load_comments,
    summarise,
)
from dhkit.legal.recommendations import load_registry
from dhkit.legal.study import open_legal_study

HEADER = "recommendation,organisation,sector,comment,proposed_change,endorsement\n"
GOOD = ("7.3,Ministry of Justice,government,Agree,,endorse\n"
        "7.3,Fundación X,civil_society,Include online-only grooming,Add 'without a meeting',"
        "endorse_with_changes\n"
        "4.1,Platform Y,industry,Too broad,Limit to large platforms,do_not_endorse\n")
BAD = ("9.9,Someone,government,Unknown number,,endorse\n"
       "1.1,,educators,No organisation,,endorse\n"
       "1.2,School Z,educators,Odd endorsement,,maybe\n")


@pytest.fixture()
def study(tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    (d / "study.toml").write_text('[study]\nname = "c"\ncountry = "CO"\ndemo = true\n',
                                  encoding="utf-8")
    install_colombia(d)
    return open_legal_study(d)


def numbers(study):
    return load_registry(study.recommendations_path).numbers()


def test_clean_rows_in_bad_rows_quarantined_with_every_problem(study, tmp_path):
    sheet = tmp_path / "comments.csv"
    sheet.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    res = import_comments(study, sheet, numbers(study))
    assert (res.added, res.quarantined) == (3, 3)
    assert sorted(res.report.codes()) == ["LEG-051", "LEG-052", "LEG-053"]
    assert {p.row for p in res.report} == {5, 6, 7}
    q = res.quarantine_file.read_text(encoding="utf-8")
    assert "9.9" in q and "LEG-051" in q and "Ministry of Justice" not in q
    assert [c.id for c in load_comments(study)] == ["C-001", "C-002", "C-003"]


def test_strict_imports_nothing_when_a_row_is_bad(study, tmp_path):
    sheet = tmp_path / "comments.csv"
    sheet.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    with pytest.raises(ValidationError):
        import_comments(study, sheet, numbers(study), strict=True)
    assert load_comments(study) == []


def test_missing_columns_refuse_the_whole_file(study, tmp_path):
    sheet = tmp_path / "comments.csv"
    sheet.write_text("recommendation,organisation,comment\n7.3,A,B\n", encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        import_comments(study, sheet, numbers(study))
    assert "sector" in str(e.value.report.problems[0]) and load_comments(study) == []


def test_summary_by_sector_and_recommendation(study, tmp_path):
    sheet = tmp_path / "comments.csv"
    sheet.write_text(HEADER + GOOD, encoding="utf-8")
    import_comments(study, sheet, numbers(study))
    s = summarise(load_comments(study))
    assert s.by_sector["civil_society"]["endorse_with_changes"] == 1
    assert s.changes_by_sector == {"government": 0, "civil_society": 1, "industry": 1}
    assert s.by_recommendation == {"4.1": {"comments": 1, "undecided": 1},
                                   "7.3": {"comments": 2, "undecided": 2}}


def test_excel_round_trip_keeps_comments_and_brings_decisions_back(study, tmp_path):
    sheet = tmp_path / "comments.csv"
    sheet.write_text(HEADER + GOOD, encoding="utf-8")
    import_comments(study, sheet, numbers(study))
    before = load_comments(study)
    xlsx = export_comments(study, tmp_path / "out.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    head = [c.value for c in ws[1]]
    ws.cell(row=2, column=head.index("decision") + 1, value="accepted")
    wb.save(xlsx)
    res = import_comments(study, xlsx, numbers(study))
    after = load_comments(study)
    assert (res.added, res.updated, res.quarantined) == (0, 3, 0)
    assert after[0].decision == "accepted"
    assert [c.__dict__ | {"decision": None} for c in after] == \
        [c.__dict__ | {"decision": None} for c in before]


def test_rejection_needs_a_reason_and_finalize_keeps_history(study, tmp_path):
    sheet = tmp_path / "comments.csv"
    sheet.write_text(HEADER + GOOD, encoding="utf-8")
    import_comments(study, sheet, numbers(study))
    with pytest.raises(DhkitError) as e:
        decide(study, "C-003", "rejected")
    assert e.value.code == "LEG-054"
    decide(study, "C-001", "noted")
    with pytest.raises(DhkitError) as e:
        finalize(study)
    assert e.value.code == "LEG-057"
    decide(study, "C-002", "accepted")
    decide(study, "C-003", "rejected", "The law must cover every platform children use")
    finalize(study, date="2026-03-01")
    reg = load_registry(study.recommendations_path)
    assert (reg.status, reg.version) == ("final", 2)
    hist = reg.find("7.3").history
    assert [(h["comment"], h["decision"]) for h in hist] == [("C-001", "noted"),
                                                             ("C-002", "accepted")]
    assert reg.find("4.1").history[0]["reason"].startswith("The law must")
