"""Commands of the dashboard stage: ``dhkit dashboard build``, ``dhkit serve`` and
``dhkit users add/remove/list``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

dashboard = typer.Typer(help="The public results site (static files, no server).",
                        no_args_is_help=True)
users = typer.Typer(help="Team accounts of `dhkit serve` (kept in the encrypted store).",
                    no_args_is_help=True)

DIR = typer.Argument(..., help="Study folder (contains study.toml).")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(dashboard, name="dashboard")     # help texts unwrapped by dhkit.cli
    app.add_typer(users, name="users")
    app.command("serve")(serve_cmd)


def _languages(study, lang: str) -> tuple[str, ...]:
    from dhkit.errors import DhkitError

    if lang == "all":
        return ("en", "es")
    if lang:
        if lang not in ("en", "es"):
            raise DhkitError("DSH-001", f"unknown language {lang!r}; use en, es or all.")
        return (lang,)
    return tuple(x for x in study.languages if x in ("en", "es")) or ("en",)


@dashboard.command("build")
def build_cmd(
    dir: Path = DIR,
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: DIR/dashboard)."),
    lang: str = typer.Option("", "--lang", help="en, es or all (default: the study's "
                             "languages)."),
    region: Path = typer.Option(None, "--region", help="A region folder (region.toml): add "
                                "the country comparison."),
) -> None:
    """Build the public results site: HTML, CSS, a small script, data as CSV/JSON/Excel.

    Only published, disclosure-checked aggregates go in it; it works offline and from any
    static host (open OUT/index.html, or copy OUT to a web server).

    Example: dhkit dashboard build mystudy --out site --lang all
    """
    from dhkit.console import err_console
    from dhkit.dashboard.build import build_site
    from dhkit.dashboard.data import collect
    from dhkit.workspace.config import load_study

    study = load_study(dir)
    languages = _languages(study, lang)
    err_console.print("dashboard: estimating the published tables…")
    data = collect(study, languages, region_dir=region)
    result = build_site(data, out or study.dir / "dashboard")
    typer.echo(str(result.out_dir / "index.html"))
    err_console.print(f"dashboard written to {result.out_dir} ({result.pages} pages, "
                      f"{len(result.files)} files, languages: {', '.join(languages)})")


def serve_cmd(
    dir: Path = DIR,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (the "
                             "default serves this machine only)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    session_minutes: int = typer.Option(480, "--session-minutes", min=5, max=7 * 24 * 60,
                                        help="Sessions expire after this many minutes."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Mark cookies Secure "
                                        "(use when served over HTTPS)."),
    region: Path = typer.Option(None, "--region", help="A region folder (region.toml): add "
                                "the country comparison."),
) -> None:
    """Serve the dashboard: the public views, and each role's pages after signing in.

    Roles: analyst, restricted, admin. Binds to localhost unless --host says otherwise.

    Example: dhkit serve mystudy --port 8000
    """
    from dhkit.console import err_console
    from dhkit.dashboard.server import serve
    from dhkit.workspace.config import load_study

    study = load_study(dir)
    err_console.print("dhkit serve: estimating the published tables…")
    serve(study, host, port, session_minutes=session_minutes, secure_cookies=secure_cookies,
          region_dir=region,
          say=lambda text: err_console.print(text, markup=False, highlight=False))


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
def users_add(
    dir: Path = DIR,
    name: str = typer.Argument(..., help="User name (lower-case letters, digits, . _ -)."),
    role: str = typer.Option(..., "--role", help="analyst, restricted or admin."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input."),
) -> None:
    """Add a team account (asks for the password twice unless --password-stdin).

    Example: dhkit users add mystudy ana --role analyst
    """
    from dhkit.console import err_console
    from dhkit.dashboard import accounts
    from dhkit.workspace.config import load_study

    study = load_study(dir)
    accounts.check_name(name)
    accounts.check_role(role)
    user = accounts.add_user(study, name, role, _password(password_stdin))
    err_console.print(f"added {user.name} ({user.role})")


@users.command("remove")
def users_remove(dir: Path = DIR, name: str = typer.Argument(..., help="User name.")) -> None:
    """Remove a team account (its sessions stop working at once on a running server).

    Example: dhkit users remove mystudy ana
    """
    from dhkit.console import err_console
    from dhkit.dashboard import accounts
    from dhkit.workspace.config import load_study

    accounts.remove_user(load_study(dir), name)
    err_console.print(f"removed {name}")


@users.command("list")
def users_list(dir: Path = DIR,
               as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List team accounts (name, role, created); never passwords or hashes.

    Example: dhkit users list mystudy --json
    """
    from dhkit.dashboard import accounts
    from dhkit.workspace.config import load_study

    found = accounts.list_users(load_study(dir))
    if as_json:
        typer.echo(json.dumps([vars(u) for u in found], indent=2))
        return
    for u in found:
        typer.echo(f"{u.name}\t{u.role}\t{u.created_at}")
