"""kill -9 at every step of backup, restore and key rotation: the study opens with one of
the two keys and every row is there (DHKIT_CRASH_AT kills the process at a named step)."""

import os
import signal
import subprocess
import sys

import pytest

from recovery_support import KEY, NEW_KEY, counts

from dhkit.errors import SafetyError

ROWS = {"main": 1000, "roster": 2500}


def dhkit(*args, crash=None, **env):
    e = {**os.environ, "DHKIT_KEY": KEY, **env}
    if crash:
        e["DHKIT_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-m", "dhkit", *map(str, args)], env=e,
                          capture_output=True, text=True)


def opens_with_one_key(study):
    """The row counts, with whichever of the two keys opens the store (exactly one must)."""
    opened = []
    for key in (KEY, NEW_KEY):
        try:
            opened.append((key, counts(study, key)))
        except SafetyError:
            pass
    assert len(opened) == 1, f"opened with {len(opened)} keys"
    return opened[0]


@pytest.mark.parametrize("point", ["rotate-copied", "rotate-before-rename", "rotate-renamed"])
def test_kill_during_key_rotation_loses_nothing(keyed_study, point):
    r = dhkit("key", "rotate", keyed_study.dir, crash=point, DHKIT_NEW_KEY=NEW_KEY)
    assert r.returncode == -signal.SIGKILL
    key, rows = opens_with_one_key(keyed_study)
    assert rows == ROWS
    assert key == (NEW_KEY if point == "rotate-renamed" else KEY)
    # and running it again finishes the job
    if key == KEY:
        assert dhkit("key", "rotate", keyed_study.dir, DHKIT_NEW_KEY=NEW_KEY).returncode == 0
        assert counts(keyed_study, NEW_KEY) == ROWS


@pytest.mark.parametrize("point", ["backup-copied", "backup-before-rename"])
def test_kill_during_backup_leaves_the_store_whole_and_no_backup(keyed_study, tmp_path, point):
    out = tmp_path / "b.dhkbackup"
    r = dhkit("backup", keyed_study.dir, out, crash=point)
    assert r.returncode == -signal.SIGKILL
    assert not out.exists()
    assert opens_with_one_key(keyed_study) == (KEY, ROWS)


@pytest.mark.parametrize("point", ["restore-copied", "restore-before-rename", "restore-renamed"])
def test_kill_during_restore_leaves_a_whole_store(keyed_study, tmp_path, point):
    out = tmp_path / "b.dhkbackup"
    assert dhkit("backup", keyed_study.dir, out).returncode == 0
    with keyed_study.open_store() as s:        # a later change the restore will undo
        s.con.execute("DELETE FROM roster WHERE k >= 2000")
    r = dhkit("restore", out, keyed_study.dir, crash=point)
    assert r.returncode == -signal.SIGKILL
    key, rows = opens_with_one_key(keyed_study)
    assert key == KEY
    assert rows == (ROWS if point == "restore-renamed" else {"main": 1000, "roster": 2000})
