"""No traceback, ever: every failure is one coded line with its exit code; an unforeseen one
is INT-001 with exit 4 (the traceback only with --debug)."""

import errno
import os
import subprocess
import sys

import duckdb
import pytest

from dhkit.cli import main
from dhkit.errors import EXIT_INTERNAL, classify


def run_main(monkeypatch, capsys, exc, *args):
    import dhkit.cli as cli

    def boom(*a, **k):
        raise exc

    monkeypatch.setattr(cli, "app", boom)
    with pytest.raises(SystemExit) as code:
        main(list(args) or ["anything"])
    return code.value.code, capsys.readouterr().err


@pytest.mark.parametrize("exc,code,exit_code", [
    (OSError(errno.ENOSPC, "No space left on device", "out.csv"), "IO-002", 2),
    (PermissionError(errno.EACCES, "Permission denied", "/root/x"), "IO-001", 2),
    (MemoryError(), "MEM-001", 2),
    (duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block"), "MEM-001", 2),
    (duckdb.IOException('IO Error: Could not read enough bytes from file "s.duckdb"'),
     "WS-020", 2),
    (duckdb.InvalidInputException("Computed AES tag differs from read AES tag"), "WS-020", 2),
    (duckdb.IOException("IO Error: Could not write file: No space left on device"),
     "IO-002", 2),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "IO-003", 2),
    (ValueError("something unforeseen"), "INT-001", EXIT_INTERNAL),
    (duckdb.BinderException("Binder Error: column x not found"), "INT-001", EXIT_INTERNAL),
])
def test_each_failure_is_one_coded_line(monkeypatch, capsys, exc, code, exit_code):
    got, err = run_main(monkeypatch, capsys, exc)
    assert got == exit_code
    assert err.startswith(f"dhkit: error [{code}]")
    assert "Traceback" not in err and err.count("\n") == 1


def test_internal_errors_exit_4_not_1():
    assert EXIT_INTERNAL == 4 and classify(KeyError("x")).exit_code == 4


def test_debug_shows_the_traceback(monkeypatch, capsys):
    import dhkit.cli as cli

    monkeypatch.setattr(cli, "app", lambda *a, **k: (_ for _ in ()).throw(ValueError("x")))
    with pytest.raises(ValueError):
        main(["--debug", "status", "x"])


def test_damaged_store_names_itself_and_dhkit_restore(tmp_path):
    err = classify(duckdb.IOException("Could not read enough bytes"), store=tmp_path / "s.duckdb")
    assert "s.duckdb" in err.message and "dhkit restore" in err.message


def _keyed(tmp_path, rows=20000):
    from dhkit.workspace.config import init_study, load_study
    from dhkit.workspace.store import Store

    init_study(tmp_path / "study", name="t")
    study = load_study(tmp_path / "study")
    study.store_path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(study.store_path, "k" * 20) as s:
        s.con.execute(f"CREATE TABLE main AS SELECT i, md5(i::VARCHAR) AS v FROM range({rows}) r(i)")
    return study


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_store_is_a_coded_error_at_the_cli(tmp_path, damage):
    study = _keyed(tmp_path)
    p = study.store_path
    data = bytearray(p.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        for off in range(300_000, len(data), 400_000):
            data[off] ^= 0xFF
        data[5000] ^= 0xFF
    else:
        data = bytearray()
    p.write_bytes(bytes(data))
    r = subprocess.run([sys.executable, "-m", "dhkit", "backup", str(study.dir),
                        str(tmp_path / "b.dhkbackup")], capture_output=True, text=True,
                       env={**os.environ, "DHKIT_KEY": "k" * 20})
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "[WS-011]" in r.stderr or "[WS-020]" in r.stderr
    assert "dhkit restore" in r.stderr


def test_non_utf8_source_in_a_qdpx_is_coded(tmp_path):
    import zipfile

    from dhkit.errors import DhkitError
    from dhkit.qualitative.refiqda import _read_zip

    p = tmp_path / "p.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", "<Project/>")
        z.writestr("sources/a.txt", "niña".encode("latin-1"))
    with pytest.raises(DhkitError) as exc:
        _read_zip(p)
    assert exc.value.code == "IO-004" and "sources/a.txt" in exc.value.message
