"""The legal stage's commands: results on stdout, exit codes 0 / 1 / 2 / 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dhkit.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def study(tmp_path):
    d = tmp_path / "study"
    d.mkdir()
    (d / "study.toml").write_text('[study]\nname = "cli"\ncountry = "CO"\ndemo = true\n',
                                  encoding="utf-8")
    return d


def test_checklist_json(capsys):
    code, out, _ = run(capsys, "legal", "checklist", "--json")
    res = json.loads(out)
    assert code == 0 and res["items"] >= 140 and res["areas"]["criminalization"] == 43


def test_init_then_assess_valid(capsys, study):
    assert run(capsys, "legal", "init", str(study), "--colombia")[0] == 0
    code, out, _ = run(capsys, "legal", "assess", str(study), "--json")
    res = json.loads(out)
    assert code == 0 and res["assessments"][0]["ok"] and res["assessments"][0]["country"] == "CO"


def test_assess_with_problems_exits_1_and_writes_csv(capsys, study, tmp_path):
    run(capsys, "legal", "init", str(study), "--colombia")
    path = study / "legal" / "assessment-CO.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "- item: CRM-06\n  answer: not_met", "- item: CRM-06\n  answer: nope", 1), encoding="utf-8")
    code, _, err = run(capsys, "legal", "assess", str(study), "--report", str(tmp_path / "p.csv"))
    assert code == 1 and "LEG-011" in err and "LEG-011" in (tmp_path / "p.csv").read_text()


def test_assess_without_assessment_exits_2(capsys, study):
    code, _, err = run(capsys, "legal", "assess", str(study))
    assert code == 2 and "LEG-061" in err and "dhkit legal init" in err


def test_restricted_report_without_key_is_refused_with_exit_3(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    d = tmp_path / "s2"
    d.mkdir()
    (d / "study.toml").write_text('[study]\nname = "k"\ncountry = "CO"\ndemo = false\n',
                                  encoding="utf-8")
    (d / "legal").mkdir()
    (d / "legal" / "le-capacity-CO.yaml").write_text("country: CO\nanswers: []\n")
    code, _, err = run(capsys, "capacity", "report", str(d), "--restricted", "--lang", "en",
                       "--formats", "html", "--out", str(tmp_path / "secure"))
    assert code == 3 and "WS-KEY-001" in err


def test_gap_command_writes_html_in_spanish(capsys, study):
    run(capsys, "legal", "init", str(study), "--colombia")
    code, out, _ = run(capsys, "legal", "gap", str(study), "--lang", "es", "--formats",
                       "html,xlsx")
    paths = out.split()
    assert code == 0 and [p.rsplit("/", 1)[1] for p in paths] == ["gap-CO-es.html",
                                                                   "gap-CO-es.xlsx"]
    assert "Recomendaciones" in Path(paths[0]).read_text(encoding="utf-8")


def test_diff_command(capsys, study, tmp_path):
    run(capsys, "legal", "init", str(study), "--colombia")
    new = study / "legal" / "assessment-CO.yaml"
    old = tmp_path / "old.yaml"
    old.write_text(new.read_text(encoding="utf-8"), encoding="utf-8")
    new.write_text(new.read_text(encoding="utf-8").replace(
        "- item: PSD-07\n  answer: unknown", "- item: PSD-07\n  answer: not_applicable", 1),
        encoding="utf-8")
    code, out, _ = run(capsys, "legal", "diff", str(old), str(new), "--json")
    assert code == 0 and json.loads(out) == [
        {"item": "PSD-07", "field": "answer", "old": "unknown", "new": "not_applicable"}]
