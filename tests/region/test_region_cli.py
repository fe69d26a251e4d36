"""The region commands: problems listed with their line and exit 1; init then check."""

from typer.testing import CliRunner

from dhkit.cli import app

runner = CliRunner()


def test_region_check_lists_every_problem_and_exits_1(tmp_path):
    (tmp_path / "region.toml").write_text('[region]\nname = "R"\ncombine = "sum"\nfoo = 1\n',
                                          encoding="utf-8")
    result = runner.invoke(app, ["region", "check", str(tmp_path)])
    assert result.exit_code == 1
    text = result.output
    for code in ("REG-002", "REG-003", "REG-004", "REG-005"):
        assert code in text


def test_region_init_writes_both_files(tmp_path):
    result = runner.invoke(app, ["region", "init", str(tmp_path / "r"), "--name", "Test"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "region.toml").exists()
    assert (tmp_path / "r" / "harmonisation.yaml").exists()


def test_region_check_passes_on_the_demo_region(region_dir):
    result = runner.invoke(app, ["region", "check", str(region_dir)])
    assert result.exit_code == 0, result.output


WIDE = {"COLUMNS": "220", "TERMINAL_WIDTH": "220"}


def test_region_help_reads_each_command_description_as_one_sentence():
    text = runner.invoke(app, ["region", "--help"], env=WIDE).output
    assert ("Create region.toml (add one countries block per country study) and a starting "
            "harmonisation.yaml (the shipped catalogue's indicators, same ids in every "
            "country).") in text
    assert ("Build the regional report: country tables with CIs, ranges, combined figures, "
            "differences, platforms, overlap and small-multiple charts, legal matrix.") in text


def test_region_report_help_keeps_paragraphs_but_not_the_sources_line_breaks():
    text = runner.invoke(app, ["region", "report", "--help"], env=WIDE).output
    assert "combined figures, differences, platforms" in text
    assert "Writes HTML, PDF, Excel, tidy CSV/Parquet (with a country column) and a manifest." \
        in text
    # the example stays a paragraph of its own
    assert "\n Example: dhkit region report americas --lang all --out americas/report" in text


def test_region_init_tells_the_next_step_with_the_block_name_intact(tmp_path):
    result = runner.invoke(app, ["region", "init", str(tmp_path / "r")], env=WIDE)
    assert result.exit_code == 0
    assert "Next: add a [[countries]] block per study to" in result.output


def test_a_country_without_its_legal_assessment_is_said_not_dropped_silently(tmp_path):
    from types import SimpleNamespace

    from dhkit.region.config import CountryRef
    from dhkit.region.report import legal_assessment_notes

    for sid, files in (("a", ["assessment-CO.yaml"]), ("b", []), ("c", ["assessment-PE.yaml"])):
        (tmp_path / sid / "legal").mkdir(parents=True)
        for f in files:
            (tmp_path / sid / "legal" / f).write_text("items: []\n", encoding="utf-8")
    countries = [CountryRef("AA", {"en": "A"}, tmp_path / "a"),
                 CountryRef("BB", {"en": "B"}, tmp_path / "b"),
                 CountryRef("PE", {"en": "Peru"}, tmp_path / "c")]
    notes = legal_assessment_notes(SimpleNamespace(countries=countries))
    assert notes == [
        "AA: no legal/assessment-AA.yaml (the study holds assessment-CO.yaml: give the country "
        "that id in region.toml, or name the file assessment-AA.yaml); the legal comparison "
        "leaves AA out",
        "BB: no legal/assessment-BB.yaml (the study has no legal assessment); the legal "
        "comparison leaves BB out"]
