"""`dhkit weights calibrate --json` keeps stdout parseable JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dhkit.cli import app

API = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core" / "apiclus1.csv"


def _margins(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("variable,level,total\nstype,E,4421\nstype,H,755\nstype,M,1018\n")
    return m


def test_json_without_out_is_refused(tmp_path):
    r = CliRunner().invoke(app, ["weights", "calibrate", str(API), "-w", "pw", "-m", str(_margins(tmp_path)),
                                 "--method", "poststratify", "--json"])
    assert getattr(r.exception, "code", None) == "WGT-017"


def test_json_with_out_is_only_json(tmp_path):
    r = CliRunner().invoke(app, ["weights", "calibrate", str(API), "-w", "pw", "-m", str(_margins(tmp_path)),
                                 "--method", "poststratify", "--json", "--out", str(tmp_path / "c.csv")])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["method"] == "poststratify"
