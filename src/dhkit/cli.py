"""The ``dhkit`` command: ``dhkit NOUN VERB``, one sub-command group per stage.

Each stage's ``cli.py`` exposes ``register(app)`` and adds its own commands, so the
stages stay independent; heavy imports happen inside the commands so ``--help`` is fast.
Errors print one actionable line (``dhkit: error [CODE] ...``); ``--debug`` shows the
traceback. Exit codes: 0 done, 1 validation problems reported, 2 usage or input error,
3 refused for safety.
"""

from __future__ import annotations

import sys

import typer

from dhkit import __version__

app = typer.Typer(
    name="dhkit",
    help=(
        "dhkit: a national TF-CSEA assessment from study design to published evidence.\n\n"
        "Start with `dhkit demo` (a synthetic study, end to end) or `dhkit init DIR`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dhkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    """dhkit: a national TF-CSEA assessment from study design to published evidence."""


def _register_stages() -> None:
    from dhkit.demo import cli as demo_cli
    from dhkit.ingest import cli as ingest_cli
    from dhkit.instrument import cli as instrument_cli
    from dhkit.legal import cli as legal_cli
    from dhkit.qualitative import cli as qualitative_cli
    from dhkit.region import cli as region_cli
    from dhkit.report import cli as report_cli
    from dhkit.sampling import cli as sampling_cli
    from dhkit.survey import cli as survey_cli
    from dhkit.weighting import cli as weighting_cli
    from dhkit.workspace import cli as workspace_cli

    for stage in (workspace_cli, instrument_cli, ingest_cli, demo_cli, sampling_cli,
                  weighting_cli, survey_cli, report_cli, legal_cli, qualitative_cli, region_cli):
        stage.register(app)


_register_stages()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning dhkit errors into one line and an exit code."""
    from dhkit.console import err_console
    from dhkit.errors import DhkitError

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="dhkit")
    except DhkitError as exc:
        if "--debug" in args:
            raise
        err_console.print(f"dhkit: error {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a path that cannot be read or written: one line, not a traceback
        if "--debug" in args:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        what = exc.strerror or str(exc)
        err_console.print(f"dhkit: error [IO-001] {where}{what}. Check the path, that its folder "
                          "exists and that you may write there (`dhkit --debug ...` shows a traceback).",
                          markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
