"""Whole numbers are read exactly: an integer answer with a fraction is a problem, never
rounded into the store, and a calculation is stored as BIGINT only when every value is a
whole number (DuckDB's own cast to BIGINT rounds ``'1.5'`` to 2)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture
def study(tmp_path):
    form = ff.household_form(tmp_path / "form.xlsx", size=True, count="")
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _import_sizes(study, tmp_path, sizes: list[str], xlsx: bool = False):
    subs = ff.sample(len(sizes))
    for s, v in zip(subs, sizes):
        s.hh_size = v
    if xlsx:
        files = [ff.kobo_xlsx(tmp_path / "export.xlsx", subs, size=True)]
    else:
        (tmp_path / "export").mkdir()
        files = ff.kobo_csvs(tmp_path / "export", subs, size=True)
    res = import_files(study, files)
    with study.open_store() as store:
        stored = store.con.execute("SELECT hh_id, hh_size FROM study.main ORDER BY hh_id"
                                   ).fetchall()
    return res, stored


@pytest.mark.parametrize("xlsx", [False, True], ids=["kobo csv", "kobo xlsx"])
def test_an_integer_answer_with_a_fraction_is_a_problem_not_rounded(study, tmp_path, xlsx):
    res, stored = _import_sizes(study, tmp_path, ["1.5", "3"], xlsx)
    main = [(p.row, p.code, p.field, p.message) for p in res.report if p.field == "hh_size"]
    assert main == [(2, "IMP-004", "hh_size", '"1.5" is not a whole number')]
    assert stored == [("H001", 3)]          # H000 quarantined, nothing stored as 2


def test_whole_numbers_written_otherwise_are_read_as_numbers(study, tmp_path):
    res, stored = _import_sizes(study, tmp_path, ["2.0", "01", "1e1", "-0.5"])
    assert [(p.row, p.code) for p in res.report if p.field == "hh_size"] == [(5, "IMP-004")]
    assert stored == [("H000", 2), ("H001", 1), ("H002", 10)]


def test_a_calculation_with_a_fraction_is_stored_as_a_decimal(tmp_path):
    survey = [["text", "hh_id", "Household id", "Código", "yes", "", ""],
              ["integer", "members", "Members", "Miembros", "", "", ""],
              ["calculate", "half", "", "", "", "", ""]]
    form = ff._workbook(tmp_path / "calc.xlsx", survey, [],
                        [["form_title", "form_id", "version"], ["Calc", "calc", "1"]])
    study = init_study(tmp_path / "study", instrument=form, demo=True)
    path = tmp_path / "calc.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL)
        w.writerow(["hh_id", "members", "half", "_uuid", "_index"])
        w.writerows([["A", "3", "1.5", "u1", "1"], ["B", "4", "2", "u2", "2"]])
    res = import_files(study, [path])
    assert res.accepted["main"] == 2
    with study.open_store() as store:
        assert store.con.execute("SELECT half FROM study.main ORDER BY hh_id").fetchall() \
            == [(1.5,), (2.0,)]


def test_a_number_too_large_to_keep_says_so(study, tmp_path):
    res, stored = _import_sizes(study, tmp_path, ["9223372036854775808", "3"])
    main = [(p.row, p.code, p.message) for p in res.report if p.field == "hh_size"]
    assert main == [(2, "IMP-004", '"9223372036854775808" is too large for a whole number '
                     "(at most 9223372036854775807; an ID is better a text question)")]
    assert stored == [("H001", 3)]
