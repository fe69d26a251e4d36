"""A CSV's main sheet is staged typed, straight into the store, and on a clean first import
that table becomes ``main`` itself (the rows are written once). Whatever the path, the study
ends the same as with the text staging every other sheet uses: the same tables, column
types, values, row numbers, problems and quarantined raw text."""

import duckdb
import pytest

from dhkit.demo.study import generate_study
from dhkit.ingest import importer
from dhkit.ingest.importer import STORE_STAGE, import_files
from dhkit.workspace.config import init_study

SKIP = {"_import_id", "import_id", "imported_at", "_superseded_at", "_superseded_by"}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("typed")
    demo = generate_study(out / "demo", children=60, formats=("kobo_csv",))
    main, instance, _ = demo.paths["kobo_csv"]
    return main, instance


def _edit(src, dst, changes: dict[int, dict[str, str]]):
    """A copy of ``src`` with cells changed: file row -> {header: new text}."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [h.strip('"') for h in lines[0].rstrip("\r\n").split(";")]
    for row, cells in changes.items():
        parts = lines[row - 1].rstrip("\r\n").split(";")
        for h, v in cells.items():
            parts[header.index(h)] = f'"{v}"' if v else ""
        lines[row - 1] = ";".join(parts) + "\n"
    dst.write_text("".join(lines), encoding="utf-8")
    return dst


def _snapshot(study) -> dict:
    with study.open_store() as s:
        tables = [r[0] for r in s.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'study' "
            "AND table_name NOT IN ('audit_log') ORDER BY 1").fetchall()]
        out = {}
        for t in tables:
            cols = [(c, ty) for c, ty in s.con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
                "'study' AND table_name = ? ORDER BY column_index", [t]).fetchall()
                if c not in SKIP]
            sel = ", ".join(f'"{c}"' for c, _ in cols)
            out[t] = (cols, sorted(s.con.execute(f'SELECT {sel} FROM "{t}"').fetchall(),
                                   key=repr))
    return out


def _both(tmp_path, monkeypatch, runs):
    """The study after ``runs`` (lists of files, one import each), typed and as text."""
    ends = []
    for typed in (True, False):
        monkeypatch.setattr(importer._Importer, "typed_stage", typed)
        study = init_study(tmp_path / f"s{typed}", demo=True)
        results = [import_files(study, files) for files in runs]
        ends.append((_snapshot(study), [(r.accepted, r.quarantined, sorted(
            (p.code, p.row, p.field) for p in r.report.problems)) for r in results]))
    return ends


def test_a_clean_first_import_becomes_the_main_table_unchanged(export, tmp_path, monkeypatch):
    typed, text = _both(tmp_path, monkeypatch, [list(export)])
    assert typed == text
    cols = dict(typed[0]["main"][0])
    assert cols["any_tfcsea"] == "BIGINT"           # a calculation typed by its data
    assert cols["_source_row"] == "BIGINT"
    rows = [r for r in typed[0]["main"][1]]
    assert sorted(r[[c for c, _ in typed[0]["main"][0]].index("_source_row")] for r in rows) \
        == list(range(2, len(rows) + 2))


def test_rows_with_problems_keep_their_own_text_and_rows(export, tmp_path, monkeypatch):
    main, instance = export
    broken = _edit(main, tmp_path / "broken.csv", {
        5: {"region": "atlantis"},            # not a choice
        9: {"hh_size": "many"},               # not a number
        12: {"_uuid": "", "hh_id": ""},       # no key
    })
    typed, text = _both(tmp_path, monkeypatch, [[broken, instance]])
    assert typed == text
    problems = typed[1][0][2]
    assert ("IMP-005", 5, "region") in problems
    assert any(row == 9 and field == "hh_size" for _, row, field in problems)
    raw = {r[typed[0]["quarantine"][0].index(("row", "BIGINT"))]: r for r in
           typed[0]["quarantine"][1]}
    assert '"many"' in repr(raw[9])


def test_a_reexport_with_an_edit_ends_the_same(export, tmp_path, monkeypatch):
    main, instance = export
    second = main.read_text(encoding="utf-8").splitlines()[1].split(";")
    wealth = "5" if second[6] != '"5"' else "4"       # row 2's wealth_quintile, changed
    edited = _edit(main, tmp_path / "next-day.csv", {
        2: {"wealth_quintile": wealth, "_submission_time": "2031-01-01T10:00:00"}})
    typed, text = _both(tmp_path, monkeypatch, [[main, instance], [edited]])
    assert typed == text
    assert typed[1][1][:2] == ({"main": 1}, {"main": 0})    # the edit in, the rest unchanged
    assert len(typed[0]["main_history"][1]) == 1


def test_no_stage_table_is_left_in_the_store(export, tmp_path):
    main, instance = export
    study = init_study(tmp_path / "s", demo=True)
    broken = _edit(main, tmp_path / "broken.csv", {4: {"region": "atlantis"}})
    import_files(study, [broken, instance])
    with study.open_store() as s:
        left = s.con.execute("SELECT count(*) FROM duckdb_tables() WHERE "
                             f"starts_with(table_name, '{STORE_STAGE}')").fetchone()[0]
    assert left == 0


def test_a_stage_left_by_a_killed_import_is_dropped_by_the_next(export, tmp_path):
    main, instance = export
    study = init_study(tmp_path / "s", demo=True)
    with study.open_store() as s:
        s.con.execute(f'CREATE TABLE study."{STORE_STAGE}0" AS SELECT 1 AS x')
        assert s.tables() == ["audit_log"]            # not shown as a table of the study
    import_files(study, [main, instance])
    with study.open_store() as s:
        names = [r[0] for r in s.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'study'").fetchall()]
    assert "main" in names and not any(n.startswith(STORE_STAGE) for n in names)


def test_a_failed_import_leaves_no_stage_and_no_table(export, tmp_path, monkeypatch):
    main, instance = export
    study = init_study(tmp_path / "s", demo=True)

    def boom(self, *a, **k):
        raise duckdb.IOException("disk full (test)")

    monkeypatch.setattr(importer._Importer, "_write_versions", boom)
    with pytest.raises(duckdb.IOException):
        import_files(study, [main, instance])
    with study.open_store() as s:
        names = [r[0] for r in s.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'study'").fetchall()]
    assert "main" not in names and not any(n.startswith(STORE_STAGE) for n in names)


def test_an_odk_central_export_ends_the_same_columns_in_the_same_order(tmp_path, monkeypatch):
    """ODK Central's version columns (meta-instanceID, meta-deprecatedID, Edits) become the
    store's _instance_id, _deprecated_id, _edits in place, as the text staging writes them."""
    import fieldforms as ff

    files = ff.odk_csvs(tmp_path, ff.sample(5), size=True)
    ends = []
    for typed in (True, False):
        monkeypatch.setattr(importer._Importer, "typed_stage", typed)
        folder = tmp_path / f"s{typed}"
        folder.mkdir()
        study = init_study(folder / "study", instrument=ff.household_form(
            folder / "hh_visit.xlsx"), demo=True)
        import_files(study, files)
        ends.append(_snapshot(study))
    assert ends[0] == ends[1]
    assert [c for c, _ in ends[0]["main"][0]][-8:] == [
        "_kobo_id", "_instance_id", "_deprecated_id", "_edits", "_submission_time",
        "_form_version", "_source_file", "_source_row"]      # (_import_id not compared)
    assert ("_edits", "BIGINT") in ends[0]["main"][0]
