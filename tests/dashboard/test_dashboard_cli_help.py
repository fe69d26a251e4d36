"""`dhkit dashboard`, `dhkit serve` and `dhkit users` help read cold: no sentence broken
where the source wrapped its docstring, and no default swallowed as markup."""

from typer.testing import CliRunner

from dhkit.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "220", "TERMINAL_WIDTH": "220"}


def _help(*args: str) -> str:
    return runner.invoke(app, [*args, "--help"], env=WIDE).output


def test_dashboard_build_help_reads_its_paragraph_as_one_line():
    text = _help("dashboard", "build")
    assert ("Only published, disclosure-checked aggregates go in it; it works offline and "
            "from any static host (open OUT/index.html, or copy OUT to a web server).") in text


def test_dashboard_build_options_show_their_defaults_in_words():
    text = _help("dashboard", "build")
    assert "Output folder (default: DIR/dashboard)." in text
    assert "en, es or all (default: the study's languages)." in text


def test_serve_help_says_what_the_default_address_means():
    text = _help("serve")
    assert "Address to bind (the default serves this machine only)." in text
    assert "Roles: analyst, restricted, admin. Binds to localhost unless --host says " \
           "otherwise." in text
