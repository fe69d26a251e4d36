"""Commands of the instrument stage: ``dhkit instrument codebook|check|path|add``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

sub = typer.Typer(help="The survey instrument (XLSForm): data dictionary and checks.",
                  no_args_is_help=True)

#: Problems that are reported but do not fail `check`: pyxform warnings, rules dhkit
#: cannot translate to SQL (they are then not checked at import).
ADVISORY = frozenset({"INS-021", "INS-031", "INS-044"})


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
    study: Optional[Path] = typer.Option(None, "--study", help="A study folder: the "
                                         "dictionary of every form version it holds (which "
                                         "questions each version did not ask)."),
) -> None:
    """Write the form's data dictionary: FORMID_codebook.csv and FORMID_codebook.html.

    Example: dhkit instrument codebook my_form.xlsx --out docs/ --lang es
    Example: dhkit instrument codebook --study my-study --out docs/
    """
    from dhkit.console import err_console
    from dhkit.instrument.dictionary import (data_dictionary, write_dictionary_csv,
                                             write_dictionary_html)
    from dhkit.instrument.xlsform import read_xlsform

    versions = None
    if study is not None:
        from dhkit.instrument.versions import load_versions
        from dhkit.workspace.config import load_study

        versions = load_versions(load_study(study))
        cb, form = versions.merged, versions.newest.path
    else:
        cb = read_xlsform(_form(form))
    out.mkdir(parents=True, exist_ok=True)
    n = len(data_dictionary(cb, lang))
    csv_path = write_dictionary_csv(cb, out / f"{cb.form_id}_codebook.csv", lang, versions)
    html_path = write_dictionary_html(cb, out / f"{cb.form_id}_codebook.html", lang, versions)
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


@sub.command("add")
def add_cmd(
    dir: Path = typer.Argument(..., help="The study folder."),
    form: Path = typer.Argument(..., help="Another deployed version of the study's form "
                                "(.xlsx; its version is read from the settings sheet)."),
    alias: List[str] = typer.Option([], "--alias", help="Another name the server gives this "
                                    "version in exports (e.g. Kobo's __version__ id); "
                                    "repeatable."),
) -> None:
    """Hold another version of the study's form, so rows collected with it are checked
    against it (and not refused by the newest form).

    The form is copied to the study's instrument/versions/ folder; every version's
    questions are columns of the stored tables (NULL, "not asked", for versions without
    them). The newest version is the reference for labels and types.

    Example: dhkit instrument add my-study household_v3.xlsx --alias vGqz8Hk2pLm
    """
    from dhkit.console import err_console
    from dhkit.instrument.versions import add_version, load_versions
    from dhkit.workspace.config import load_study

    st = load_study(dir)
    added = add_version(st, form, alias)
    if added.already_held:
        err_console.print(f"{form.name}: version {added.version} is already held "
                          f"({added.path.name}); nothing changed")
        return
    held = load_versions(st)
    if st.store_path.exists():
        with st.open_store() as store:
            store.audit("instrument add", file=form.name,
                        note=f"form version {added.version} held as {added.path.name}; "
                        f"versions now {', '.join(held.names)}")
    err_console.print(f"{form.name}: version {added.version} added; the study holds "
                      f"{', '.join(held.names)} (newest {held.newest.version})")
    if added.new_questions:
        err_console.print(f"  questions not in the newest form before: "
                          f"{', '.join(added.new_questions)}")
    if added.dropped_questions:
        err_console.print(f"  questions this version does not ask (NULL for its rows): "
                          f"{', '.join(added.dropped_questions)}")


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
