"""Every stored row, problem and quarantined row names its own row of the file, however
large the file and however DuckDB parallelises the reading.

A bug this pins: the rules' long IN lists were rewritten by DuckDB into a join while staging,
after which the staged rows came out of order; row numbers (``_source_row``, problem rows,
the quarantine's raw text) were wrong for most rows of a large export (98 % of a
1,000,000-row file), though right for small ones."""

import duckdb
import pytest

from dhkit.ingest.importer import import_files
from dhkit.workspace.config import init_study

from test_memory_limit import ROWS, export  # noqa: E402, F401  (the tiled 30,000-row export)


@pytest.fixture(scope="module")
def imported(export, tmp_path_factory):  # noqa: F811
    main, instance, _ = export
    broken = main.with_name("broken.csv")
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    at = header.index("region")
    for row in (7_000, 23_456):            # file rows (header = 1): a region no list holds
        cells = lines[row - 1].split(";")
        cells[at] = "atlantis"
        lines[row - 1] = ";".join(cells)
    broken.write_text("".join(lines), encoding="utf-8")
    study = init_study(tmp_path_factory.mktemp("order") / "s", demo=True)
    result = import_files(study, [broken])
    return study, broken, result


def test_every_stored_row_names_its_own_file_row(imported):
    study, broken, _ = imported
    with study.open_store() as s:
        wrong, n = s.con.execute(f"""
            SELECT count(*) FILTER (WHERE f.r <> m._source_row), count(*)
            FROM main m JOIN (SELECT row_number() OVER () + 1 AS r, hh_id FROM read_csv(
                '{broken}', delim=';', header=true, all_varchar=true)) f ON f.hh_id = m.hh_id
            """).fetchone()
    assert (wrong, n) == (0, ROWS - 2)


def test_problems_and_the_quarantine_name_the_rows_that_hold_them(imported):
    study, _, result = imported
    assert sorted(p.row for p in result.report.problems if p.code == "IMP-005") == [7_000, 23_456]
    with study.open_store() as s:
        rows = s.con.execute('SELECT "row", raw FROM quarantine ORDER BY 1').fetchall()
    assert [r for r, _ in rows] == [7_000, 23_456]
    assert all('"region":"atlantis"' in raw.replace(" ", "") for _, raw in rows)
