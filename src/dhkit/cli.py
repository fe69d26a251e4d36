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

def _flags_take_no_value() -> None:
    """Show flags bare in ``--help`` (``--json``, not ``--json <bool>``): typer prints the
    type of every option, and ``<bool>`` beside a flag reads as if it took a value, so
    ``--json true`` failed with "unexpected extra argument"."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "_dhkit", False):
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    display_type_rich._dhkit = True
    TyperOption.display_type_rich = display_type_rich


_flags_take_no_value()

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
    from dhkit.dashboard import cli as dashboard_cli
    from dhkit.demo import cli as demo_cli
    from dhkit.ingest import cli as ingest_cli
    from dhkit.instrument import cli as instrument_cli
    from dhkit.legal import cli as legal_cli
    from dhkit.qualitative import cli as qualitative_cli
    from dhkit.region import cli as region_cli
    from dhkit.release import cli as release_cli
    from dhkit.report import cli as report_cli
    from dhkit.sampling import cli as sampling_cli
    from dhkit.survey import cli as survey_cli
    from dhkit.weighting import cli as weighting_cli
    from dhkit.workspace import cli as workspace_cli

    for stage in (workspace_cli, instrument_cli, ingest_cli, demo_cli, sampling_cli,
                  weighting_cli, survey_cli, report_cli, legal_cli, qualitative_cli,
                  dashboard_cli, region_cli, release_cli):
        stage.register(app)
    from dhkit.console import unwrap_all_help

    unwrap_all_help(app)


_register_stages()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; every failure becomes one coded line and an exit code.

    :func:`dhkit.errors.classify` maps each exception (dhkit's own, a file or disk problem,
    a damaged store, memory, anything unforeseen) to its code; ``--debug`` re-raises so the
    traceback shows. Unforeseen failures exit 4 (``INT-001``), Ctrl-C exits 130.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="dhkit")
    except KeyboardInterrupt:
        if "--debug" in args:
            raise
        _say("dhkit: interrupted; a command that was writing the study store left it as it was.")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last-resort handler: never a traceback
        if "--debug" in args:
            raise
        from dhkit.errors import classify
        from dhkit.workspace.store import last_opened

        error = classify(exc, store=last_opened())
        _say(f"dhkit: error {error}")
        sys.exit(error.exit_code)


def _say(line: str) -> None:
    try:
        from dhkit.console import err_console

        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    except Exception:  # noqa: BLE001 - stderr itself failing must not raise a traceback
        try:
            sys.stderr.write(line + "\n")
        except Exception:  # noqa: BLE001
            pass
