"""dhkit init / dhkit status: what the study holds, as tables or JSON, without values."""

import json

from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.workspace.config import init_study
from dhkit.workspace.status import study_status

runner = CliRunner()


def test_status_of_a_new_study_says_nothing_imported(tmp_path):
    init_study(tmp_path, instrument=False, demo=True)
    result = runner.invoke(app, ["status", str(tmp_path), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["store_exists"] is False and data["tables"] == []


def test_status_counts_rows_quarantine_problems_and_weights(tmp_path):
    study = init_study(tmp_path, instrument=False, demo=True)
    with study.open_store() as s:
        s.con.execute("CREATE TABLE main AS SELECT i AS hh_id FROM range(7) r(i)")
        s.con.execute('CREATE TABLE quarantine ("table" VARCHAR, released BOOLEAN)')
        s.con.execute("INSERT INTO quarantine VALUES ('main', false), ('main', true), "
                      "('instance', false)")
        s.con.execute("CREATE TABLE problems (code VARCHAR)")
        s.con.execute("INSERT INTO problems VALUES ('IMP-004'), ('IMP-004'), ('IMP-006')")
        s.audit("import", file="a.csv", sha256="ab" * 32, rows_accepted=7, rows_quarantined=2)
    st = study_status(study)
    assert [(t.table, t.rows, t.quarantined) for t in st.tables] == [
        ("instance", 0, 1), ("main", 7, 1)]
    assert st.problems_by_code == {"IMP-004": 2, "IMP-006": 1}
    assert [(i.file, i.rows_accepted, i.rows_quarantined) for i in st.imports] == [("a.csv", 7, 2)]
    assert st.weights_present is False
    with study.open_store() as s:
        s.con.execute("ALTER TABLE main ADD COLUMN weight DOUBLE")
    assert study_status(study).weights_present is True


def test_init_command_creates_the_folder(tmp_path):
    from dhkit.instrument import shipped_form_path

    form = shipped_form_path()
    result = runner.invoke(app, ["init", str(tmp_path / "s"), "--instrument", str(form),
                                 "--country", "KE", "--name", "Kenya"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "s" / "study.toml").read_text()
    assert 'country = "KE"' in text and 'languages = ["en", "es"]' in text
    assert (tmp_path / "s" / "instrument" / "household_survey.xlsx").exists()


def test_warnings_whose_rows_were_kept_are_counted_apart_from_problems(tmp_path):
    study = init_study(tmp_path, instrument=False, demo=True)
    with study.open_store() as s:
        s.con.execute("CREATE TABLE problems (code VARCHAR)")
        s.con.execute("INSERT INTO problems VALUES ('IMP-005'), ('IMP-022'), ('IMP-022')")
    st = study_status(study)
    assert (st.problems_by_code, st.warnings_by_code) == ({"IMP-005": 1}, {"IMP-022": 2})
    result = runner.invoke(app, ["status", str(tmp_path)])
    assert result.exit_code == 0
    assert "Warnings by code" in result.stdout and "│ IMP-022 │    2 │" in result.stdout
