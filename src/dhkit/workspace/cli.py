"""Commands of the workspace stage: ``dhkit init`` and ``dhkit status``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def init_cmd(
    dir: Path = typer.Argument(..., help="Folder for the new study (created if missing)."),
    instrument: Optional[Path] = typer.Option(
        None, "--instrument", help="Your XLSForm (.xlsx); the shipped household survey if "
        "omitted. It is copied into the folder."),
    country: str = typer.Option("CO", "--country", help="ISO 3166-1 alpha-2 country code."),
    name: Optional[str] = typer.Option(None, "--name", help="Study name shown in reports."),
    demo: bool = typer.Option(False, "--demo", help="Synthetic demo study: accepts the public "
                              "demo key. Never for real data."),
) -> None:
    """Create a study folder with study.toml and the instrument.

    Example: dhkit init my-study --country CO --name "Disrupting Harm — Colombia"
    """
    from dhkit.console import err_console
    from dhkit.workspace.config import init_study

    study = init_study(dir, instrument=instrument, country=country, demo=demo, name=name)
    err_console.print(f"Created study [bold]{study.name}[/bold] in {study.dir}")
    err_console.print(f"  settings:   {study.toml_path}")
    err_console.print(f"  instrument: {study.instrument_path}")
    if not demo:
        err_console.print("  key:        set DHKIT_KEY (e.g. export DHKIT_KEY=$(openssl rand "
                          "-hex 32)) or a key_file outside the folder before importing")
    err_console.print(f"Next: dhkit import {dir} EXPORT.csv")


def status_cmd(
    dir: Path = typer.Argument(..., help="The study folder."),
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Show what the study holds: imports, rows accepted and quarantined, problems, weights.

    Example: dhkit status my-study --json
    """
    from dhkit.workspace.config import load_study
    from dhkit.workspace.status import print_status, study_status

    st = study_status(load_study(dir))
    if as_json:
        typer.echo(st.to_json())
    else:
        print_status(st)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.command("init")(init_cmd)
    app.command("status")(status_cmd)
