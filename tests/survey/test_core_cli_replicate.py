"""`dhkit estimate --repweights`: replicate-weight designs from the command line give R's
`svrepdesign` numbers (fixture: R survey 4.1.1 on data(scd) with BRR weights)."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dhkit.cli import app

FX = Path(__file__).parents[1] / "reference" / "fixtures" / "extras"


def test_brr_mean_from_the_cli_equals_r(tmp_path):
    data = pd.read_csv(FX / "rep_scd_brr.csv")
    data["w"] = 1.0
    path = tmp_path / "scd.csv"
    data.to_csv(path, index=False)
    res = CliRunner().invoke(app, ["estimate", str(path), "--weights", "w", "--repweights",
                                   "^rw[0-9]+$", "--type", "BRR", "--not-combined",
                                   "--mean", "alive", "--json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)[0]
    ref = pd.read_csv(FX / "replicate_estimates.csv")
    want = ref[(ref.case == "scd_brr") & (ref.fn == "mean") & (ref["var"] == "alive")].iloc[0]
    assert row["estimate"] == pytest.approx(want.estimate, rel=1e-10)
    assert row["se"] == pytest.approx(want.se, rel=1e-8)


def test_repweights_with_strata_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"w": [1.0, 1.0], "rw1": [2.0, 0.0], "y": [1, 0], "s": [1, 1]}).to_csv(path, index=False)
    res = CliRunner().invoke(app, ["estimate", str(path), "--weights", "w", "--repweights", "rw1",
                                   "--strata", "s", "--mean", "y"])
    assert res.exit_code != 0
    assert "EST-024" in str(res.exception)


def test_replicate_design_needs_no_weight_column_as_r(tmp_path):
    # R: svrepdesign(data=scd, type="BRR", repweights=..., combined.weights=FALSE) with no
    # weights assumes equal probability; the CLI does the same instead of asking for --weights
    data = pd.read_csv(FX / "rep_scd_brr.csv").drop(columns="pweight")
    path = tmp_path / "scd.csv"
    data.to_csv(path, index=False)
    res = CliRunner().invoke(app, ["estimate", str(path), "--repweights", "^rw[0-9]+$",
                                   "--type", "BRR", "--not-combined", "--mean", "alive", "--json"])
    assert res.exit_code == 0, res.output
    ref = pd.read_csv(FX / "replicate_estimates.csv")
    want = ref[(ref.case == "scd_brr") & (ref.fn == "mean") & (ref["var"] == "alive")].iloc[0]
    assert json.loads(res.stdout)[0]["se"] == pytest.approx(want.se, rel=1e-8)


def test_warnings_are_one_note_line_not_a_python_warning(tmp_path):
    data = pd.read_csv(FX / "rep_scd_brr.csv").drop(columns="pweight")
    path = tmp_path / "scd.csv"
    data.to_csv(path, index=False)
    res = CliRunner().invoke(app, ["estimate", str(path), "--repweights", "^rw[0-9]+$",
                                   "--type", "BRR", "--not-combined", "--mean", "alive", "--json"])
    assert res.exit_code == 0, res.output
    assert "note: no sampling weights given: equal weights assumed (as R)" in res.stderr
    assert "UserWarning" not in res.stderr
