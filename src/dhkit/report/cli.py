"""Commands of the report stage: ``dhkit report DIR``."""

from __future__ import annotations

from pathlib import Path

import typer


def report(
    study_dir: Path = typer.Argument(..., help="The study folder (with study.toml)."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: DIR/report)."),
    lang: str = typer.Option("", "--lang", help="en, es or all (default: the study's languages)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write report.pdf."),
) -> None:
    """Build the national report: HTML, PDF, Excel, tidy estimates and manifest.

    Example: dhkit report mystudy --lang es --out mystudy/report-es
    """
    from dhkit.console import err_console, progress
    from dhkit.report.build import build_report, report_steps
    from dhkit.report.study import inputs_from_study
    from dhkit.workspace.config import load_study

    study = load_study(study_dir)
    languages = {"": tuple(study.languages), "all": ("en", "es")}.get(lang, (lang,))
    out = out or study.dir / "report"
    inputs = inputs_from_study(study)
    with progress() as bar:
        task = bar.add_task("report", total=report_steps(languages, pdf))
        result = build_report(inputs, out, languages=languages, pdf=pdf,
                              progress=lambda name: bar.update(task, advance=1,
                                                               description=f"report: {name}"))
    for name, path in sorted(result.files.items()):
        typer.echo(str(path))
    err_console.print(f"report written to {out} ({len(result.estimates)} estimates)")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.command("report")(report)
