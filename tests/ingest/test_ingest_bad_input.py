"""Bad input: each problem gets its coded error, good rows go in, bad rows are quarantined,
nothing else changes; idempotent and atomic imports; release after correction."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.demo.study import generate_study
from dhkit.errors import DhkitError
from dhkit.ingest import importer as importer_mod
from dhkit.ingest.importer import import_files
from dhkit.ingest.quarantine import export_quarantine, list_quarantine, release
from dhkit.workspace.config import init_study, load_study


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_study(tmp_path_factory.mktemp("demo"), children=30,
                          formats=("kobo_csv", "sav"))


@pytest.fixture()
def kobo(demo):
    main, instance, _roster = demo.paths["kobo_csv"]
    read = lambda p: pd.read_csv(p, sep=";", dtype=str, keep_default_na=False)  # noqa: E731
    return read(main), read(instance)


def write(df, path):
    df.to_csv(path, sep=";", index=False)
    return path


def snapshot(study):
    """Everything the store holds, as comparable values."""
    if not study.store_path.exists():
        return None
    with study.open_store() as s:
        return {t: s.con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
                for t in s.tables()}


def completed_row(main):
    return main.index[main["interview_result"] == "1"][2]


def test_wrong_choice_code_is_quarantined_and_the_rest_go_in(kobo, tmp_path):
    main, _ = kobo
    i = completed_row(main)
    main.loc[i, "caregiver/cg_sex"] = "7"
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(main, tmp_path / "main.csv")])
    [p] = [p for p in result.report if p.code == "IMP-005"]
    assert (p.row, p.field, p.value) == (i + 2, "cg_sex", "7")
    assert '"7" is not a choice of list cg_sex' in p.message
    assert result.accepted["main"] == len(main) - 1 and result.quarantined["main"] == 1
    [q] = list_quarantine(study)
    assert (q.row, q.key, q.problems) == (i + 2, main.loc[i, "_uuid"], ["IMP-005 cg_sex"])


def test_missing_required_answer(kobo, tmp_path):
    main, _ = kobo
    i = completed_row(main)
    main.loc[i, "region"] = ""
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(main, tmp_path / "main.csv")])
    assert [(p.code, p.row, p.field) for p in result.report] == [("IMP-006", i + 2, "region")]
    assert result.quarantined["main"] == 1


def test_answer_where_the_question_was_not_asked(kobo, tmp_path):
    main, _ = kobo
    i = main.index[main["consent_caregiver"] == "2"][0] if (main["consent_caregiver"] == "2").any() \
        else completed_row(main)
    main.loc[i, "consent_caregiver"] = "2"
    main.loc[i, "hh_size"] = "4"
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(main, tmp_path / "main.csv")])
    assert ("IMP-007", i + 2, "hh_size") in [(p.code, p.row, p.field) for p in result.report]


def test_age_outside_12_to_17(kobo, tmp_path):
    main, _ = kobo
    i = completed_row(main)
    main.loc[i, "child/child_age"] = "19"
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(main, tmp_path / "main.csv")])
    codes = {(p.code, p.field) for p in result.report}
    assert {("IMP-011", "child_age"), ("IMP-010", "child_age")} <= codes
    assert all("19" not in p.message for p in result.report if p.code in ("IMP-010", "IMP-011"))


def test_a_row_repeated_identically_in_the_file_is_a_counted_no_op(kobo, tmp_path):
    main, _ = kobo
    dup = pd.concat([main, main.iloc[[0]]], ignore_index=True)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(dup, tmp_path / "main.csv")])
    assert result.ok and result.duplicates == {"main": 1}
    assert result.accepted["main"] == len(main) and result.quarantined["main"] == 0


def test_a_changed_copy_of_a_row_in_the_same_file_keeps_the_first_and_quarantines_it(
        kobo, tmp_path):
    main, _ = kobo
    copy = main.iloc[[0]].copy()
    copy["wealth_quintile"] = "4" if copy["wealth_quintile"].iloc[0] != "4" else "3"
    dup = pd.concat([main, copy], ignore_index=True)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(dup, tmp_path / "main.csv")])
    assert {(p.code, p.row) for p in result.report} == {("IMP-008", len(dup) + 1)}
    assert result.accepted["main"] == len(main) and result.quarantined["main"] == 1


def test_a_stored_submission_exported_again_unchanged_is_a_no_op(kobo, tmp_path):
    main, _ = kobo
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main.iloc[:5], tmp_path / "a.csv")])
    result = import_files(study, [write(main.iloc[4:8], tmp_path / "b.csv")])
    assert result.ok
    assert (result.accepted["main"], result.quarantined["main"]) == (3, 0)
    assert result.unchanged == {"main": 1}


def test_study_key_of_another_stored_submission_is_quarantined(kobo, tmp_path):
    main, _ = kobo
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main.iloc[:5], tmp_path / "a.csv")])
    again = main.iloc[4:8].copy()
    again.loc[again.index[0], "_uuid"] = "another-device-submission"
    again.loc[again.index[0], "_id"] = "99999999"     # Kobo's number of another submission
    result = import_files(study, [write(again, tmp_path / "b.csv")])
    assert {p.code for p in result.report} == {"IMP-009"}
    assert (result.accepted["main"], result.quarantined["main"]) == (3, 1)


def test_orphan_repeat_row_is_quarantined(kobo, tmp_path):
    main, inst = kobo
    orphan = inst.iloc[[0]].copy()
    orphan["_parent_index"], orphan["_submission__uuid"], orphan["hh_id"] = "99999", "nope", "X"
    inst = pd.concat([inst, orphan], ignore_index=True)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(main, tmp_path / "m.csv"),
                                  write(inst, tmp_path / "m-instance.csv")])
    assert [(p.code, p.row) for p in result.report] == [("IMP-012", len(inst) + 1)]
    assert result.accepted["instance"] == len(inst) - 1


def test_repeat_rows_of_a_quarantined_parent_wait_with_it(kobo, tmp_path):
    main, inst = kobo
    parent = inst.loc[0, "_submission__uuid"]
    i = main.index[main["_uuid"] == parent][0]
    main.loc[i, "region"] = "atlantis"
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [write(main, tmp_path / "m.csv"),
                                  write(inst, tmp_path / "m-instance.csv")])
    n_children = int((inst["_submission__uuid"] == parent).sum())
    assert result.quarantined == {"main": 1, "instance": n_children}
    assert {p.code for p in result.report} == {"IMP-005", "IMP-013"}


def test_non_utf8_csv_fails_with_its_encoding_and_changes_nothing(kobo, tmp_path):
    main, _ = kobo
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main.iloc[:3], tmp_path / "first.csv")])
    before = snapshot(study)
    bad = main.iloc[3:6].copy()
    bad["psu_id"] = "Bogotá"
    path = tmp_path / "latin1.csv"
    bad.to_csv(path, sep=";", index=False, encoding="cp1252")
    with pytest.raises(DhkitError) as exc:
        import_files(study, [path])
    assert exc.value.code == "IMP-002" and "latin1.csv" in exc.value.message
    assert snapshot(study) == before
    result = import_files(study, [path], encoding="latin-1")     # stated explicitly: decoded
    assert result.accepted["main"] == 3


def test_truncated_sav_fails_clearly_and_changes_nothing(demo, tmp_path):
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [demo.paths["kobo_csv"][0]])
    before = snapshot(study)
    data = demo.paths["sav"][0].read_bytes()
    cut = tmp_path / "cut.sav"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DhkitError) as exc:
        import_files(study, [cut])
    assert exc.value.code == "IMP-015" and "cut.sav" in exc.value.message
    assert snapshot(study) == before


def test_same_file_twice_adds_nothing_and_the_audit_log_says_so(demo, tmp_path):
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, demo.paths["kobo_csv"])
    before = snapshot(study)
    again = import_files(study, demo.paths["kobo_csv"])
    assert all(f.already_imported for f in again.files) and again.accepted == {}
    after = snapshot(study)
    assert {t: v for t, v in after.items() if t != "audit_log"} == \
        {t: v for t, v in before.items() if t != "audit_log"}
    with study.open_store() as s:        # the note by name: the column order is the store's
        notes = [r[0] for r in s.con.execute(
            "SELECT note FROM audit_log ORDER BY logged_at, seq").fetchall()]
    notes = notes[len(before["audit_log"]):]
    assert len(notes) == 3 and all(n.startswith("already imported") for n in notes)


def test_a_failure_half_way_leaves_the_store_unchanged(demo, tmp_path, monkeypatch):
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [demo.paths["kobo_csv"][0]])
    before = snapshot(study)
    calls = []
    real = importer_mod._Importer._write_stage

    def failing(self, *args, **kw):
        calls.append(1)
        if len(calls) == 2:              # after the main table was written
            raise RuntimeError("disk full (injected)")
        return real(self, *args, **kw)

    monkeypatch.setattr(importer_mod._Importer, "_write_stage", failing)
    main, inst, roster = demo.paths["kobo_csv"]
    changed = tmp_path / "main2.csv"
    changed.write_bytes(main.read_bytes() + b"\n")   # new hash, same rows
    with pytest.raises(RuntimeError):
        import_files(study, [changed, inst, roster])
    assert snapshot(study) == before


def test_release_moves_corrected_rows_in(kobo, tmp_path):
    main, _ = kobo
    i = completed_row(main)
    main.loc[i, "caregiver/cg_sex"] = "7"
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main, tmp_path / "main.csv")])
    fix = tmp_path / "fix.csv"
    assert export_quarantine(study, fix) == 1
    rows = pd.read_csv(fix, sep=";", dtype=str)
    rows.loc[0, "caregiver/cg_sex"] = "1"
    rows.to_csv(fix, sep=";", index=False)
    result = release(study, fix)
    assert result.ok and result.accepted["main"] == 1
    assert list_quarantine(study) == []
    with study.open_store() as s:
        assert s.con.execute("SELECT cg_sex FROM main WHERE _key = ?",
                             [main.loc[i, "_uuid"]]).fetchone() == (1,)
        assert s.con.execute("SELECT count(*) FROM main").fetchone()[0] == len(main)


def test_release_of_a_still_wrong_row_keeps_it_quarantined(kobo, tmp_path):
    main, _ = kobo
    main.loc[completed_row(main), "caregiver/cg_sex"] = "7"
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main, tmp_path / "main.csv")])
    fix = tmp_path / "fix.csv"
    export_quarantine(study, fix)
    result = release(study, fix)
    assert [p.code for p in result.report] == ["IMP-005"]
    assert len(list_quarantine(study)) == 1


runner = CliRunner()


def test_cli_exit_codes_1_with_problems_0_when_clean(kobo, tmp_path, demo):
    main, _ = kobo
    init_study(tmp_path / "s", demo=True)
    ok = runner.invoke(app, ["import", str(tmp_path / "s"), str(demo.paths["kobo_csv"][0])])
    assert ok.exit_code == 0, ok.output
    main.loc[completed_row(main), "region"] = "atlantis"
    main["_uuid"] = main["_uuid"] + "x"
    main["hh_id"] = main["hh_id"] + "x"
    report = tmp_path / "s" / "problems.csv"
    bad = runner.invoke(app, ["import", str(tmp_path / "s"), str(write(main, tmp_path / "b.csv")),
                              "--report", str(report)])
    assert bad.exit_code == 1
    assert pd.read_csv(report)["value"].tolist() == ["atlantis"]


def test_wrong_key_is_refused_with_exit_3_and_one_line(demo, tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("DHKIT_KEY", "the-right-key-0123456789")
    study = init_study(tmp_path / "s")
    import_files(study, [demo.paths["kobo_csv"][0]])
    env = {"DHKIT_KEY": "a-wrong-key-0123456789", "PATH": "/usr/bin:/bin"}
    p = subprocess.run([sys.executable, "-m", "dhkit", "import", str(study.dir),
                        str(demo.paths["kobo_csv"][1])], capture_output=True, text=True, env=env)
    assert p.returncode == 3
    assert p.stderr.strip().count("\n") == 0 and "[WS-KEY-002]" in p.stderr
    p = subprocess.run([sys.executable, "-m", "dhkit", "status", str(study.dir)],
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert p.returncode == 3 and "[WS-KEY-001]" in p.stderr


def test_no_imported_value_reaches_the_disk_in_plaintext(kobo, tmp_path, monkeypatch):
    monkeypatch.setenv("DHKIT_KEY", "plaintext-test-key-0123456789")
    main, inst = kobo
    main["psu_id"] = [f"PLANTED-PSU-{i:05d}" for i in range(len(main))]
    main["hh_id"] = [f"PLANTED-HH-{i:05d}" for i in range(len(main))]
    main.loc[completed_row(main), "region"] = "PLANTED-BAD-REGION"     # goes to quarantine
    inst["hh_id"] = "PLANTED-HH-X"
    src = tmp_path / "exports"
    src.mkdir()
    study = init_study(tmp_path / "s")
    result = import_files(study, [write(main, src / "m.csv"), write(inst, src / "m-instance.csv")])
    assert result.accepted["main"] > 0 and result.quarantined["main"] == 1
    raw = b"".join(p.read_bytes() for p in study.dir.rglob("*") if p.is_file())
    assert b"PLANTED" not in raw


def test_status_after_an_import(kobo, tmp_path):
    main, _ = kobo
    main.loc[completed_row(main), "region"] = "atlantis"
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main, tmp_path / "main.csv")])
    result = runner.invoke(app, ["status", str(study.dir), "--json"])
    import json

    data = json.loads(result.stdout)
    assert data["tables"] == [{"table": "main", "rows": len(main) - 1, "quarantined": 1}]
    assert data["problems_by_code"] == {"IMP-005": 1}
    assert data["imports"][0]["file"] == "main.csv" and data["weights_present"] is False
    assert "atlantis" not in result.stdout


def test_repeat_rows_are_released_after_their_parent(kobo, tmp_path):
    main, inst = kobo
    parent = inst.loc[0, "_submission__uuid"]
    i = main.index[main["_uuid"] == parent][0]
    main.loc[i, "region"] = "atlantis"
    study = init_study(tmp_path / "s", demo=True)
    import_files(study, [write(main, tmp_path / "m.csv"), write(inst, tmp_path / "m-instance.csv")])
    n_children = int((inst["_submission__uuid"] == parent).sum())
    for table, fix in (("main", {"region": "caribe"}), ("instance", {})):
        path = tmp_path / f"fix-{table}.csv"
        export_quarantine(study, path, table=table)
        rows = pd.read_csv(path, sep=";", dtype=str)
        for col, value in fix.items():
            rows[col] = value
        rows.to_csv(path, sep=";", index=False)
        result = release(study, path)
        assert result.ok, [str(p) for p in result.report]
    assert result.accepted == {"instance": n_children} and list_quarantine(study) == []
    with study.open_store() as s:
        assert s.con.execute("SELECT count(*) FROM instance WHERE _parent_key = ?",
                             [parent]).fetchone()[0] == n_children
