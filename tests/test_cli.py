"""The `dhkit` command itself: help, version, error lines and exit codes."""

import subprocess
import sys

import pytest

from dhkit.cli import main
from dhkit.errors import DhkitError, SafetyError


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dhkit", *args], capture_output=True, text=True)


def test_version_prints_the_package_version():
    from dhkit import __version__

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"dhkit {__version__}"


def test_help_lists_the_demo_entry_point():
    result = run("--help")
    assert result.returncode == 0
    assert "dhkit demo" in result.stdout


def test_unknown_command_is_a_usage_error():
    assert run("no-such-command").returncode == 2


def test_dhkit_error_becomes_one_line_and_its_exit_code(monkeypatch, capsys):
    import dhkit.cli as cli

    def boom(*a, **k):
        raise SafetyError("WS-KEY-002", "wrong key for the study store x.duckdb")

    monkeypatch.setattr(cli, "app", boom)
    with pytest.raises(SystemExit) as exc:
        main(["anything"])
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert "dhkit: error [WS-KEY-002] wrong key" in err
    assert "Traceback" not in err


def test_error_string_carries_its_code():
    assert str(DhkitError("X-1", "what to do")) == "[X-1] what to do"


def test_help_shows_flags_without_a_value_type():
    # typer prints `--json <bool>`, which reads as `--json true` (then a usage error)
    from typer.testing import CliRunner

    from dhkit.cli import app

    out = CliRunner().invoke(app, ["estimate", "--help"], env={"COLUMNS": "120"}).stdout
    json_line = next(line for line in out.splitlines() if "--json" in line)
    level_line = next(line for line in out.splitlines() if "--level" in line)
    assert "<bool>" not in out and "<float>" in level_line
    assert "Print the table as JSON" in json_line


def test_every_help_text_reads_as_sentences_not_the_sources_line_breaks():
    from dhkit.cli import app

    def commands(a):
        for c in a.registered_commands:
            yield c
        for g in a.registered_groups:
            yield from commands(g.typer_instance)

    for c in commands(app):
        for p in (c.help or "").split("\n\n"):
            if not p[:1].isspace():        # an indented example keeps its lines
                assert "\n" not in p, (c.name, p)


@pytest.mark.parametrize("name", ["dhkit.console", "dhkit.ingest.validate", "dhkit.zipguard"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
