"""Team accounts of the dashboard server, kept in the study's encrypted store.

One table, ``dashboard_users`` (name, role, Argon2id hash, created): the store is already
encrypted at rest and opened with the study key, so the accounts travel with the study
and nobody without the key can read or change them. Passwords are hashed with Argon2id
(``argon2-cffi``, the memory-hard winner of the Password Hashing Competition, RFC 9106)
at the library's default cost; a hash is never logged or shown. Every change is a line in
the store's audit log (who, which role; never the password).

Roles: ``analyst`` (precision, sampling errors, weighting and import counts),
``restricted`` (the restricted law-enforcement answers only), ``admin`` (accounts).

>>> # doctest: +SKIP
>>> add_user(study, "ana", "analyst", "a long passphrase 42")
>>> [(u.name, u.role) for u in list_users(study)]
[('ana', 'analyst')]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dhkit.errors import DhkitError

TABLE = "dashboard_users"
ROLES = ("analyst", "restricted", "admin")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, "
       "hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: str = ""


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise DhkitError("DSH-010", f"user name {name!r} is not allowed: use 2–40 lower-case "
                         "letters, digits, '.', '_' or '-', starting with a letter or digit.")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise DhkitError("DSH-012", f"unknown role {role!r}; use one of {', '.join(ROLES)}.")
    return role


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise DhkitError("DSH-011", f"the password is shorter than {MIN_PASSWORD} characters; "
                         "use a longer passphrase.")
    return password


def add_user(study, name: str, role: str, password: str, *, by: str = "cli") -> User:
    """Create an account (refused if the name exists: remove it first)."""
    check_name(name)
    check_role(role)
    check_password(password)
    digest = _hasher().hash(password)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with study.open_store() as store:
        store.con.execute(DDL)
        if store.con.execute(f"SELECT count(*) FROM {TABLE} WHERE name = ?",
                             [name]).fetchone()[0]:
            raise DhkitError("DSH-013", f"user {name!r} already exists; remove it first "
                             f"(dhkit users remove {study.dir} {name}).")
        with store.transaction() as con:
            con.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", [name, role, digest, now])
            store.audit("dashboard user add", note=f"user={name} role={role} by={by}")
    return User(name, role, str(now)[:19])


def remove_user(study, name: str, *, by: str = "cli") -> None:
    check_name(name)
    with study.open_store() as store:
        store.con.execute(DDL)
        if not store.con.execute(f"SELECT count(*) FROM {TABLE} WHERE name = ?",
                                 [name]).fetchone()[0]:
            raise DhkitError("DSH-014", f"no user {name!r}; see dhkit users list {study.dir}.")
        with store.transaction() as con:
            con.execute(f"DELETE FROM {TABLE} WHERE name = ?", [name])
            store.audit("dashboard user remove", note=f"user={name} by={by}")


def list_users(study) -> list[User]:
    """Accounts by name (no hashes)."""
    if not study.store_path.exists():
        return []
    with study.open_store() as store:
        if not store.has_table(TABLE):
            return []
        rows = store.con.execute(f"SELECT name, role, created_at FROM {TABLE} "
                                 "ORDER BY name").fetchall()
    return [User(r[0], r[1], str(r[2])[:19]) for r in rows]


def verify(study, name: str, password: str, *, note: str = "") -> User | None:
    """The user when the password matches, else None; the attempt goes to the audit log."""
    from argon2.exceptions import InvalidHashError, VerificationError

    user, digest = None, None
    with study.open_store() as store:
        if store.has_table(TABLE) and NAME.match(name or ""):
            row = store.con.execute(f"SELECT name, role, hash FROM {TABLE} WHERE name = ?",
                                    [name]).fetchone()
            if row:
                user, digest = User(row[0], row[1]), row[2]
        ok = False
        try:
            # a missing user still costs one hash, so timing does not reveal who exists
            ok = _hasher().verify(digest or _DUMMY(), password) and digest is not None
        except (VerificationError, InvalidHashError):
            ok = False
        shown = name if NAME.match(name or "") else "(invalid name)"
        store.audit("dashboard login", note=f"user={shown} {'ok' if ok else 'failed'}"
                    + (f" {note}" if note else ""))
    return user if ok else None


_DUMMY_HASH: list[str] = []


def _DUMMY() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher().hash("dhkit-no-such-user"))
    return _DUMMY_HASH[0]
