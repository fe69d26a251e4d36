"""A choice list of thousands (every village of a country) is checked by a lookup, with the
same problems, rows and order as a short list's check; a repeat's answers too."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.ingest.validate import LOOKUP_CODES  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

HEAD = ["type", "name", "label", "required", "relevant", "constraint"]
VILLAGES = [f"v{i:05d}" for i in range(3000)]


@pytest.fixture
def study(tmp_path):
    survey = [["text", "hh_id", "Household", "yes", "", ""],
              ["select_one village", "village", "Village", "yes", "", ""],
              ["begin repeat", "trips", "Trip", "", "", ""],
              ["select_one village", "to_village", "Village visited", "", "", ""],
              ["end repeat", "", "", "", "", ""]]
    choices = [["village", v, v.upper()] for v in VILLAGES]
    form = ff._workbook(tmp_path / "villages.xlsx", survey, choices,
                        [["form_title", "form_id", "version"], ["Villages", "villages", "1"]],
                        HEAD, ["list_name", "name", "label"])
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _write(path: Path, head: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(head)
        w.writerows(rows)
    return path


def test_the_list_is_long_enough_to_be_looked_up():
    assert len(VILLAGES) > LOOKUP_CODES


def test_an_answer_outside_a_long_list_is_quarantined_in_its_row(study, tmp_path):
    answers = ["v00001", "v02999", "v03000", "v00010", "x", "v00002"]
    main = _write(tmp_path / "Villages.csv", ["hh_id", "village", "_uuid", "_index"],
                  [[f"H{i}", v, f"u{i}", str(i)] for i, v in enumerate(answers, start=1)])
    res = import_files(study, [main])
    assert [(p.row, p.code, p.field, p.value) for p in res.report] == [
        (4, "IMP-005", "village", "v03000"), (6, "IMP-005", "village", "x")]
    assert res.report.problems[0].message.startswith(
        '"v03000" is not a choice of list village (expected v00000, v00001')
    with study.open_store() as store:
        kept = store.con.execute("SELECT hh_id, village, _source_row FROM study.main "
                                 "ORDER BY _source_row").fetchall()
    assert kept == [("H1", "v00001", 2), ("H2", "v02999", 3), ("H4", "v00010", 5),
                    ("H6", "v00002", 7)]


def test_a_repeat_answer_outside_a_long_list_is_quarantined(study, tmp_path):
    main = _write(tmp_path / "Villages.csv", ["hh_id", "village", "_uuid", "_index"],
                  [["H1", "v00001", "u1", "1"]])
    trips = _write(tmp_path / "Villages-trips.csv",
                   ["trips/to_village", "_index", "_parent_table_name", "_parent_index",
                    "_submission__uuid"],
                   [["v00005", "1", "Villages", "1", "u1"], ["nowhere", "2", "Villages", "1",
                                                              "u1"]])
    res = import_files(study, [main, trips])
    assert [(p.row, p.code, p.field) for p in res.report] == [(3, "IMP-005", "to_village")]


def test_an_excel_export_is_checked_the_same_way(study, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Villages"
    ws.append(["hh_id", "village", "_uuid", "_index"])
    for i, v in enumerate(["v00001", "v09999", "v00003"], start=1):
        ws.append([f"H{i}", v, f"u{i}", str(i)])
    wb.save(tmp_path / "villages-export.xlsx")
    res = import_files(study, [tmp_path / "villages-export.xlsx"])
    assert [(p.row, p.code, p.value) for p in res.report] == [(3, "IMP-005", "v09999")]
    assert res.accepted["main"] == 2


def _cascade_study(tmp_path, question: str):
    """A form whose ``question`` (``select_one village village`` or ``select_multiple
    village visited``) offers the 300 villages of the district answered, of 900."""
    kind, name = question.rsplit(" ", 1)
    survey = [["text", "hh_id", "Household", "yes", "", "", ""],
              ["select_one district", "district", "District", "yes", "", "", ""],
              [kind, name, "Village", "", "", "", "district=${district}"]]
    choices = [["district", d, d.upper(), ""] for d in ("d1", "d2", "d3")]
    choices += [["village", f"w{i:04d}", f"W{i}", f"d{i % 3 + 1}"] for i in range(900)]
    form = ff._workbook(tmp_path / "cascade.xlsx", survey, choices,
                        [["form_title", "form_id", "version"], ["Villages", "villages", "1"]],
                        HEAD + ["choice_filter"], ["list_name", "name", "label", "district"])
    return init_study(tmp_path / "study", instrument=form, demo=True)


def test_a_long_cascading_list_offers_only_its_districts_villages(tmp_path):
    study = _cascade_study(tmp_path, "select_one village village")
    rows = [["d1", "w0000"], ["d1", "w0001"], ["d2", "w0001"], ["d3", "w0899"], ["d3", "w0898"]]
    main = _write(tmp_path / "Villages.csv", ["hh_id", "district", "village", "_uuid", "_index"],
                  [[f"H{i}", d, v, f"u{i}", str(i)] for i, (d, v) in enumerate(rows, start=1)])
    res = import_files(study, [main])
    assert [(p.row, p.code, p.field) for p in res.report] == [(3, "IMP-021", "village"),
                                                              (6, "IMP-021", "village")]
    assert res.accepted["main"] == 3


def test_a_long_cascading_multiple_choice_is_checked_too(tmp_path):
    study = _cascade_study(tmp_path, "select_multiple village visited")
    main = _write(tmp_path / "Villages.csv", ["hh_id", "district", "visited", "_uuid", "_index"],
                  [["H1", "d1", "w0000 w0003", "u1", "1"], ["H2", "d1", "w0000 w0002", "u2", "2"]])
    res = import_files(study, [main])
    assert [(p.row, p.code, p.message[:40]) for p in res.report] == [
        (3, "IMP-021", '"w0002" is not a choice offered when dis')]
