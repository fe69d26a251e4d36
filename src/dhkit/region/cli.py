"""Commands of the region stage: ``dhkit region init DIR``, ``dhkit region check DIR``,
``dhkit region report DIR``."""

from __future__ import annotations

from pathlib import Path

import typer

region_app = typer.Typer(
    name="region", no_args_is_help=True,
    help="A regional comparison built from several national studies (each with its own "
         "key, design and weights; nothing pools rows across designs).\n\n"
         "Example: dhkit region init my-region && dhkit region report my-region")


def _fail_on(exc) -> None:
    """Print a validation report's problems (file and line each) and exit 1."""
    report = getattr(exc, "report", None)
    if report is not None and len(report):
        report.print(str(exc))
        raise typer.Exit(exc.exit_code)
    raise exc


@region_app.command("init")
def init_cmd(
    region_dir: Path = typer.Argument(..., help="Folder for the region (created if needed)."),
    name: str = typer.Option("Regional comparison", "--name", help="The region's title."),
) -> None:
    """Create region.toml (add one countries block per country study) and a starting
    harmonisation.yaml (the shipped catalogue's indicators, same ids in every country).

    Example: dhkit region init americas --name "Disrupting Harm — the Americas"
    """
    from dhkit.console import err_console
    from dhkit.region.config import init_region

    path = init_region(region_dir, name=name)
    typer.echo(str(path))
    typer.echo(str(path.parent / "harmonisation.yaml"))
    err_console.print(f"Next: add a [[countries]] block per study to {path}, then "
                      f"`dhkit region report {region_dir}`.", markup=False, highlight=False)


@region_app.command("check")
def check_cmd(
    region_dir: Path = typer.Argument(..., help="The region folder (with region.toml)."),
) -> None:
    """Validate region.toml and the harmonisation file; list every problem with its line.

    Example: dhkit region check americas
    """
    from dhkit.console import err_console
    from dhkit.errors import ValidationError
    from dhkit.region.config import load_region

    try:
        region = load_region(region_dir)
    except ValidationError as exc:
        _fail_on(exc)
    err_console.print(f"{region.toml_path}: {len(region.countries)} countries, "
                      f"{len(region.harmonisation.indicators)} indicators, "
                      f"{len(region.harmonisation.tables)} tables — no problems")
    _legal_notes(region)


def _legal_notes(region) -> None:
    from dhkit.console import err_console
    from dhkit.region.report import legal_assessment_notes

    for line in legal_assessment_notes(region):
        err_console.print(f"note: {line}", markup=False, highlight=False)


@region_app.command("report")
def report_cmd(
    region_dir: Path = typer.Argument(..., help="The region folder (with region.toml)."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: DIR/report)."),
    lang: str = typer.Option("", "--lang", help="en, es or all (default: the region's languages)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write report.pdf."),
) -> None:
    """Build the regional report: country tables with CIs, ranges, combined figures,
    differences, platforms, overlap and small-multiple charts, legal matrix.

    Writes HTML, PDF, Excel, tidy CSV/Parquet (with a country column) and a manifest.

    Example: dhkit region report americas --lang all --out americas/report
    """
    from dhkit.console import err_console, progress
    from dhkit.errors import ValidationError
    from dhkit.region.config import load_region
    from dhkit.region.report import build_region_report

    try:
        region = load_region(region_dir)
        languages = {"": region.languages, "all": ("en", "es")}.get(lang, (lang,))
        if any(x not in ("en", "es") for x in languages):
            from dhkit.errors import DhkitError

            raise DhkitError("REG-008", f"--lang {lang}: use en, es or all.")
        out = out or region.dir / "report"
        with progress() as bar:
            task = bar.add_task("region report", total=len(region.countries) + len(languages))
            result = build_region_report(region, out, languages=languages, pdf=pdf,
                                         progress=lambda s: bar.update(
                                             task, advance=1, description=f"region: {s}"))
    except ValidationError as exc:
        _fail_on(exc)
    for name, path in sorted(result.files.items()):
        typer.echo(str(path))
    _legal_notes(region)
    err_console.print(f"regional report written to {out} ({len(region.countries)} countries)")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(region_app, name="region")   # help unwrapped by dhkit.cli
