"""The encrypted study store: keys, refusal, atomicity, no plaintext on disk."""

import pytest

from dhkit.errors import SafetyError
from dhkit.workspace.store import DEMO_KEY, Store, resolve_key

KEY = "test-key-0123456789abcdef"


def test_store_holds_no_plaintext_of_what_it_stores(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path, KEY) as s:
        s.con.execute("CREATE TABLE t AS SELECT 'UNIQUE-MARKER-7731' || i AS v FROM range(500) r(i)")
    raw = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"UNIQUE-MARKER-7731" not in raw
    with Store.open(path, KEY) as s:
        assert s.con.execute("SELECT count(*) FROM t").fetchone()[0] == 500


def test_wrong_key_is_refused_with_exit_code_3(tmp_path):
    path = tmp_path / "s.duckdb"
    Store.open(path, KEY).close()
    with pytest.raises(SafetyError) as exc:
        Store.open(path, "another-key-000000")
    assert exc.value.code == "WS-KEY-002"
    assert exc.value.exit_code == 3


def test_failed_transaction_changes_nothing(tmp_path):
    with Store.open(tmp_path / "s.duckdb", KEY) as s:
        s.con.execute("CREATE TABLE t (x INT)")
        with pytest.raises(RuntimeError):
            with s.transaction() as con:
                con.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("import failed half-way")
        assert s.con.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_real_study_without_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    with pytest.raises(SafetyError) as exc:
        resolve_key(tmp_path, demo=False)
    assert exc.value.code == "WS-KEY-001"


def test_demo_study_uses_the_public_demo_key(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    assert resolve_key(tmp_path, demo=True) == DEMO_KEY


def test_key_file_inside_the_study_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    kf = tmp_path / "key.txt"
    kf.write_text("secret-key-123456")
    with pytest.raises(SafetyError) as exc:
        resolve_key(tmp_path, key_file=kf)
    assert exc.value.code == "WS-KEY-003"
