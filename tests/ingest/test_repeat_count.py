"""IMP-022: a repeat's entries are counted against its XLSForm ``repeat_count``
(``members`` has ``repeat_count = ${hh_size}``). A mismatch is a warning: the submission and
every entry are kept (in the table, nothing in quarantine), the problem is listed per
submission and stored in ``problems``."""

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
    form = ff.household_form(tmp_path / "hh_visit.xlsx", size=True)
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _subs(sizes):
    """Households with two members each (the first with two episodes), sizes as given."""
    subs = ff.sample(len(sizes))
    for s, n in zip(subs, sizes):
        s.hh_size = n
    return subs


def _where(study):
    """table -> (rows in the table, rows in quarantine)."""
    with study.open_store() as store:
        con = store.con
        q = dict(con.execute('SELECT "table", count(*) FROM study.quarantine GROUP BY ALL')
                 .fetchall())
        return {t: (con.execute(f"SELECT count(*) FROM study.{t}").fetchone()[0]
                    if store.has_table(t) else 0, q.get(t, 0))
                for t in ("main", "members", "episodes")}


def _problems(study):
    with study.open_store() as store:
        return store.con.execute('SELECT "table", file, "row", "key", field, code, value '
                                 "FROM study.problems ORDER BY 4").fetchall()


def test_entries_matching_their_count_raise_nothing(study, tmp_path):
    res = import_files(study, ff.kobo_csvs(tmp_path, _subs([2, 2]), size=True))
    assert res.ok and not res.warnings, [str(p) for p in [*res.report, *res.warnings]]
    assert _where(study) == {"main": (2, 0), "members": (4, 0), "episodes": (4, 0)}


def test_a_repeat_file_that_lost_a_row_is_a_warning_and_keeps_every_row(study, tmp_path):
    subs = _subs([3, 2])      # the first household has 3 members; the export holds 2
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "export.xlsx", subs, size=True)])
    assert res.ok and [w.code for w in res.warnings] == ["IMP-022"]
    p = res.warnings[0]
    assert (p.file, p.row, p.field) == ("export.xlsx[Household visit]", 2, "members")
    assert p.message.startswith("submission uuid-0000 (hh_id H000): members has 2 entries but "
                                "its count ${hh_size} says 3 (1 missing: an export that lost "
                                "rows?); the data are kept. Re-export the members sheet")
    assert res.accepted == {"main": 2, "members": 4, "episodes": 4}
    assert _where(study) == {"main": (2, 0), "members": (4, 0), "episodes": (4, 0)}
    assert _problems(study) == [("main", "export.xlsx[Household visit]", 2, "uuid-0000",
                                 "members", "IMP-022", "2")]


def test_more_entries_than_the_count_names_another_export(study, tmp_path):
    res = import_files(study, ff.odk_csvs(tmp_path, _subs([1, 2]), size=True))
    assert res.ok and [w.code for w in res.warnings] == ["IMP-022"]
    assert "members has 2 entries but its count ${hh_size} says 1 (1 too many: a members " \
        "file from another export?)" in res.warnings[0].message
    assert res.warnings[0].file == "hh_visit.csv"
    assert _where(study) == {"main": (2, 0), "members": (4, 0), "episodes": (4, 0)}


def test_a_submission_whose_entries_are_all_missing_is_counted_as_zero(study, tmp_path):
    subs = _subs([2, 2])
    subs[1].members = []
    res = import_files(study, ff.kobo_csvs(tmp_path, subs, size=True))
    assert res.ok and [p.message.split(" (")[0] for p in res.warnings] == [
        "submission uuid-0001"]
    assert "members has 0 entries but its count ${hh_size} says 2" in \
        res.warnings[0].message
    assert _where(study) == {"main": (2, 0), "members": (2, 0), "episodes": (2, 0)}


def test_an_unanswered_count_is_not_checked(study, tmp_path):
    res = import_files(study, ff.kobo_csvs(tmp_path, _subs([None, 2]), size=True))
    assert res.ok and not res.warnings, [str(p) for p in [*res.report, *res.warnings]]


def test_no_check_when_the_import_brings_no_entries_of_the_repeat(study, tmp_path):
    main, _, _ = ff.kobo_csvs(tmp_path, _subs([5, 5]), size=True)
    res = import_files(study, [main])
    assert res.ok and not res.warnings, [str(p) for p in [*res.report, *res.warnings]]
    assert res.accepted == {"main": 2}


def test_the_re_exported_repeat_file_completes_a_stored_submission(study, tmp_path):
    """The field coordinator's fix: the members file exported again, with the lost row."""
    subs = _subs([3, 2])
    first = tmp_path / "first"
    first.mkdir()
    res = import_files(study, ff.kobo_csvs(first, subs, size=True))
    assert res.ok and [w.code for w in res.warnings] == ["IMP-022"]
    subs[0].members.append(ff.Member("C0", 61, "f"))
    again = tmp_path / "again"
    again.mkdir()
    _, members, _ = ff.kobo_csvs(again, subs, size=True)
    res = import_files(study, [members])
    assert res.ok and not res.warnings, [str(p) for p in [*res.report, *res.warnings]]
    assert res.accepted == {"members": 1}
    assert res.unchanged == {"members": 4}
    assert _where(study) == {"main": (2, 0), "members": (5, 0), "episodes": (4, 0)}


def test_a_repeat_file_imported_after_its_main_file_is_counted_with_the_stored_count(
        study, tmp_path):
    main, members, _ = ff.kobo_csvs(tmp_path, _subs([3, 2]), size=True)
    assert import_files(study, [main]).ok
    res = import_files(study, [members])
    assert res.ok and [w.code for w in res.warnings] == ["IMP-022"]
    p = res.warnings[0]
    assert (p.file, p.row) == ("Household_visit.csv", 2)      # the stored submission's row
    assert p.message.startswith("submission uuid-0000 (hh_id H000): members has 2 entries")
    assert _where(study) == {"main": (2, 0), "members": (4, 0), "episodes": (0, 0)}


def test_a_quarantined_submission_is_not_counted(study, tmp_path):
    subs = _subs([3, 2])
    subs[0].region = "nowhere"          # IMP-005: the submission waits in quarantine
    res = import_files(study, ff.kobo_csvs(tmp_path, subs, size=True))
    assert sorted(set(res.report.codes())) == ["IMP-005", "IMP-013"]
    assert _where(study) == {"main": (1, 1), "members": (2, 2), "episodes": (2, 2)}


def test_each_form_version_is_counted_by_its_own_repeat_count(tmp_path):
    """Version 1 asked exactly two members; version 2 asks ``${hh_size}``."""
    from dhkit.instrument.versions import add_version

    study = init_study(tmp_path / "study", demo=True, instrument=ff.household_form(
        tmp_path / "v1.xlsx", "1", size=True, count="2"))
    add_version(study, ff.household_form(tmp_path / "v2.xlsx", "2", size=True))
    subs = _subs([3, 3, 2])           # every household sends two members
    subs[0].version = subs[1].version = "1"
    subs[2].version = "2"
    subs[1].members = subs[1].members[:1]
    res = import_files(study, ff.kobo_csvs(tmp_path, subs, size=True))
    assert res.ok and [(p.row, p.message[:88]) for p in res.warnings] == [
        (3, "submission uuid-0001 (hh_id H001): members has 1 entry but its count 2 says 2 (1 "
            "missing")]
    assert _where(study) == {"main": (3, 0), "members": (5, 0), "episodes": (6, 0)}


def test_a_repeat_that_was_not_asked_is_not_counted(tmp_path):
    """``members`` asked only in the north: a southern household's count is not checked."""
    from openpyxl import load_workbook

    form = ff.household_form(tmp_path / "hh_visit.xlsx", size=True)
    wb = load_workbook(form)
    ws = wb["survey"]
    col = [c.value for c in ws[1]].index("relevant") + 1
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[1].value == "members")
    ws.cell(row=row, column=col, value="${region} = 'north'")
    wb.save(form)
    study = init_study(tmp_path / "study", instrument=form, demo=True)
    subs = _subs([2, 4, 3])          # the south (uuid-0001) lists no members: not asked
    subs[1].members = []
    subs[2].region = "north"         # asked: 2 members for a count of 3
    res = import_files(study, ff.kobo_csvs(tmp_path, subs, size=True))
    assert res.ok and [(p.code, p.row) for p in res.warnings] == [("IMP-022", 4)]
    assert _where(study) == {"main": (3, 0), "members": (4, 0), "episodes": (4, 0)}


def _cli(study, files, *extra):
    from typer.testing import CliRunner

    from dhkit.cli import app

    return CliRunner().invoke(app, ["import", str(study.dir), *map(str, files), *extra],
                              terminal_width=240)


def test_an_import_whose_only_problems_are_count_warnings_exits_0_under_its_own_heading(
        study, tmp_path):
    import csv

    report = tmp_path / "problems.csv"
    out = _cli(study, ff.kobo_csvs(tmp_path, _subs([3, 2]), size=True), "--report", report)
    assert out.exit_code == 0, out.output
    assert "Validation problems: none" in out.output
    assert "Warnings (data kept): 1 in 1 rows, 1 kinds" in out.output
    with report.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["code"], r["severity"], r["row"], r["field"], r["value"]) for r in rows] == [
        ("IMP-022", "warning", "2", "members", "2")]


def test_a_count_warning_next_to_a_quarantined_row_still_exits_1_and_keeps_both_in_the_csv(
        study, tmp_path):
    import csv

    subs = _subs([3, 2, 2])
    subs[2].region = "nowhere"        # IMP-005: quarantined, with its entries (IMP-013)
    report = tmp_path / "problems.csv"
    out = _cli(study, ff.kobo_csvs(tmp_path, subs, size=True), "--report", report)
    assert out.exit_code == 1, out.output
    head = out.output.index("Validation problems:")
    assert head < out.output.index("Warnings (data kept): 1 in 1 rows")
    with report.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted({(r["code"], r["severity"]) for r in rows}) == [
        ("IMP-005", "error"), ("IMP-013", "error"), ("IMP-022", "warning")]
    assert _where(study) == {"main": (2, 1), "members": (4, 2), "episodes": (4, 2)}
