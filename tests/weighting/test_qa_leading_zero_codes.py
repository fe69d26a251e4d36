"""Codes with leading zeros (DANE department "05") keep them through `dhkit weights calibrate`."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.tabular import read_table


def test_poststratify_on_zero_padded_codes_matches_margins(tmp_path):
    (tmp_path / "s.csv").write_text("dept,w,y\n05,10,1\n05,10,0\n08,20,1\n11,30,0\n11,30,1\n")
    (tmp_path / "m.csv").write_text("variable,level,total\ndept,05,100\ndept,08,50\ndept,11,150\n")
    out = tmp_path / "cal.csv"
    r = CliRunner().invoke(app, ["weights", "calibrate", str(tmp_path / "s.csv"), "-w", "w", "-m",
                                 str(tmp_path / "m.csv"), "--method", "poststratify", "-o", str(out)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out, dtype={"dept": str})
    assert t.dept.tolist() == ["05", "05", "08", "11", "11"]
    assert t.weight_cal.tolist() == [50.0, 50.0, 50.0, 75.0, 75.0]


def test_numbers_of_varying_width_stay_numbers(tmp_path):
    (tmp_path / "a.csv").write_text("age,n\n9,1\n010,2\n11,3\n")
    assert read_table(tmp_path / "a.csv").age.tolist() == [9, 10, 11]
