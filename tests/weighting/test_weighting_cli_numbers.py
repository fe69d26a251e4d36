"""The weighting commands' tables are read by people: totals with thousands separators and
no exponent, weights with one decimal, factors and design effects with three."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.weighting.cli import human_number

runner = CliRunner()


@pytest.mark.parametrize("value, shown", [
    (1033670.4, "1,033,670"),      # a population total, as `weights build` printed 1.03367e+06
    (4100000.0, "4,100,000"),
    (999.0, "999"),                # a count held as a float
    (1441669.3, "1,441,669"),      # a sum of weights
    (1736.61, "1,736.6"),          # a weight: one decimal, as the weights under 1,000
    (773.854, "773.9"),            # a weight under 1,000
    (1.20672, "1.207"),            # an adjustment factor
    (0.219752, "0.220"),           # a coefficient of variation
    (-0.0256243, "-0.026"),        # achieved minus target
    (-2.83285e-05, "0.000"),       # a difference that rounds to nothing has no sign
    (float("nan"), "–"),
    ("centro_oriente", "centro_oriente"),
])
def test_numbers_are_written_for_people(value, shown):
    assert human_number(value) == shown


def _calibrate_millions(tmp_path):
    """`weights calibrate` of eight children to margins in the millions (a wide terminal)."""
    data = tmp_path / "children.csv"
    pd.DataFrame({"x": ["a"] * 4 + ["b"] * 4, "w": [250_000.0] * 8}).to_csv(data, index=False)
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,level,total\nx,a,1033670\nx,b,3066330\n")
    result = runner.invoke(app, ["weights", "calibrate", str(data), "-w", "w", "-m",
                                 str(margins), "--method", "poststratify",
                                 "--out", str(tmp_path / "out.csv")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def test_calibrate_prints_large_totals_with_separators_and_no_exponent(tmp_path):
    result = _calibrate_millions(tmp_path)
    assert "1,033,670" in result.stdout and "3,066,330" in result.stdout
    assert "e+0" not in result.stdout


def test_a_column_keeps_one_number_of_decimals_and_a_readable_heading():
    from dhkit.weighting.cli import column_numbers, header

    # weights of a nonresponse class: 235,306.6 beside 63,462.7 (was 235,307 and 63,462.7)
    assert column_numbers([235306.6, 63462.71, 15283.5]) == ["235,306.6", "63,462.7",
                                                            "15,283.5"]
    # achieved minus target: an exact 0 reads as 0.000 beside -0.026 (was "0")
    assert column_numbers([-0.0256, 0.0, 0.14]) == ["-0.026", "0.000", "0.140"]
    assert [header(c) for c in ("weight_eligible", "factor_uncapped", "diff", "level")] == [
        "Weights, eligible", "Factor before the cap", "After − target", "Level"]


def test_calibrate_names_its_columns_for_a_reader(tmp_path):
    result = _calibrate_millions(tmp_path)
    assert "After − target" in result.stdout and "Variable" in result.stdout
    assert "diff" not in result.stdout
