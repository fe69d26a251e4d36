"""Decimal answers as field teams send them: a decimal comma in a ``;``-separated CSV (Kobo or
Excel in French/Spanish locales) is read as a number; anywhere else it is one IMP-004 with a
hint; a cell that is not a number is one problem, not also a failed constraint."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

HEAD = ["start", "loc/region", "loc/district", "loc/price", "loc/crops", "_id", "_uuid",
        "_submission_time", "_index"]


@pytest.fixture
def study(tmp_path):
    return init_study(tmp_path / "study", instrument=ff.cascade_form(tmp_path / "mkt.xlsx"),
                      demo=True)


def _csv(path: Path, prices: list[str], delimiter: str) -> Path:
    """A Kobo-style export (every value quoted) with the given prices."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter, quoting=csv.QUOTE_ALL)
        w.writerow(HEAD)
        for i, p in enumerate(prices, start=1):
            w.writerow(["2024-03-01T10:00:00", "N", "n1", p, "rice", str(i), f"u{i}",
                        "2024-03-01T10:05:00", str(i)])
    return path


def test_decimal_comma_in_semicolon_csv_is_read_as_a_number(study, tmp_path):
    res = import_files(study, [_csv(tmp_path / "fr.csv", ["120,5", "99", "-0,25"], ";")])
    assert res.accepted["main"] == 2
    assert [(p.row, p.code) for p in res.report] == [(4, "IMP-010")]   # -0.25 fails . >= 0
    with study.open_store() as store:
        assert store.con.execute("SELECT price FROM study.main ORDER BY price").fetchall() \
            == [(99.0,), (120.5,)]


def test_decimal_comma_in_comma_csv_is_one_problem_with_a_hint(study, tmp_path):
    res = import_files(study, [_csv(tmp_path / "en.csv", ["120,5", "99"], ",")])
    assert [(p.row, p.code, p.field) for p in res.report] == [(2, "IMP-004", "price")]
    assert res.report.problems[0].message == ('"120,5" is not a number (a decimal comma? '
                                              'write it with a point, e.g. 120.5)')


def test_non_number_is_not_also_a_failed_constraint(study, tmp_path):
    res = import_files(study, [_csv(tmp_path / "x.csv", ["abc", "-1"], ";")])
    assert [(p.row, p.code) for p in res.report] == [(2, "IMP-004"), (3, "IMP-010")]


def test_not_a_number_and_infinity_are_problems_never_stored(study, tmp_path):
    res = import_files(study, [_csv(tmp_path / "inf.csv", ["NaN", "inf", "1e400", "5"], ";")])
    assert [(p.row, p.code, p.message) for p in res.report] == [
        (2, "IMP-004", '"NaN" is not a number'), (3, "IMP-004", '"inf" is not a number'),
        (4, "IMP-004", '"1e400" is not a number')]
    with study.open_store() as store:
        assert store.con.execute("SELECT price FROM study.main").fetchall() == [(5.0,)]
