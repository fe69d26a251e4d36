"""Backup, verify, restore, key rotation and the audit hash chain."""

import pytest

from dhkit.errors import DhkitError, SafetyError, ValidationError
from dhkit.workspace.audit import verify_audit
from dhkit.workspace.recovery import backup, restore, rotate_key, verify_backup
from dhkit.workspace.store import Store

from recovery_support import KEY, NEW_KEY, counts

ROWS = {"main": 1000, "roster": 2500}


def test_rotation_keeps_every_row_and_only_the_new_key_opens(keyed_study):
    result = rotate_key(keyed_study.store_path, KEY, NEW_KEY)
    assert result.tables["main"] == 1000 and result.tables["roster"] == 2500
    assert counts(keyed_study, NEW_KEY) == ROWS
    with pytest.raises(SafetyError) as exc:
        Store.open(keyed_study.store_path, KEY)
    assert exc.value.code == "WS-KEY-002"


def test_rotation_keeps_sequences_going(keyed_study):
    rotate_key(keyed_study.store_path, KEY, NEW_KEY)
    with Store.open(keyed_study.store_path, NEW_KEY) as s:
        s.con.execute("INSERT INTO main (v) VALUES ('after')")
        assert s.con.execute("SELECT id FROM main WHERE v = 'after'").fetchone()[0] == 1001


def test_rotation_is_recorded_in_an_intact_audit_chain(keyed_study):
    rotate_key(keyed_study.store_path, KEY, NEW_KEY)
    with Store.open(keyed_study.store_path, NEW_KEY) as s:
        check = verify_audit(s)
        last = s.con.execute("SELECT command FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert check.ok and check.entries == 3 and last[0] == "key rotate"


def test_rotation_to_the_same_key_is_refused(keyed_study):
    with pytest.raises(DhkitError) as exc:
        rotate_key(keyed_study.store_path, KEY, KEY)
    assert exc.value.code == "WS-030"


def test_backup_verifies_and_restores_every_row_into_a_new_folder(keyed_study, tmp_path):
    check = backup(keyed_study, tmp_path / "bk" / "b.dhkbackup")
    assert check.ok and check.tables["main"] == 1000 and "study.toml" in check.files
    result = restore(tmp_path / "bk" / "b.dhkbackup", tmp_path / "restored", KEY)
    assert result.tables["roster"] == 2500
    from dhkit.workspace.config import load_study

    again = load_study(tmp_path / "restored")
    assert counts(again, KEY) == ROWS
    with again.open_store() as s:
        assert verify_audit(s).ok
        assert not s.has_table("files")      # the backup's own schema is not restored


def test_restore_keeps_the_replaced_store_beside_it(keyed_study, tmp_path):
    backup(keyed_study, tmp_path / "b.dhkbackup")
    with keyed_study.open_store() as s:
        s.con.execute("DELETE FROM main")
    restore(tmp_path / "b.dhkbackup", keyed_study.dir, KEY)
    assert counts(keyed_study, KEY) == ROWS
    kept = list(keyed_study.store_path.parent.glob("study.duckdb.before-restore-*"))
    assert len(kept) == 1


def test_a_changed_backup_byte_fails_verification(keyed_study, tmp_path):
    out = tmp_path / "b.dhkbackup"
    backup(keyed_study, out)
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    check = verify_backup(out, KEY)
    assert not check.ok and "checksum" in check.problems[0]
    with pytest.raises(ValidationError) as exc:
        restore(out, tmp_path / "r", KEY)
    assert exc.value.code == "WS-036"


def test_backup_inside_the_study_folder_is_refused(keyed_study):
    with pytest.raises(SafetyError) as exc:
        backup(keyed_study, keyed_study.dir / "b.dhkbackup")
    assert exc.value.code == "WS-033"


def test_backup_with_the_wrong_key_does_not_open(keyed_study, tmp_path):
    backup(keyed_study, tmp_path / "b.dhkbackup")
    with pytest.raises(SafetyError):
        verify_backup(tmp_path / "b.dhkbackup", NEW_KEY)


def test_an_edited_audit_entry_is_the_first_broken_link(keyed_study):
    with keyed_study.open_store() as s:
        s.con.execute("UPDATE audit_log SET rows_accepted = 999 WHERE seq = 1")
        check = verify_audit(s)
    assert check.broken_at == 1 and "edited" in check.reason


def test_a_deleted_audit_entry_breaks_the_chain_after_it(keyed_study):
    with keyed_study.open_store() as s:
        s.audit("weights build")
        s.con.execute("DELETE FROM audit_log WHERE seq = 2")
        check = verify_audit(s)
    assert check.broken_at == 3


def test_an_intact_chain_reports_its_head(keyed_study):
    with keyed_study.open_store() as s:
        check = verify_audit(s)
    assert check.ok and check.entries == 2 and len(check.head) == 64
