"""`dhkit weights calibrate` on a user's file (no study folder)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from dhkit.cli import app, main

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "weighting"
runner = CliRunner()


def test_calibrate_writes_weight_cal_equal_to_r(tmp_path):
    out = tmp_path / "cal.csv"
    result = runner.invoke(app, ["weights", "calibrate", str(FIX / "api_clus1.csv"), "--weights",
                                 "pw", "--margins", str(FIX / "margins_logit_clus1.csv"),
                                 "--method", "logit", "--bounds", "0.5,2.2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    ref = pd.read_csv(FIX / "weights_logit_clus1.csv")["weight"]
    np.testing.assert_allclose(got["weight_cal"], ref, rtol=1e-8)
    assert list(got.columns[:-1]) == list(pd.read_csv(FIX / "api_clus1.csv").columns)


def test_calibrate_json_reports_achieved_margins(tmp_path):
    result = runner.invoke(app, ["weights", "calibrate", str(FIX / "api_clus1.csv"), "-w", "pw",
                                 "-m", str(FIX / "margins_rake_clus1.csv"), "--out",
                                 str(tmp_path / "o.parquet"), "--json"])
    payload = json.loads(result.stdout)
    assert payload["converged"] is True
    assert max(abs(r["diff"]) for r in payload["margins"]) < 1.0


def test_calibrate_with_trim_bounds_the_weights(tmp_path):
    out = tmp_path / "cal.csv"
    result = runner.invoke(app, ["weights", "calibrate", str(FIX / "api_strat.csv"), "-w", "pw",
                                 "-m", str(FIX / "margins_trim_strat.csv"), "--method", "linear",
                                 "--trim", "15,40", "--out", str(out)])
    assert result.exit_code == 0
    ref = pd.read_csv(FIX / "weights_trim_strat.csv")["weight"]
    np.testing.assert_allclose(pd.read_csv(out)["weight_cal"], ref, rtol=1e-8)


def test_disagreeing_margins_exit_2_with_one_line(tmp_path, capsys):
    m = tmp_path / "m.csv"
    m.write_text("variable,level,total\nstype,E,10\nstype,H,10\nstype,M,10\n"
                 "sch.wide,No,5\nsch.wide,Yes,5\n")
    try:
        main(["weights", "calibrate", str(FIX / "api_clus1.csv"), "-w", "pw", "-m", str(m)])
    except SystemExit as e:
        assert e.code == 2
    err = capsys.readouterr().err
    assert "[WGT-006]" in err and "sch.wide" in err
