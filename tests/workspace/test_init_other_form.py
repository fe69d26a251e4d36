"""dhkit init with a team's own form: the settings that still name the shipped form's
variables are listed, and the default country is said, not silently assumed."""

import sys
from pathlib import Path

from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.workspace.config import init_study, settings_not_in_form

sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
import fieldforms as ff  # noqa: E402

runner = CliRunner()


def test_settings_naming_variables_the_form_lacks_are_listed(tmp_path):
    study = init_study(tmp_path / "s", instrument=ff.household_form(tmp_path / "hh.xlsx"),
                       country="SN")
    # the household form has region and hh_id, but no psu_id and no child_age
    assert settings_not_in_form(study) == ['[design] psu = "psu_id"',
                                           '[import] age_variable = "child_age"']


def test_init_with_another_form_says_which_settings_to_edit(tmp_path):
    form = ff.cascade_form(tmp_path / "mkt.xlsx")
    result = runner.invoke(app, ["init", str(tmp_path / "s"), "--instrument", str(form),
                                 "--country", "SN"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert ('note: study.toml names variables your form does not have: [design] psu = '
            '"psu_id"; [import] key = "hh_id"; [import] age_variable = "child_age".') in out
    assert "country: CO" not in out


def test_init_without_country_says_the_default(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "country: CO (the default: give --country XX for another country" in out
    assert "note: study.toml names" not in out     # the shipped form has them all


def test_a_form_with_a_plain_label_column_makes_a_study_that_opens(tmp_path):
    form = ff._workbook(tmp_path / "plain.xlsx", [["text", "hh_id", "Household"]], [],
                        [["form_id"], ["plain"]], ["type", "name", "label"])
    result = runner.invoke(app, ["init", str(tmp_path / "s"), "--instrument", str(form),
                                 "--country", "SN"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["status", str(tmp_path / "s")],
                           env={"DHKIT_KEY": "a-test-key-not-a-secret"})
    assert "CFG-005" not in result.output and "'default' is not a language" not in result.output
