"""The study store: one embedded DuckDB database file per study, encrypted at rest.

Why DuckDB's own encryption rather than file-level encryption with ``cryptography``:
DuckDB encrypts every block it writes (database, WAL and spilled temporary files) with
AES-GCM, so decrypted microdata never touches the disk and queries run on the store
directly; a file-level scheme would have to decrypt the whole database to a plaintext
temporary file (on disk) before DuckDB could open it. The price is an exact pin:
DuckDB 1.4 writes encrypted files only with its signed ``httpfs`` extension loaded,
extensions cannot be downloaded at run time (no network), and the PyPI wheel
``duckdb-ext-httpfs`` ships that signed binary for exactly DuckDB 1.4.4.

Keys come from ``DHKIT_KEY`` or a key file outside the study folder. The demo study
uses :data:`DEMO_KEY`, a public, clearly-marked key that only ``demo = true`` studies
accept. A missing or wrong key is refused with a :class:`~dhkit.errors.SafetyError`
(exit code 3), never a traceback. Nothing here logs values.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> with Store.open(os.path.join(d, "study.duckdb"), key="k" * 16) as s:
...     _ = s.con.execute("CREATE TABLE t AS SELECT 1 AS x")
...     s.con.execute("SELECT x FROM t").fetchone()
(1,)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import site
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from dhkit.errors import DhkitError, SafetyError

DEMO_KEY = "DHKIT-DEMO-KEY--PUBLIC--NOT-A-SECRET--SYNTHETIC-DATA-ONLY"
KEY_ENV = "DHKIT_KEY"
ALIAS = "study"

#: the store the current process opened last (named by the CLI when it reports damage)
_LAST_OPENED: list[Path] = []


def last_opened() -> Path | None:
    """Path of the study store this process opened most recently, if any."""
    return _LAST_OPENED[-1] if _LAST_OPENED else None

AUDIT_DDL = f"""
CREATE TABLE IF NOT EXISTS {ALIAS}.audit_log (
    logged_at TIMESTAMP NOT NULL,
    command VARCHAR NOT NULL,
    file VARCHAR,
    sha256 VARCHAR,
    rows_accepted BIGINT,
    rows_quarantined BIGINT,
    seq BIGINT,
    prev_hash VARCHAR,
    entry_hash VARCHAR,
    note VARCHAR
);
-- stores made before the hash chain get its columns (new stores keep `note` last)
ALTER TABLE {ALIAS}.audit_log ADD COLUMN IF NOT EXISTS seq BIGINT;
ALTER TABLE {ALIAS}.audit_log ADD COLUMN IF NOT EXISTS prev_hash VARCHAR;
ALTER TABLE {ALIAS}.audit_log ADD COLUMN IF NOT EXISTS entry_hash VARCHAR;
"""
#: the audit log's first link: ``prev_hash`` of the first hashed entry
GENESIS = "0" * 64


def _extension_directory() -> str:
    """Where the ``duckdb-ext-httpfs`` wheel put DuckDB's signed extensions."""
    candidates = [Path(p) / "duckdb_ext" / "extensions" for p in site.getsitepackages()]
    candidates += [Path(p) / "duckdb_ext" / "extensions" for p in sys.path if p]
    for c in candidates:
        if c.is_dir():
            return str(c)
    raise DhkitError(
        "WS-010", "DuckDB's httpfs extension (package duckdb-ext-httpfs) is not installed; "
        "it is needed to encrypt the study store. Reinstall dhkit: pip install -e ."
    )


def connect_memory() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the signed httpfs extension loaded, offline."""
    con = duckdb.connect(config={
        "extension_directory": _extension_directory(),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    })
    con.execute("LOAD httpfs")
    return con


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in chunks (constant memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve_key(study_dir: str | Path, key_file: str | Path | None = None,
                demo: bool = False) -> str:
    """The study key: ``DHKIT_KEY``, else the key file (outside the study folder), else the
    demo key for a demo study; otherwise refuse (WS-KEY-001)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env
    if key_file:
        kf = Path(key_file).expanduser().resolve()
        study = Path(study_dir).resolve()
        if study == kf or study in kf.parents:
            raise SafetyError(
                "WS-KEY-003", f"key file {kf} lies inside the study folder {study}; "
                "move it outside the folder (the folder is what gets copied and shared)."
            )
        if not kf.exists():
            raise SafetyError("WS-KEY-004", f"key file {kf} not found; set {KEY_ENV} or fix "
                              "key_file in study.toml.")
        text = kf.read_text(encoding="utf-8").strip()
        if not text:
            raise SafetyError("WS-KEY-005", f"key file {kf} is empty.")
        return text
    if demo:
        return DEMO_KEY
    raise SafetyError(
        "WS-KEY-001", f"no key to open the study store in {study_dir}: set the environment "
        f"variable {KEY_ENV} or name a key_file (outside the study folder) in study.toml."
    )


@dataclass
class Store:
    """An open, encrypted study store. Use as a context manager; tables live in schema
    ``study`` which is also the default schema of :attr:`con`."""

    path: Path
    con: duckdb.DuckDBPyConnection

    @classmethod
    def open(cls, path: str | Path, key: str, memory_limit: str | None = None) -> "Store":
        """Open or create the store at ``path``. Spilled temporary files go to an encrypted
        ``.tmp`` folder next to it; ``memory_limit`` (e.g. ``"1GB"``, default from
        ``DHKIT_MEMORY_LIMIT`` or DuckDB's) bounds memory for large imports."""
        path = Path(path)
        _LAST_OPENED[:] = [path]
        if len(key) < 8:
            raise SafetyError("WS-KEY-006", "the study key is shorter than 8 characters; "
                              "use a long random key (e.g. openssl rand -hex 32).")
        con = connect_memory()
        if _has_setting(con, "temp_file_encryption"):
            con.execute("SET temp_file_encryption = true")
        tmp = str(path.parent.resolve() / ".tmp").replace("'", "''")
        con.execute(f"SET temp_directory = '{tmp}'")
        limit = memory_limit or os.environ.get("DHKIT_MEMORY_LIMIT")
        if limit:
            con.execute("SET memory_limit = ?", [limit])
        escaped = str(path).replace("'", "''")
        try:
            con.execute(f"ATTACH '{escaped}' AS {ALIAS} (ENCRYPTION_KEY '{_quote(key)}')")
        except duckdb.IOException as exc:
            con.close()
            if "encryption key" in str(exc).lower():
                raise SafetyError("WS-KEY-002", f"wrong key for the study store {path}: check "
                                  f"{KEY_ENV} or the key file.") from None
            if "could not set lock" in str(exc).lower():
                pid = re.search(r"\(PID (\d+)\)", str(exc))
                who = f" (process {pid.group(1)})" if pid else ""
                raise DhkitError("WS-013", f"the study store {path} is in use by another "
                                 f"command{who}; wait for it to finish and run this again."
                                 ) from None
            raise DhkitError("WS-011", f"cannot open the study store {path} ({_first_line(exc)}): "
                             "it is damaged or not a dhkit store. Restore the last backup with "
                             "`dhkit restore BACKUP STUDY_DIR`.") from None
        except duckdb.Error as exc:
            con.close()
            raise DhkitError("WS-011", f"cannot open the study store {path} "
                             f"({type(exc).__name__}): it is damaged or not a dhkit store. "
                             "Restore the last backup with `dhkit restore BACKUP STUDY_DIR`."
                             ) from None
        con.execute(f"USE {ALIAS}")
        con.execute(AUDIT_DDL)
        return cls(path=path, con=con)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.con.execute("USE memory")
            self.con.execute(f"DETACH {ALIAS}")
        except duckdb.Error:
            pass
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: a failure inside leaves the store as it was."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def audit(self, command: str, *, file: str | None = None, sha256: str | None = None,
              rows_accepted: int | None = None, rows_quarantined: int | None = None,
              note: str | None = None) -> None:
        """Append one line to the audit log (never values, only counts and hashes).

        Each entry carries the hash of the previous one (``prev_hash``) and its own
        (``entry_hash`` = SHA-256 of the previous hash and the entry's fields), so editing or
        deleting an entry breaks the chain: :func:`dhkit.workspace.audit.verify_audit`."""
        last = self.con.execute(
            f"SELECT seq, entry_hash FROM {ALIAS}.audit_log WHERE entry_hash IS NOT NULL "
            "ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        when = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        fields = (when, command, file, sha256, rows_accepted, rows_quarantined, note)
        self.con.execute(
            f"INSERT INTO {ALIAS}.audit_log (logged_at, command, file, sha256, rows_accepted, "
            "rows_quarantined, note, seq, prev_hash, entry_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*fields, seq, prev, audit_hash(prev, seq, fields)],
        )

    # ------------------------------------------------------------ small SQL API
    # Table and column names are quoted identifiers (quote_ident), values are always bound
    # parameters: callers never build SQL from strings that could come from a file.
    def table(self, name: str) -> str:
        """The quoted, schema-qualified name of a store table: ``study."name"``."""
        return f"{ALIAS}.{quote_ident(name)}"

    def create_table(self, name: str, columns: str) -> None:
        """``CREATE TABLE IF NOT EXISTS``; ``columns`` is DDL written in code, never input."""
        self.con.execute(f"CREATE TABLE IF NOT EXISTS {self.table(name)} ({columns})")

    def count(self, name: str, **where) -> int:
        """Rows of a table matching ``column=value`` pairs (None values are ignored)."""
        sql, args = _where(where)
        return self.con.execute(f"SELECT count(*) FROM {self.table(name)}{sql}",
                                args).fetchone()[0]

    def delete(self, name: str, **where) -> int:
        """Delete the rows matching ``column=value`` pairs (None ignored); returns how many.
        Refuses to delete a whole table by accident: at least one condition is required."""
        sql, args = _where(where)
        if not args:
            raise ValueError("Store.delete needs at least one column=value condition")
        n = self.count(name, **where)
        self.con.execute(f"DELETE FROM {self.table(name)}{sql}", args)
        return n

    def insert_rows(self, name: str, rows: list[list]) -> int:
        """Insert many rows at once (through a DataFrame: much faster than ``executemany``)."""
        return insert_rows(self.con, name, rows)

    def has_table(self, name: str) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
            [ALIAS, name]).fetchone()
        return bool(row and row[0])

    def tables(self) -> list[str]:
        """The store's tables (an import's stage, left only by a killed import, is not one:
        the next import drops it)."""
        rows = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1",
            [ALIAS]).fetchall()
        return [r[0] for r in rows if not r[0].startswith(STAGE_PREFIX)]

    def read(self, name: str):
        """A whole table as a pandas DataFrame."""
        if not self.has_table(name):
            raise DhkitError("WS-012", f"the study store has no table '{name}'; "
                             "import or build it first (see dhkit status).")
        return self.con.execute(f"SELECT * FROM {self.table(name)}").df()


#: the name (+ a number) under which an import stages a CSV's main sheet in the store
STAGE_PREFIX = "_import_stage_"


def quote_ident(name: str) -> str:
    """A SQL identifier in double quotes (inner quotes doubled).

    >>> quote_ident('qual_codes'), quote_ident('a"b')
    ('"qual_codes"', '"a""b"')
    """
    return '"' + str(name).replace('"', '""') + '"'


def _where(where: dict) -> tuple[str, list]:
    pairs = [(k, v) for k, v in where.items() if v is not None]
    if not pairs:
        return "", []
    return (" WHERE " + " AND ".join(f"{quote_ident(k)} = ?" for k, _ in pairs),
            [v for _, v in pairs])


def insert_rows(con, name: str, rows: list[list]) -> int:
    """Insert rows into ``study.name`` on ``con`` (inside a transaction if one is open)."""
    if not rows:
        return 0
    import pandas as pd

    con.register("_dhkit_rows", pd.DataFrame(rows))
    try:
        con.execute(f"INSERT INTO {ALIAS}.{quote_ident(name)} SELECT * FROM _dhkit_rows")
    finally:
        con.unregister("_dhkit_rows")
    return len(rows)


def audit_hash(prev: str, seq: int, fields: tuple) -> str:
    """SHA-256 of one audit entry chained to the previous entry's hash.

    >>> audit_hash(GENESIS, 1, (_dt.datetime(2026, 1, 1), "import", "a.csv", None, 3, 0, None))[:12]
    '549a9892d96a'
    """
    import json

    when, *rest = fields
    stamp = when.isoformat(timespec="microseconds") if when is not None else None
    body = json.dumps([prev, seq, stamp, *rest], ensure_ascii=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(body.encode("ascii")).hexdigest()


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _quote(key: str) -> str:
    return key.replace("'", "''")


def _has_setting(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_settings() WHERE name = ?",
                            [name]).fetchone()[0])
