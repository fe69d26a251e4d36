"""Sample size for a proportion: formula steps, the Colombia-style plan, bad input."""

import json

import pytest
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.errors import DhkitError
from dhkit.sampling.size import sample_size


def test_srs_size_for_five_points_at_95_percent():
    assert sample_size(0.5, moe=0.05).n_srs == pytest.approx(384.1459, rel=1e-6)


def test_colombia_style_plan_gives_999_children():
    r = sample_size(0.5, moe=0.05, deff=2.6, response=0.44, eligibility=0.25, take=25)
    assert (r.completed, r.households, r.psus) == (999, 9082, 364)
    assert r.effective_n == pytest.approx(999 / 2.6)


def test_icc_and_take_give_the_design_effect():
    r = sample_size(0.5, moe=0.05, icc=0.1, take=20, response=0.5, eligibility=0.5)
    assert r.deff == pytest.approx(1 + (20 * 0.25 - 1) * 0.1)


def test_relative_precision_and_domains_multiply():
    one = sample_size(0.2, relative=0.25, deff=1.5)
    four = sample_size(0.2, relative=0.25, deff=1.5, domains=4)
    assert one.margin_of_error == pytest.approx(0.05)
    assert four.completed == pytest.approx(4 * one.n_srs * 1.5, abs=1)


def test_finite_population_correction_reduces_the_size():
    assert sample_size(0.5, moe=0.05, population=1000).n_srs == pytest.approx(384.1459 / 1.3841459, rel=1e-5)


def test_bad_rates_are_refused_with_the_setting_named():
    with pytest.raises(DhkitError) as e:
        sample_size(0.5, moe=0.05, response=1.4)
    assert e.value.code == "SAM-001" and "response" in e.value.message


def test_cli_json():
    res = CliRunner().invoke(app, ["sample", "size", "--moe", "0.05", "--deff", "2.6",
                                   "--response", "0.44", "--eligibility", "0.25", "--take",
                                   "25", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["completed"] == 999
