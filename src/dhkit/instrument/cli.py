"""Commands of the instrument stage: ``dhkit instrument codebook|check|path``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

sub = typer.Typer(help="The survey instrument (XLSForm): data dictionary and checks.",
                  no_args_is_help=True)

#: Problems that are reported but do not fail `check`: pyxform warnings, rules dhkit
#: cannot translate to SQL (they are then not checked at import).
ADVISORY = frozenset({"INS-021", "INS-031"})


def _form(form: Optional[Path]) -> Path:
    from dhkit.instrument import shipped_form_path

    return form if form is not None else shipped_form_path()


@sub.command("codebook")
def codebook_cmd(
    form: Optional[Path] = typer.Argument(None, help="XLSForm (.xlsx); the shipped household "
                                          "survey if omitted."),
    out: Path = typer.Option(Path("."), "--out", "-o", help="Folder for the CSV and HTML."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Main language (e.g. en, es): "
                                       "choice labels and headings; all labels are listed."),
    as_json: bool = typer.Option(False, "--json", help="Print the written paths as JSON."),
) -> None:
    """Write the form's data dictionary: FORMID_codebook.csv and FORMID_codebook.html.

    Example: dhkit instrument codebook my_form.xlsx --out docs/ --lang es
    """
    from dhkit.console import err_console
    from dhkit.instrument.dictionary import (data_dictionary, write_dictionary_csv,
                                             write_dictionary_html)
    from dhkit.instrument.xlsform import read_xlsform

    cb = read_xlsform(_form(form))
    out.mkdir(parents=True, exist_ok=True)
    n = len(data_dictionary(cb, lang))
    csv_path = write_dictionary_csv(cb, out / f"{cb.form_id}_codebook.csv", lang)
    html_path = write_dictionary_html(cb, out / f"{cb.form_id}_codebook.html", lang)
    if as_json:
        typer.echo(json.dumps({"form": str(_form(form)), "variables": n,
                               "csv": str(csv_path), "html": str(html_path)}))
    else:
        err_console.print(f"{n} variables from {cb.title!r}")
        typer.echo(str(csv_path))
        typer.echo(str(html_path))


@sub.command("check")
def check_cmd(
    form: Optional[Path] = typer.Argument(None, help="XLSForm (.xlsx); the shipped household "
                                          "survey if omitted."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the problems "
                                          "as CSV here."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Check a form with pyxform (as Kobo/ODK would) and with dhkit's own checks.

    Lists every problem with sheet and row. Exit 1 if the form has errors; pyxform warnings
    and rules dhkit cannot check in SQL are listed but do not fail.

    Example: dhkit instrument check my_form.xlsx --report problems.csv
    """
    from dataclasses import asdict

    from dhkit.console import err_console
    from dhkit.instrument.xlsform import check_form

    path = _form(form)
    problems = check_form(path)
    if report is not None:
        problems.write_csv(report)
    errors = [p for p in problems if p.code not in ADVISORY]
    if as_json:
        typer.echo(json.dumps({"form": str(path), "ok": not errors,
                               "problems": [asdict(p) for p in problems]}, ensure_ascii=False))
    else:
        if not problems.ok:
            problems.print(title=f"{path.name}")
        if not errors:
            err_console.print(f"[green]{path.name}: the form passes[/green]"
                              + (f" ({len(problems)} note(s))" if len(problems) else ""))
    if errors:
        raise typer.Exit(1)


@sub.command("path")
def path_cmd() -> None:
    """Print the path of the shipped household-survey XLSForm.

    Example: cp "$(dhkit instrument path)" my_form.xlsx
    """
    from dhkit.instrument import shipped_form_path

    typer.echo(str(shipped_form_path()))


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(sub, name="instrument")
