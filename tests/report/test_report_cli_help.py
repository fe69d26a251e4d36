"""`dhkit report --help` read cold: every option says what it does and its default (Rich
took "[default: ...]" for markup and printed "Output folder ." instead)."""

import re

from typer.testing import CliRunner

from dhkit.cli import app


def test_report_help_names_the_defaults_of_out_and_lang():
    result = CliRunner().invoke(app, ["report", "--help"], env={"TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0
    text = re.sub(r"[\s│]+", " ", result.output)
    assert "Output folder (default: DIR/report)." in text
    assert "en, es or all (default: the study's languages)." in text
    assert "Output folder ." not in text
