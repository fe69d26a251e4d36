"""Commands of the workspace stage: ``dhkit init``, ``dhkit status``, ``dhkit backup``,
``dhkit restore``, ``dhkit key rotate`` and ``dhkit audit verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def init_cmd(
    dir: Path = typer.Argument(..., help="Folder for the new study (created if missing)."),
    instrument: Optional[Path] = typer.Option(
        None, "--instrument", help="Your XLSForm (.xlsx); the shipped household survey if "
        "omitted. It is copied into the folder."),
    country: Optional[str] = typer.Option(
        None, "--country", help="ISO 3166-1 alpha-2 country code of the study (CO, Colombia, "
        "if omitted).", show_default=False),
    name: Optional[str] = typer.Option(None, "--name", help="Study name shown in reports."),
    demo: bool = typer.Option(False, "--demo", help="Synthetic demo study: accepts the public "
                              "demo key. Never for real data."),
) -> None:
    """Create a study folder with study.toml and the instrument.

    Example: dhkit init my-study --country CO --name "Disrupting Harm — Colombia"
    """
    from dhkit.console import err_console
    from dhkit.workspace.config import init_study, settings_not_in_form

    study = init_study(dir, instrument=instrument, country=country or "CO", demo=demo,
                       name=name)
    err_console.print(f"Created study [bold]{study.name}[/bold] in {study.dir}")
    err_console.print(f"  settings:   {study.toml_path}")
    err_console.print(f"  instrument: {study.instrument_path}")
    if country is None:
        err_console.print("  country:    CO (the default: give --country XX for another "
                          "country, or edit [study] country in study.toml)", markup=False)
    missing = settings_not_in_form(study) if instrument is not None else []
    if missing:
        err_console.print(f"note: study.toml names variables your form does not have: "
                          f"{'; '.join(missing)}. Edit them in {study.toml_path.name} to your "
                          "form's names (the stratum, cluster, submission id and age "
                          "questions) before `dhkit weights build` and estimates.",
                          markup=False)
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


def _backup_key(backup: Path, key_file: Optional[Path]) -> str:
    """The key of a backup: DHKIT_KEY, else --key-file, else the demo key for a demo backup."""
    import os

    from dhkit.errors import SafetyError
    from dhkit.workspace.recovery import backup_info
    from dhkit.workspace.store import DEMO_KEY, KEY_ENV

    info = backup_info(backup)
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV]
    if key_file is not None:
        text = key_file.expanduser().read_text(encoding="utf-8").strip()
        if text:
            return text
    if info.get("demo"):
        return DEMO_KEY
    raise SafetyError("WS-KEY-001", f"no key for the backup {backup.name}: set {KEY_ENV} or "
                      "give --key-file (the study key when the backup was made).")


def backup_cmd(
    target: str = typer.Argument(..., metavar="DIR|verify",
                                 help="The study folder to back up, or `verify`."),
    out: Path = typer.Argument(..., metavar="OUT",
                               help="Backup file to write (a folder: a dated name inside it), "
                               "or the backup to verify."),
    key_file: Optional[Path] = typer.Option(None, "--key-file", help="verify: the study key "
                                            "file, when DHKIT_KEY is not set."),
) -> None:
    """Encrypted, checksummed backup of the study, or check one (`dhkit backup verify OUT`).

    The backup holds every table of the store (encrypted with the study key) and the
    settings files; OUT.sha256 beside it carries its checksum. Keep both, on another disk.

    Example: dhkit backup my-study /media/usb/ && dhkit backup verify /media/usb/my-study-20260101-120000.dhkbackup
    """
    from dhkit.console import err_console
    from dhkit.errors import ValidationError
    from dhkit.workspace.recovery import backup, verify_backup

    if target == "verify":
        check = verify_backup(out, _backup_key(out, key_file))
    else:
        from dhkit.workspace.config import load_study

        check = backup(load_study(Path(target)), out)
    rows = sum(check.tables.values())
    if not check.ok:
        raise ValidationError("WS-036", f"{check.path.name}: the backup does not verify: "
                              + "; ".join(check.problems))
    err_console.print(f"{'verified' if target == 'verify' else 'backup written and verified'}: "
                      f"{check.path}", markup=False, highlight=False, soft_wrap=True)
    err_console.print(f"  {len(check.tables)} tables, {rows:,} rows, {len(check.files)} "
                      f"settings files; sha256 {check.sha256}; audit head {check.audit_head[:16]}",
                      markup=False, highlight=False)


def restore_cmd(
    backup: Path = typer.Argument(..., help="The backup file (with BACKUP.sha256 beside it)."),
    dir: Path = typer.Argument(..., help="The study folder to restore into (created if "
                               "missing)."),
    key_file: Optional[Path] = typer.Option(None, "--key-file", help="The study key file, "
                                            "when DHKIT_KEY is not set."),
) -> None:
    """Restore a verified backup: the store is swapped in atomically, the old one kept beside it.

    Example: dhkit restore /media/usb/my-study-20260101-120000.dhkbackup my-study
    """
    from dhkit.console import err_console
    from dhkit.workspace.recovery import restore

    result = restore(backup, dir, _backup_key(backup, key_file))
    err_console.print(f"restored {len(result.tables)} tables, {sum(result.tables.values()):,} "
                      f"rows into {result.path}", markup=False, highlight=False, soft_wrap=True)


def key_rotate_cmd(
    dir: Path = typer.Argument(..., help="The study folder."),
    new_key_file: Optional[Path] = typer.Option(
        None, "--new-key-file", help="File holding the new key (outside the study folder); "
        "else DHKIT_NEW_KEY."),
) -> None:
    """Re-encrypt the study store under a new key without losing a row (atomic).

    The current key comes from DHKIT_KEY or the study's key_file as usual. After it, use the
    new key (set DHKIT_KEY, or point key_file at the new file).

    Example: DHKIT_NEW_KEY=$(openssl rand -hex 32) dhkit key rotate my-study
    """
    import os

    from dhkit.console import err_console
    from dhkit.errors import SafetyError
    from dhkit.workspace.config import load_study
    from dhkit.workspace.recovery import rotate_key
    from dhkit.workspace.store import resolve_key

    study = load_study(dir)
    if study.demo:
        raise SafetyError("WS-KEY-007", "the demo study uses the public demo key; rotation is "
                          "for real studies.")
    old = resolve_key(study.dir, key_file=study.key_file_path, demo=False)
    if new_key_file is not None:
        new = _read_key_file(study.dir, new_key_file)
    else:
        new = os.environ.get("DHKIT_NEW_KEY", "")
        if not new:
            raise SafetyError("WS-KEY-008", "no new key: set DHKIT_NEW_KEY or give "
                              "--new-key-file (outside the study folder).")
    result = rotate_key(study.store_path, old, new)
    err_console.print(f"store re-encrypted under the new key: {len(result.tables)} tables, "
                      f"{sum(result.tables.values()):,} rows, none lost. From now on use the new "
                      "key (DHKIT_KEY or key_file).", markup=False, highlight=False,
                      soft_wrap=True)


def _read_key_file(study_dir: Path, path: Path) -> str:
    import os

    saved = os.environ.pop("DHKIT_KEY", None)
    try:
        from dhkit.workspace.store import resolve_key

        return resolve_key(study_dir, key_file=path)
    finally:
        if saved is not None:
            os.environ["DHKIT_KEY"] = saved


def audit_verify_cmd(
    dir: Path = typer.Argument(..., help="The study folder."),
) -> None:
    """Check the audit log's hash chain and report the first broken link.

    Example: dhkit audit verify my-study
    """
    from dhkit.console import err_console
    from dhkit.errors import ValidationError
    from dhkit.workspace.audit import verify_audit
    from dhkit.workspace.config import load_study

    with load_study(dir).open_store() as store:
        check = verify_audit(store)
    if not check.ok:
        raise ValidationError("WS-031", f"audit log of {dir}: entry {check.broken_at} is the "
                              f"first broken link ({check.reason}). Restore the last verified "
                              "backup (dhkit restore) and find who wrote to the store.")
    legacy = f" ({check.legacy} older entries predate the chain)" if check.legacy else ""
    err_console.print(f"audit log intact: {check.entries} entries{legacy}; head {check.head}",
                      markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.command("init")(init_cmd)
    app.command("status")(status_cmd)
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
    key_app = typer.Typer(help="The study key: rotate it.", no_args_is_help=True)
    key_app.command("rotate")(key_rotate_cmd)
    app.add_typer(key_app, name="key")
    audit_app = typer.Typer(help="The audit log: verify its hash chain.", no_args_is_help=True)
    audit_app.command("verify")(audit_verify_cmd)
    app.add_typer(audit_app, name="audit")
