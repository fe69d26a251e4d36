"""Date rules as forms write them: ``. <= today()`` is checked against the day each
submission reached the server, ``date('...')`` and date answers compare as dates (days),
and a row whose submission day is unknown is not judged by a today() rule."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

HEAD = ["type", "name", "label", "required", "relevant", "constraint"]


@pytest.fixture
def study(tmp_path):
    survey = [["text", "hh_id", "Household", "yes", "", ""],
              ["date", "dob", "Date of birth", "", "",
               ". <= today() and . >= date('1990-01-01')"],
              ["text", "school", "School", "", "${dob} <= '2012-12-31'", ""]]
    form = ff._workbook(tmp_path / "dates.xlsx", survey, [],
                        [["form_title", "form_id", "version"], ["Dates", "dates", "1"]], HEAD)
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _import(study, tmp_path, rows):
    path = tmp_path / "dates.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(["hh_id", "dob", "school", "_uuid", "_submission_time", "_index"])
        for i, (dob, school, submitted) in enumerate(rows, start=1):
            w.writerow([f"H{i}", dob, school, f"u{i}", submitted, str(i)])
    return import_files(study, [path])


def test_a_date_after_the_submission_day_fails_a_today_constraint(study, tmp_path):
    res = _import(study, tmp_path, [("2010-05-02", "Escuela 1", "2024-03-01T10:00:00"),
                                    ("2024-03-02", "", "2024-03-01T10:00:00"),
                                    ("2024-03-01", "", "2024-03-01T23:59:00")])
    assert [(p.row, p.code, p.field) for p in res.report] == [(3, "IMP-010", "dob")]
    assert res.accepted["main"] == 2


def test_a_date_before_a_fixed_date_fails_its_constraint(study, tmp_path):
    res = _import(study, tmp_path, [("1989-12-31", "", "2024-03-01T10:00:00")])
    assert [(p.row, p.code) for p in res.report] == [(2, "IMP-010")]


def test_a_row_without_its_submission_day_is_not_judged_by_today(study, tmp_path):
    res = _import(study, tmp_path, [("2030-01-01", "", "")])
    assert list(res.report) == [] and res.accepted["main"] == 1


def test_a_relevance_comparing_a_date_with_a_date_text_is_checked(study, tmp_path):
    res = _import(study, tmp_path, [("2015-06-01", "Escuela 2", "2024-03-01T10:00:00"),
                                    ("2011-06-01", "Escuela 3", "2024-03-01T10:00:00")])
    assert [(p.row, p.code, p.field) for p in res.report] == [(2, "IMP-007", "school")]


def test_a_today_rule_in_a_repeat_is_checked_against_its_submission_day(tmp_path):
    survey = [["text", "hh_id", "Household", "yes", "", ""],
              ["begin repeat", "visits", "Visit", "", "", ""],
              ["date", "visit_day", "Day of the visit", "", "", ". <= today()"],
              ["end repeat", "", "", "", "", ""]]
    form = ff._workbook(tmp_path / "visits.xlsx", survey, [],
                        [["form_title", "form_id", "version"], ["Visits", "visits", "1"]], HEAD)
    study = init_study(tmp_path / "study", instrument=form, demo=True)
    main, rep = tmp_path / "Visits.csv", tmp_path / "Visits-visits.csv"
    with main.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(["hh_id", "_uuid", "_submission_time", "_index"])
        w.writerow(["H1", "u1", "2024-03-01T10:00:00", "1"])
    with rep.open("w", newline="", encoding="utf-8") as fh:       # as Kobo writes a repeat
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(["visits/visit_day", "_index", "_parent_table_name", "_parent_index",
                    "_submission__uuid", "_submission__submission_time"])
        w.writerow(["2024-02-28", "1", "Visits", "1", "u1", "2024-03-01T10:00:00"])
        w.writerow(["2024-03-05", "2", "Visits", "1", "u1", "2024-03-01T10:00:00"])
    res = import_files(study, [main, rep])
    assert [(p.row, p.code, p.field) for p in res.report] == [(3, "IMP-010", "visit_day")]
    assert not any("today()" in n for n in res.notes)
