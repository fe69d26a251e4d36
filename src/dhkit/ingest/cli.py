"""Commands of the ingest stage: ``dhkit import`` and ``dhkit quarantine list|export|release``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

#: the heading of warnings that keep the data (IMP-022); an import with only these exits 0
WARNINGS_TITLE = "Warnings (data kept)"

quarantine_app = typer.Typer(help="Rows that failed validation: list, export, release.",
                             no_args_is_help=True)


def _finish(result, report: Optional[Path]) -> None:
    from rich.markup import escape

    from dhkit.console import err_console

    for f in result.files:
        if f.already_imported:
            what = f.identical_to.describe() if f.identical_to is not None else \
                "already imported (same SHA-256); nothing added"
            err_console.print(f"{escape(str(f.file))}: {escape(what)}")
        else:
            tables = ", ".join(
                f"{t}: {a:,} accepted, {b:,} quarantined"
                + (f", {f.unchanged[t]:,} unchanged (already stored; nothing to do)"
                   if f.unchanged.get(t) else "")
                + (f", {f.edited[t]:,} edited (earlier version kept in {t}_history)"
                   if f.edited.get(t) else "")
                + (f", {f.duplicates[t]:,} duplicate in this import, identical (nothing "
                   "to do)" if f.duplicates.get(t) else "")
                for t, (a, b) in f.tables.items())
            err_console.print(f"{escape(str(f.file))} ({f.format}): {tables}")
    for note in result.notes:
        err_console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)
    from dhkit.ingest.summary import print_grouped

    print_grouped(result.report.problems, "Validation problems")
    if result.warnings:        # the data are kept: listed apart, and the exit code stays 0
        print_grouped(result.warnings, WARNINGS_TITLE, style="yellow")
    if (result.report.problems or result.warnings) and report is None:
        err_console.print("Every problem row by row: add --report problems.csv")
    if report is not None:
        result.write_report(report)
        err_console.print(f"Problems written to {report} (it holds values: keep it inside "
                          "the study folder and delete it when done)")
    if not result.ok:
        raise typer.Exit(1)


def import_cmd(
    dir: Path = typer.Argument(..., help="The study folder."),
    files: List[Path] = typer.Argument(..., help="Export files: Kobo CSV/XLSX, ODK Central "
                                       "CSV (+ repeat files) or its CSV zip, .sav, .dta, "
                                       ".parquet, .csv."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write every problem (with "
                                          "values) to this CSV."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="For CSV files that are "
                                           "not UTF-8: latin-1 or utf-16."),
    source: Optional[str] = typer.Option(None, "--source", help="Where the files came from "
                                         "(recorded in the audit log)."),
) -> None:
    """Import survey exports: validate, store valid rows, quarantine invalid ones.

    Exit code 1 when problems were reported (the good rows are in, the others quarantined),
    0 when clean or when every problem is a warning that keeps the data (listed under
    "Warnings (data kept)", e.g. IMP-022 entries against a repeat_count).

    Example: dhkit import my-study kobo_export.csv kobo_export-instance.csv --report problems.csv
    """
    from dhkit.ingest.importer import import_files
    from dhkit.workspace.config import load_study

    result = import_files(load_study(dir), files, source=source, encoding=encoding)
    _finish(result, report)


@quarantine_app.command("list")
def quarantine_list(
    dir: Path = typer.Argument(..., help="The study folder."),
    table: Optional[str] = typer.Option(None, "--table", help="Only this table."),
    released: bool = typer.Option(False, "--released", help="Show released rows too."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List quarantined rows: id, table, file, row, key and problem codes (no values).

    Example: dhkit quarantine list my-study --table main
    """
    import json
    from dataclasses import asdict

    from dhkit.ingest.quarantine import list_quarantine
    from dhkit.workspace.config import load_study

    rows = list_quarantine(load_study(dir), table=table, include_released=released)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in rows], indent=2, default=str))
        return
    from rich.table import Table

    from dhkit.console import out_console

    t = Table(title=f"Quarantine: {len(rows)} rows")
    for col in ("id", "table", "file", "row", "key", "problems", "released"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(str(r.id), r.table, r.source_file, str(r.row), r.key or "",
                  ", ".join(r.problems), "yes" if r.released else "")
    out_console.print(t)


@quarantine_app.command("export")
def quarantine_export(
    dir: Path = typer.Argument(..., help="The study folder."),
    out: Path = typer.Argument(..., help="CSV to write (holds values: keep it in the folder)."),
    table: str = typer.Option("main", "--table", help="Which table's rows."),
) -> None:
    """Write quarantined rows (as they were in the file, plus _quarantine_id) to correct them.

    Example: dhkit quarantine export my-study my-study/fix-main.csv --table main
    """
    from dhkit.console import err_console
    from dhkit.ingest.quarantine import export_quarantine
    from dhkit.workspace.config import load_study

    n = export_quarantine(load_study(dir), out, table=table)
    err_console.print(f"{n} rows written to {out}; correct them and run: dhkit quarantine "
                      f"release {dir} --file {out}")


@quarantine_app.command("release")
def quarantine_release(
    dir: Path = typer.Argument(..., help="The study folder."),
    file: Path = typer.Option(..., "--file", help="Corrected rows (CSV with "
                              "_quarantine_id, or the same keys)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write problems to CSV."),
) -> None:
    """Re-validate corrected rows and move those that pass into the study tables.

    Example: dhkit quarantine release my-study --file my-study/fix-main.csv
    """
    from dhkit.ingest.quarantine import release
    from dhkit.workspace.config import load_study

    result = release(load_study(dir), file=file)
    _finish(result, report)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.command("import")(import_cmd)
    app.add_typer(quarantine_app, name="quarantine")
