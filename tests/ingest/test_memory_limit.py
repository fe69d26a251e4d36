"""An import under a small DHKIT_MEMORY_LIMIT spills to disk and succeeds (issue 17 point 4).

The export is the demo's Kobo CSV tiled to 30,000 submissions, a test-sized stand-in for the
200,000-child import that ran out of memory at 256MB. What needs memory is the width of the
file (every worker thread builds a block of every column), not its length: before the fix this
file ran out of memory at 160MB and 192MB on two threads; now the import runs on the threads
the limit feeds and spills the rest to ``store/.tmp/``. Below the floor the import is one
coded line naming the minimum, and changes nothing."""

import duckdb
import pytest

from dhkit.demo.study import generate_study
from dhkit.errors import DhkitError
from dhkit.ingest.importer import import_files
from dhkit.workspace.config import init_study

ROWS = 30_000


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """Main CSV of ROWS distinct submissions and its instance file, tiled from the demo."""
    out = tmp_path_factory.mktemp("tiled")
    demo = generate_study(out / "demo", children=40, formats=("kobo_csv",))
    main, instance, _ = demo.paths["kobo_csv"]
    con = duckdb.connect()
    rd = "read_csv('{}', delim=';', all_varchar=true, header=true)"
    base = con.execute(f"SELECT count(*) FROM {rd.format(main)}").fetchone()[0]
    copies = -(-ROWS // base)
    for src, dst, keys in ((main, out / "big.csv", ("_uuid", "hh_id", "_id")),
                           (instance, out / "big-instance.csv",
                            ("_submission__uuid", "hh_id", "_submission__id"))):
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {rd.format(src)}").fetchall()]
        sel = ", ".join(f'"{c}" || \'-\' || c AS "{c}"' if c in keys else f'"{c}"' for c in cols)
        limit = f"LIMIT {ROWS}" if src == main else ""
        con.execute(f"COPY (SELECT {sel} FROM {rd.format(src)}, range({copies}) t(c) "
                    f"ORDER BY c {limit}) TO '{dst}' (DELIMITER ';', HEADER)")
    n_inst = con.execute(f"SELECT count(*) FROM {rd.format(out / 'big-instance.csv')}"
                         ).fetchone()[0]
    return out / "big.csv", out / "big-instance.csv", n_inst


def test_a_small_memory_limit_spills_and_imports_every_row(export, tmp_path, monkeypatch):
    main, instance, n_inst = export
    monkeypatch.setenv("DHKIT_MEMORY_LIMIT", "160MB")
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [main, instance])
    assert result.accepted["main"] == ROWS
    assert result.accepted["instance"] + result.quarantined.get("instance", 0) == n_inst
    assert result.quarantined["main"] == 0
    with study.open_store() as s:
        assert s.con.execute("SELECT count(*), count(DISTINCT _key) FROM main").fetchone() \
            == (ROWS, ROWS)


def test_below_the_floor_the_import_names_the_minimum_and_changes_nothing(export, tmp_path,
                                                                           monkeypatch):
    main, instance, _ = export
    monkeypatch.setenv("DHKIT_MEMORY_LIMIT", "4MB")
    study = init_study(tmp_path / "s", demo=True)
    with pytest.raises(DhkitError) as err:
        import_files(study, [main, instance])
    assert err.value.code == "MEM-001"
    assert "needs at least" in err.value.message and "DHKIT_MEMORY_LIMIT" in err.value.message
    monkeypatch.delenv("DHKIT_MEMORY_LIMIT")
    with study.open_store() as s:
        assert not s.has_table("main")
