"""`dhkit demo`: generate -> study folder -> import, as a list of named steps."""

import json

import pytest
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.demo import pipeline
from dhkit.demo.pipeline import DemoContext, Step


def test_steps_are_named_and_others_can_append(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(pipeline, "steps", [Step("generate", pipeline._generate),
                                            Step("extra", lambda ctx: seen.append(ctx.demo))])
    ctx = pipeline.run(DemoContext(out_dir=tmp_path, children=30, formats=("parquet",)))
    assert seen and seen[0].counts.children == 30
    assert set(ctx.results) == {"generate", "extra"}


def test_full_demo_creates_a_demo_study_and_imports_every_row(tmp_path):
    out = tmp_path / "dhkit-demo"
    res = CliRunner().invoke(app, ["demo", "--out", str(out), "--children", "60", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[res.stdout.index("{"):])
    assert doc["counts"]["children"] == 60
    toml = (out / "study" / "study.toml").read_text(encoding="utf-8")
    assert "demo = true" in toml
    if "import" in doc:                      # the import stage is present
        assert doc["import"]["accepted"]["main"] == doc["counts"]["submissions"]
        assert doc["import"]["accepted"]["instance"] == doc["counts"]["instances"]
        assert sum(doc["import"]["quarantined"].values()) == 0
    for name in ("report.html", "report.pdf", "tables.xlsx", "estimates.csv",
                 "estimates.parquet", "manifest.json", "report.es.html"):
        assert (out / name).exists(), name


def test_rerun_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "d"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--out", str(out), "--children", "30"]).exit_code == 0
    res = runner.invoke(app, ["demo", "--out", str(out), "--children", "40"])
    assert res.exit_code != 0
    assert "DEM-004" in str(res.exception)


def test_generate_command_writes_the_chosen_formats(tmp_path):
    res = CliRunner().invoke(app, ["demo", "generate", "--out", str(tmp_path), "--children",
                                   "40", "--formats", "kobo_csv,dta"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "kobo_csv" / "household_survey-instance.csv").exists()
    assert (tmp_path / "dta" / "household_survey.dta").exists()
    assert not (tmp_path / "sav").exists()
    assert (tmp_path / "truth.json").exists()


def test_unknown_format_is_a_usage_error(tmp_path):
    from dhkit.demo.study import generate_study
    from dhkit.errors import DhkitError

    with pytest.raises(DhkitError, match="DEM-003"):
        generate_study(tmp_path, children=20, formats=("csv2",))
