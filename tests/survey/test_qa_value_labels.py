"""`dhkit estimate` on SPSS/Stata files tabulates value-labelled codes by their labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.tabular import read_table

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core"


def _labelled_api(tmp_path, suffix):
    df = pd.read_csv(FIX / "apiclus1.csv")[["dnum", "pw", "fpc", "api00", "stype"]]
    df["stype"] = df.stype.map({"E": 1, "H": 2, "M": 3})
    path = tmp_path / f"api{suffix}"
    write = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
    write(df, str(path), variable_value_labels={"stype": {1: "Elementary", 2: "High", 3: "Middle"}})
    return path


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_labelled_codes_are_levels_with_their_labels(tmp_path, suffix):
    path = _labelled_api(tmp_path, suffix)
    out = tmp_path / "e.csv"
    r = CliRunner().invoke(app, ["estimate", str(path), "--weights", "pw", "--psu", "dnum", "--fpc", "fpc",
                                 "--mean", "stype,api00", "--by", "stype", "--out", str(out)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out, keep_default_na=False)
    share = t[(t.indicator == "stype") & (t.domain == "")].set_index("category").estimate
    assert abs(share["Middle"] - 0.136612021857923) < 1e-9  # R svymean(~stype, dclus1)
    assert set(t[t.domain == "stype"].level) == {"Elementary", "High", "Middle"}


def test_read_table_keeps_codes_unless_asked(tmp_path):
    path = _labelled_api(tmp_path, ".sav")
    assert read_table(path).stype.dtype.kind == "f"
    assert list(read_table(path, value_labels=True).stype.cat.categories) == ["Elementary", "High", "Middle"]


def test_semicolon_csv_with_decimal_commas_reads_numbers(tmp_path):
    path = tmp_path / "excel_es.csv"
    path.write_bytes("región;peso;y;código\nBogotá;1,5;1;1,5 x\nCali;2;0;2\n".encode("latin-1"))
    t = read_table(path)
    assert t.peso.tolist() == [1.5, 2.0] and t["región"].tolist() == ["Bogotá", "Cali"]
    assert t["código"].tolist() == ["1,5 x", "2"]  # not every value a number: stays text


def test_shares_of_zero_or_one_are_not_negative():
    from dhkit.survey import Design

    df = pd.read_csv(FIX / "apiclus1.csv")
    t = Design(df, weights="pw", psu="dnum", fpc="fpc").mean("stype", by="stype").table
    off = t[(t.domain == "stype") & (t.level != t.category)]
    assert (off.estimate == 0).all()  # R svyby(~stype, ~stype, dclus1, svymean): exactly 0
    assert (t.estimate.between(0, 1)).all()
