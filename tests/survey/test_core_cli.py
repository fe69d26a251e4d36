"""`dhkit estimate` on a plain file writes the tidy table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dhkit.cli import app

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"


def test_estimate_writes_tidy_csv(tmp_path):
    out = tmp_path / "e.csv"
    r = CliRunner().invoke(app, ["estimate", str(FIX / "apiclus1.csv"), "--weights", "pw", "--psu", "dnum",
                                 "--fpc", "fpc", "--mean", "api00,stype", "--by", "stype", "--ci", "mean",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out, keep_default_na=False)
    assert list(t.columns[:14]) == ["indicator", "base", "domain", "level", "estimate", "se", "ci_low",
                                    "ci_high", "deff", "n_unweighted", "n_weighted", "flag", "df", "cv"]
    over = t[(t.indicator == "api00") & (t.domain == "")].iloc[0]
    assert abs(over.estimate - 644.169398907104) < 1e-9 and abs(over.se - 23.542240693781) < 1e-9


def test_estimate_parquet_and_lonely_option(tmp_path):
    out = tmp_path / "e.parquet"
    args = ["estimate", str(FIX / "synth.csv"), "-w", "w", "--strata", "region", "--psu", "psu",
            "--mean", "y1", "--total", "y2", "--by", "sex:area", "--out", str(out)]
    r = CliRunner().invoke(app, args)
    assert getattr(r.exception, "code", None) == "EST-012"  # main() turns it into exit 2
    r = CliRunner().invoke(app, args + ["--lonely-psu", "certainty"])
    assert r.exit_code == 0, r.output
    t = pd.read_parquet(out)
    assert set(t.level) == {"", "1:rural", "1:urban", "2:rural", "2:urban"}


def test_estimate_reads_stata_and_prints_json(tmp_path):
    import json

    import pyreadstat

    df = pd.read_csv(FIX / "apistrat.csv")[["stype", "pw", "fpc", "api00", "sch.wide"]]
    df = df.rename(columns={"sch.wide": "sch_wide"})
    path = tmp_path / "strat.dta"
    pyreadstat.write_dta(df, str(path))
    r = CliRunner().invoke(app, ["estimate", str(path), "--weights", "pw", "--strata", "stype",
                                 "--fpc", "fpc", "--mean", "api00", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert abs(rows[0]["estimate"] - 662.287363159321) < 1e-9  # R svymean(~api00, dstrat)


def test_json_keeps_full_precision(tmp_path):
    import json

    df = pd.DataFrame({"w": [1.0] * 6, "c": [1, 1, 2, 2, 3, 3],
                       "y": [1e-6, 2.000000123e-6, 3e-6, 1.5e-6, 2.5e-6, 1.234567891e-6]})
    path = tmp_path / "tiny.csv"
    df.to_csv(path, index=False)
    r = CliRunner().invoke(app, ["estimate", str(path), "-w", "w", "--psu", "c", "--mean", "y",
                                 "--json"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)[0]
    assert row["estimate"] == pytest.approx(df.y.mean(), rel=1e-14)   # not 10 decimals (0.0000018724)
    assert row["se"] > 0 and row["flag"] == "suppressed"


def test_two_stage_design_from_fpc_only_on_the_command_line(tmp_path):
    import json

    r = CliRunner().invoke(app, ["estimate", str(FIX / "apiclus2.csv"), "--psu", "dnum,snum",
                                 "--fpc", "fpc1,fpc2", "--mean", "api00", "--json"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)[0]
    assert abs(row["estimate"] - 670.811808118081) < 1e-9   # R svymean(~api00, dclus2)
    assert abs(row["se"] - 30.0990273768366) < 1e-9


def test_printed_table_keeps_every_figure_whole_on_a_narrow_terminal():
    r = CliRunner().invoke(app, ["estimate", str(FIX / "apistrat.csv"), "-w", "pw", "--strata", "stype",
                                 "--fpc", "fpc", "--mean", "sch.wide", "--total", "enroll", "--by", "stype"],
                           env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "…" not in r.stdout
    enroll = next(line for line in r.stdout.splitlines() if line.strip().startswith("enroll"))
    assert "3,687,178" in enroll and "3,461,095–3,913,260" in enroll   # R: 3687177.5, whole
    assert "sch.wide[Yes]" in r.stdout and "0.129–0.225" in r.stdout
