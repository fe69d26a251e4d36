"""`dhkit estimate` on a plain file writes the tidy table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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
