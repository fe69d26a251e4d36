"""`dhkit regress` writes the tidy coefficient table of a design-based GLM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from dhkit.cli import app

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
NH = str(FIX / "core" / "nhanes.csv")
GLM = pd.read_csv(FIX / "regression" / "glm.csv")


def test_regress_writes_r_svyglm_coefficients(tmp_path):
    out = tmp_path / "m.csv"
    r = CliRunner().invoke(app, ["regress", NH, "--weights", "WTMEC2YR", "--strata", "SDMVSTRA",
                                 "--psu", "SDMVPSU", "--nest", "--formula",
                                 "HI_CHOL ~ factor(race) + agecat + RIAGENDR",
                                 "--family", "binomial", "--out", str(out)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out)
    assert list(t.columns) == ["term", "estimate", "se", "ci_low", "ci_high", "t", "p_value", "df"]
    ref = GLM[GLM.case == "nhanes_logit"]
    np.testing.assert_allclose(t.estimate, ref.estimate, rtol=1e-8)
    np.testing.assert_allclose(t.se, ref.se, rtol=1e-8)


def test_regress_exp_gives_prevalence_ratios(tmp_path):
    out = tmp_path / "pr.csv"
    r = CliRunner().invoke(app, ["regress", NH, "-w", "WTMEC2YR", "--strata", "SDMVSTRA",
                                 "--psu", "SDMVPSU", "--nest", "-f",
                                 "HI_CHOL ~ factor(race) + agecat + RIAGENDR",
                                 "--family", "poisson", "--exp", "--out", str(out)])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out)
    ref = GLM[GLM.case == "nhanes_pois"]
    np.testing.assert_allclose(t.estimate, np.exp(ref.estimate), rtol=1e-8)
    np.testing.assert_allclose(t.ci_low, np.exp(ref.ci_low), rtol=1e-8)
    assert (t.scale == "ratio").all()


def test_regress_unknown_family_is_a_usage_error():
    r = CliRunner().invoke(app, ["regress", NH, "-w", "WTMEC2YR", "-f", "HI_CHOL ~ race",
                                 "--family", "gamma"])
    assert getattr(r.exception, "code", None) == "EST-029"
