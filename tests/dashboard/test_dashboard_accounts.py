"""Accounts, sessions, rate limiting, interface strings and the commands, without a server."""

from __future__ import annotations

import io
import json
import sys

import pytest

from dhkit.cli import main
from dhkit.dashboard import accounts
from dhkit.dashboard.auth import RateLimiter, Signer, same_token
from dhkit.dashboard.server import is_loopback
from dhkit.dashboard.strings import LANGS, STRINGS
from dhkit.errors import DhkitError


@pytest.fixture()
def study(tmp_path):
    from dhkit.workspace.config import init_study

    return init_study(tmp_path / "s", instrument=False, demo=True)


def run(capsys, *args, stdin: str | None = None) -> tuple[int, str, str]:
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_interface_string_has_english_and_spanish():
    missing = [k for k, v in STRINGS.items() for lang in LANGS if not v.get(lang)]
    assert missing == []


def test_a_session_token_round_trips_until_it_expires():
    signer = Signer(b"s" * 32, ttl_seconds=600)
    token = signer.issue("ana", "analyst", now=0.0)
    session = signer.read(token, now=599.0)
    assert (session.user, session.role) == ("ana", "analyst") and len(session.csrf) >= 24
    assert signer.read(token, now=600.0) is None


def test_a_token_signed_with_another_key_or_altered_is_refused():
    token = Signer(b"a" * 32).issue("ana", "admin")
    assert Signer(b"b" * 32).read(token) is None
    body, sig = token.split(".")
    assert Signer(b"a" * 32).read(body[:-1] + ("A" if body[-1] != "A" else "B") + "." + sig) \
        is None
    assert Signer(b"a" * 32).read("garbage") is None and Signer().read(None) is None


def test_a_revoked_session_is_refused():
    signer = Signer()
    token = signer.issue("ana", "analyst")
    signer.revoke(signer.read(token))
    assert signer.read(token) is None


def test_csrf_comparison_needs_the_exact_token():
    assert same_token("abc", "abc")
    assert not same_token("", "abc") and not same_token(None, "abc") and not same_token("abd", "abc")


def test_rate_limiter_waits_out_the_window():
    r = RateLimiter(limit=3, window=60)
    for t in (0, 1, 2):
        r.fail("ana", now=t)
    assert r.retry_after("ana", now=3) == 57
    assert r.retry_after("ana", now=61) == 0          # the first failure left the window
    assert r.retry_after("bob", now=3) == 0


def test_accounts_are_stored_hashed_in_the_encrypted_store(study):
    accounts.add_user(study, "ana", "analyst", "correct horse battery")
    assert [(u.name, u.role) for u in accounts.list_users(study)] == [("ana", "analyst")]
    with study.open_store() as store:
        digest = store.con.execute("SELECT hash FROM dashboard_users").fetchone()[0]
        notes = [r[0] for r in store.con.execute("SELECT note FROM audit_log").fetchall()]
    assert digest.startswith("$argon2id$") and "correct horse" not in digest
    assert "user=ana role=analyst by=cli" in notes
    assert accounts.verify(study, "ana", "correct horse battery").role == "analyst"
    assert accounts.verify(study, "ana", "wrong horse battery") is None
    assert accounts.verify(study, "nobody", "correct horse battery") is None


@pytest.mark.parametrize("name,role,password,code", [
    ("Ana", "analyst", "long enough password", "DSH-010"),
    ("ana", "analyst", "short", "DSH-011"),
    ("ana", "superuser", "long enough password", "DSH-012"),
])
def test_bad_accounts_are_refused_with_a_code(study, name, role, password, code):
    with pytest.raises(DhkitError) as e:
        accounts.add_user(study, name, role, password)
    assert e.value.code == code


def test_a_duplicate_or_missing_user_is_refused(study):
    accounts.add_user(study, "ana", "admin", "correct horse battery")
    with pytest.raises(DhkitError) as e:
        accounts.add_user(study, "ana", "analyst", "correct horse battery")
    assert e.value.code == "DSH-013"
    with pytest.raises(DhkitError) as e:
        accounts.remove_user(study, "bob")
    assert e.value.code == "DSH-014"


def test_users_commands_add_list_and_remove(capsys, study):
    code, _, err = run(capsys, "users", "add", str(study.dir), "rita", "--role", "restricted",
                       "--password-stdin", stdin="a long enough passphrase\n")
    assert code == 0 and "added rita (restricted)" in err
    code, out, _ = run(capsys, "users", "list", str(study.dir), "--json")
    assert code == 0 and [u["name"] for u in json.loads(out)] == ["rita"]
    assert "argon2" not in out
    code, _, err = run(capsys, "users", "remove", str(study.dir), "rita")
    assert code == 0 and "removed rita" in err
    code, _, err = run(capsys, "users", "add", str(study.dir), "x", "--role", "analyst",
                       "--password-stdin", stdin="long enough passphrase\n")
    assert code == 2 and "DSH-010" in err and "Traceback" not in err


def test_dashboard_build_with_an_unknown_language_exits_2(capsys, study):
    code, _, err = run(capsys, "dashboard", "build", str(study.dir), "--lang", "fr")
    assert code == 2 and "[DSH-001]" in err


def test_serve_help_says_it_binds_to_localhost(capsys):
    code, out, _ = run(capsys, "serve", "--help")
    assert code == 0 and "127.0.0.1" in out and "localhost" in out


def test_loopback_addresses_are_recognised():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
