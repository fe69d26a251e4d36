"""Backups, restore and key rotation for the encrypted study store, each crash-safe.

- :func:`backup` writes ``OUT``: one DuckDB file encrypted (AES-GCM) with the study key,
  holding a copy of every table, sequence and view of the store, the study folder's settings
  files (``study.toml``, instrument, legal YAML, weighting settings, margins) in schema
  ``dhkit_backup`` and a manifest (row count of every table, each file's SHA-256, the audit
  log's head hash). Beside it ``OUT.sha256`` (plain JSON: the backup file's SHA-256, its size,
  whether it is a demo study) lets anyone check the file is whole without the key.
- :func:`verify_backup` checks the checksum, opens the backup with the key, recounts every
  table, rehashes every file and re-walks the audit chain.
- :func:`restore` verifies, copies the backup's tables into a new store file next to the
  study's store, then swaps it in with one ``rename``; the old store stays beside it as
  ``*.before-restore-<time>`` (a hard link made first, so the store path always holds a whole
  store). Settings files missing from the folder are written back.
- :func:`rotate_key` copies the store into a new file encrypted with the new key, checks that
  every table has the same row count, ``fsync``\\s it and renames it over the store: the store
  is always the old file (old key) or the new one (new key), never a mixture.

Every step writes a ``*.partial`` file first, ``fsync``\\s it and renames it into place; a
``kill -9`` at any point leaves the study opening with one of the two keys and all its rows
(``tests/workspace/test_recovery_crash.py`` kills the process at each named step via
``DHKIT_CRASH_AT``, a fault-injection hook that is inert unless that variable is set).

Why DuckDB's ``COPY FROM DATABASE`` and not a file copy: it writes a fresh file under any key
(DuckDB cannot re-key a file in place) and reads through the block checksums and AES-GCM
tags, so a damaged store is noticed while backing it up instead of copied silently.

>>> import tempfile, os
>>> from dhkit.workspace.store import Store
>>> d = tempfile.mkdtemp(); p = os.path.join(d, "s.duckdb")
>>> with Store.open(p, key="k" * 16) as s:
...     _ = s.con.execute("CREATE TABLE t AS SELECT range AS x FROM range(5)")
>>> rotate_key(p, "k" * 16, "n" * 16).tables["t"]
5
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dhkit import __version__
from dhkit.errors import DhkitError, SafetyError, ValidationError
from dhkit.workspace.store import ALIAS, Store, connect_memory, file_sha256

#: schema of a backup file that holds the folder's files and the manifest
BACKUP_SCHEMA = "dhkit_backup"
#: folder entries a backup carries besides the store (settings, instrument, legal files)
FOLDER_GLOBS = ("study.toml", "weighting.toml", "margins.csv", "instrument/*", "legal/*.yaml",
                "legal/*.yml", "legal/*.xlsx", "*.yaml", "*.yml")
CRASH_ENV = "DHKIT_CRASH_AT"


@dataclass
class CopyResult:
    """Row count of every table copied, by table name."""

    path: Path
    tables: dict[str, int] = field(default_factory=dict)


@dataclass
class BackupCheck:
    """What :func:`verify_backup` found (``problems`` empty when the backup is sound)."""

    path: Path
    sha256: str
    tables: dict[str, int]
    files: list[str]
    audit_head: str
    created: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def crash_point(name: str) -> None:
    """Fault injection for the crash tests: ``DHKIT_CRASH_AT=name`` kills the process here."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


# ------------------------------------------------------------------ file primitives
def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _sql_str(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _attach(con, path: Path, alias: str, key: str, read_only: bool = False) -> None:
    opts = f"ENCRYPTION_KEY {_sql_str(key)}" + (", READ_ONLY" if read_only else "")
    try:
        con.execute(f"ATTACH {_sql_str(str(path))} AS {alias} ({opts})")
    except duckdb.IOException as exc:
        text = str(exc).lower()
        if "encryption key" in text or "aes tag" in text:
            raise SafetyError("WS-KEY-002", f"wrong key for {path}: check DHKIT_KEY or the key "
                              "file.") from None
        if "could not set lock" in text:
            raise DhkitError("WS-013", f"{path} is in use by another command; wait for it to "
                             "finish and run this again.") from None
        raise DhkitError("WS-011", f"cannot open {path} ({str(exc).splitlines()[0][:160]}): it "
                         "is damaged or not a dhkit store.") from None


def _counts(con, alias: str, schema: str | None = None) -> dict[str, int]:
    where = "database_name = ?" + (" AND schema_name = ?" if schema else
                                   f" AND schema_name <> '{BACKUP_SCHEMA}'")
    args = [alias, schema] if schema else [alias]
    names = con.execute(f"SELECT schema_name, table_name FROM duckdb_tables() WHERE {where} "
                        "ORDER BY 1, 2", args).fetchall()
    return {t: con.execute(f'SELECT count(*) FROM {alias}."{sc}"."{t}"').fetchone()[0]
            for sc, t in names}


def _checkpointed(path: Path, key: str) -> None:
    """Fold the store's WAL into the file, so the file alone is the whole store."""
    with Store.open(path, key) as s:
        s.con.execute(f"CHECKPOINT {ALIAS}")


def copy_store(src: Path, src_key: str, dst: Path, dst_key: str, *,
               extra=None, step: str = "copy") -> CopyResult:
    """Copy every table, sequence and view of ``src`` into a new encrypted file ``dst``
    (which must not exist yet); row counts are checked table by table.

    ``extra(con)`` may add to the copy (attached as ``study``) before it is closed.
    """
    _remove(dst)
    con = connect_memory()
    try:
        _attach(con, src, "old", src_key, read_only=True)
        _attach(con, dst, ALIAS, dst_key)
        con.execute(f"COPY FROM DATABASE old TO {ALIAS}")
        before, after = _counts(con, "old"), _counts(con, ALIAS)
        if before != after:
            lost = {t: (n, after.get(t)) for t, n in before.items() if after.get(t) != n}
            raise DhkitError("WS-032", f"the copy of {src} does not hold every row ({lost}); "
                             "nothing was replaced. Run the command again.")
        if extra is not None:
            extra(con)
        con.execute(f"CHECKPOINT {ALIAS}")
        crash_point(f"{step}-copied")
    finally:
        con.close()
    fsync_file(dst)
    return CopyResult(dst, before)


# ------------------------------------------------------------------ key rotation
def rotate_key(store_path: str | Path, old_key: str, new_key: str) -> CopyResult:
    """Re-encrypt the store under ``new_key`` without losing a row (atomic rename).

    Until the final rename the store opens with the old key only; after it, with the new key
    only. The audit log records the rotation (no key material).
    """
    path = Path(store_path)
    if len(new_key) < 8:
        raise SafetyError("WS-KEY-006", "the new key is shorter than 8 characters; use a long "
                          "random key (e.g. openssl rand -hex 32).")
    if new_key == old_key:
        raise DhkitError("WS-030", "the new key is the same as the current one; give a "
                         "different key (DHKIT_NEW_KEY or --new-key-file).")
    _checkpointed(path, old_key)                 # also checks the old key
    partial = path.with_name(path.name + ".rotate.partial")

    def note(con) -> None:
        _audit_into(con, "key rotate", note="store re-encrypted under a new key")

    result = copy_store(path, old_key, partial, new_key, extra=note, step="rotate")
    crash_point("rotate-before-rename")
    os.replace(partial, path)
    fsync_dir(path.parent)
    crash_point("rotate-renamed")
    return CopyResult(path, result.tables)


def _audit_into(con, command: str, note: str) -> None:
    """An audit entry written through a raw connection where ``study`` is attached."""
    from dhkit.workspace.store import AUDIT_DDL, GENESIS, audit_hash

    con.execute(AUDIT_DDL)
    last = con.execute(f"SELECT seq, entry_hash FROM {ALIAS}.audit_log WHERE entry_hash IS NOT "
                       "NULL ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    fields = (when, command, None, None, None, None, note)
    con.execute(f"INSERT INTO {ALIAS}.audit_log (logged_at, command, file, sha256, "
                "rows_accepted, rows_quarantined, note, seq, prev_hash, entry_hash) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [*fields, seq, prev, audit_hash(prev, seq, fields)])


# ------------------------------------------------------------------ backup
def _folder_files(study_dir: Path, store_path: Path) -> list[Path]:
    out: set[Path] = set()
    for pattern in FOLDER_GLOBS:
        for p in study_dir.glob(pattern):
            if p.is_file() and p.resolve() != store_path.resolve() and p.stat().st_size < 64 << 20:
                out.add(p)
    return sorted(out)


def backup(study, out: str | Path) -> BackupCheck:
    """Write an encrypted, checksummed backup of the study (store and settings files)."""
    from dhkit.workspace.audit import verify_audit
    from dhkit.workspace.store import resolve_key

    out = Path(out)
    if out.exists() and out.is_dir():
        out = out / f"{study.dir.name}-{_dt.datetime.now():%Y%m%d-%H%M%S}.dhkbackup"
    if _inside(out, study.dir):
        raise SafetyError("WS-033", f"{out} lies inside the study folder; write backups "
                          "elsewhere (another disk is best).")
    out.parent.mkdir(parents=True, exist_ok=True)
    key = resolve_key(study.dir, key_file=study.key_file_path, demo=study.demo)
    store_path = study.store_path
    if not store_path.exists():
        raise DhkitError("WS-034", f"{study.dir} has no study store yet ({store_path}); "
                         "import data first.")
    with Store.open(store_path, key) as s:
        s.audit("backup", file=out.name, note="encrypted backup written")
        s.con.execute(f"CHECKPOINT {ALIAS}")
        head = verify_audit(s).head
    files = _folder_files(study.dir, store_path)
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")

    def add_folder(con) -> None:
        b = f"{ALIAS}.{BACKUP_SCHEMA}"
        con.execute(f"CREATE SCHEMA {b}")
        con.execute(f"CREATE TABLE {b}.files (path VARCHAR, sha256 VARCHAR, content BLOB)")
        for p in files:
            data = p.read_bytes()
            con.execute(f"INSERT INTO {b}.files VALUES (?, ?, ?)",
                        [p.relative_to(study.dir).as_posix(), _sha(data), data])
        con.execute(f"CREATE TABLE {b}.manifest (field VARCHAR, value VARCHAR)")
        counts = _counts(con, ALIAS)
        meta = {"dhkit": __version__, "created": created, "study": study.name,
                "store": store_path.relative_to(study.dir).as_posix()
                if _inside(store_path, study.dir) else store_path.name,
                "audit_head": head, "tables": json.dumps(counts, sort_keys=True)}
        con.executemany(f"INSERT INTO {b}.manifest VALUES (?, ?)", list(meta.items()))

    partial = out.with_name(out.name + ".partial")
    copy_store(store_path, key, partial, key, extra=add_folder, step="backup")
    digest = file_sha256(partial)
    crash_point("backup-before-rename")
    os.replace(partial, out)
    _write_json(_sidecar(out), {"file": out.name, "sha256": digest,
                                "bytes": out.stat().st_size, "demo": bool(study.demo),
                                "created": created, "dhkit": __version__})
    fsync_dir(out.parent)
    return verify_backup(out, key)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    fsync_file(tmp)
    os.replace(tmp, path)


def backup_info(path: str | Path) -> dict:
    """The plain sidecar of a backup (checksum, size, demo flag); WS-035 if missing."""
    path = Path(path)
    if not path.is_file():
        raise DhkitError("WS-035", f"{path}: backup file not found; check the path.")
    side = _sidecar(path)
    try:
        return json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise DhkitError("WS-035", f"{side}: the backup's checksum file is missing or "
                         "unreadable; keep OUT and OUT.sha256 together.") from None


def verify_backup(path: str | Path, key: str) -> BackupCheck:
    """Check a backup end to end: checksum, key, every table's rows, every file, the audit
    chain. Problems are listed in the result (``ok`` False), never raised."""
    from dhkit.workspace.audit import verify_audit

    path = Path(path)
    info = backup_info(path)
    problems: list[str] = []
    digest = file_sha256(path)
    if digest != info.get("sha256"):
        problems.append(f"checksum differs from {_sidecar(path).name}: the file was changed or "
                        "damaged after it was written")
        return BackupCheck(path, digest, {}, [], "", info.get("created", ""), problems)
    con = connect_memory()
    try:
        _attach(con, path, ALIAS, key, read_only=True)
        b = f"{ALIAS}.{BACKUP_SCHEMA}"
        meta = dict(con.execute(f"SELECT field, value FROM {b}.manifest").fetchall())
        expected = json.loads(meta.get("tables", "{}"))
        counts = _counts(con, ALIAS)
        for t, n in expected.items():
            if counts.get(t) != n:
                problems.append(f"table {t}: {counts.get(t)} rows, the manifest says {n}")
        files = []
        for rel, sha, content in con.execute(f"SELECT path, sha256, content FROM {b}.files "
                                             "ORDER BY path").fetchall():
            files.append(rel)
            if _sha(bytes(content)) != sha:
                problems.append(f"file {rel}: content does not match its SHA-256")
        con.execute(f"USE {ALIAS}")
        store = Store(path=path, con=con)
        chain = verify_audit(store)
        if not chain.ok:
            problems.append(f"audit log broken at entry {chain.broken_at}: {chain.reason}")
        elif chain.head != meta.get("audit_head"):
            problems.append("audit log head differs from the manifest")
    except duckdb.Error as exc:
        problems.append(f"cannot read the backup ({str(exc).splitlines()[0][:160]})")
        meta, counts, files = {}, {}, []
    finally:
        con.close()
    return BackupCheck(path, digest, counts, files, meta.get("audit_head", ""),
                       meta.get("created", ""), problems)


# ------------------------------------------------------------------ restore
def restore(backup_path: str | Path, study_dir: str | Path, key: str) -> CopyResult:
    """Restore a verified backup into ``study_dir`` (created if missing); atomic swap."""
    backup_path, study_dir = Path(backup_path), Path(study_dir)
    check = verify_backup(backup_path, key)
    if not check.ok:
        raise ValidationError("WS-036", f"{backup_path.name}: the backup does not verify ("
                              + "; ".join(check.problems[:3]) + "); nothing was restored. Use "
                              "another backup.")
    study_dir.mkdir(parents=True, exist_ok=True)
    con = connect_memory()
    try:
        _attach(con, backup_path, "bak", key, read_only=True)
        meta = dict(con.execute(f"SELECT field, value FROM bak.{BACKUP_SCHEMA}.manifest"
                                ).fetchall())
        for rel, content in con.execute(f"SELECT path, content FROM bak.{BACKUP_SCHEMA}.files"
                                        ).fetchall():
            target = study_dir / rel
            if not _inside(target, study_dir):
                continue                      # never write outside the folder
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_bytes_atomic(target, bytes(content))
    finally:
        con.close()
    store_path = _store_path(study_dir, meta.get("store", "store/study.duckdb"))
    store_path.parent.mkdir(parents=True, exist_ok=True)
    _not_in_use(store_path, key)
    partial = store_path.with_name(store_path.name + ".restore.partial")

    def drop_backup_schema(con) -> None:
        con.execute(f"DROP SCHEMA IF EXISTS {ALIAS}.{BACKUP_SCHEMA} CASCADE")
        _audit_into(con, "restore", note=f"restored from backup {backup_path.name} created "
                    f"{meta.get('created', '?')}")

    result = copy_store(backup_path, key, partial, key, extra=drop_backup_schema,
                        step="restore")
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if store_path.exists():
        keep = store_path.with_name(f"{store_path.name}.before-restore-{stamp}")
        os.link(store_path, keep)             # the old store stays reachable
        wal = Path(str(store_path) + ".wal")
        if wal.exists():                      # an old WAL must not replay onto the new file
            os.replace(wal, Path(str(keep) + ".wal"))
    crash_point("restore-before-rename")
    os.replace(partial, store_path)
    fsync_dir(store_path.parent)
    crash_point("restore-renamed")
    counts = {t: n for t, n in result.tables.items()}
    return CopyResult(store_path, counts)


def _not_in_use(store_path: Path, key: str) -> None:
    """Refuse (WS-013) when another command holds the store; a damaged store may be replaced."""
    if not store_path.exists():
        return
    try:
        Store.open(store_path, key).close()
    except DhkitError as exc:
        if exc.code == "WS-013":
            raise


def _store_path(study_dir: Path, rel: str) -> Path:
    try:
        from dhkit.workspace.config import load_study

        return load_study(study_dir).store_path
    except DhkitError:
        return study_dir / rel


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    fsync_file(tmp)
    os.replace(tmp, path)


def _inside(path: Path, folder: Path) -> bool:
    p, f = path.resolve(), folder.resolve()
    return p == f or f in p.parents


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
