"""Calibration equals R `survey` (fixtures from tests/reference/r/weighting.R): the weights of
postStratify, rake, calibrate (linear / raking / logit, bounds) and trimWeights, and the SEs of
means and totals on the calibrated designs (R's calibration residuals), to 1e-8 relative."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.weighting.calibrate import calibrate_weights
from dhkit.weighting.margins import Margins
from dhkit.weighting.trim import trim_weights

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "weighting"
CASES = pd.read_csv(FIX / "cases.csv")
RESULTS = pd.read_csv(FIX / "results.csv")
RTOL = 1e-8


def _run(case):
    data = pd.read_csv(FIX / case.data)
    syn = case.data == "synthetic.csv"
    w0 = data["w0" if syn else "pw"].to_numpy(float)
    margins = Margins.from_csv(FIX / f"margins_{case.case}.csv")
    if case.method == "trim":
        cal = calibrate_weights(w0, data, margins, "linear")
        return data, cal, trim_weights(cal.weights, case.lower, case.upper).weights
    cal = calibrate_weights(w0, data, margins, case.method, bounds=(case.lower, case.upper),
                            strict=case.case != "rake_strat")  # R warns: 10 sweeps, not converged
    return data, cal, cal.weights


def _design_columns(case, data):
    if case.data == "synthetic.csv":
        return data["region"].to_numpy(), data["psu_id"].to_numpy()
    if case.data == "api_strat.csv":
        return data["stype"].to_numpy(), np.arange(len(data))
    return np.zeros(len(data)), data["dnum"].to_numpy()


def _vcov_total(x, strata, psu):
    """With-replacement linearisation variance of totals (R onestage, no fpc)."""
    df = pd.DataFrame(x)
    sums = df.groupby([strata, psu]).sum()
    v = 0.0
    for _, g in sums.groupby(level=0):
        d = g.to_numpy() - g.to_numpy().mean(axis=0)
        v = v + len(g) / (len(g) - 1) * d.T @ d
    return v


@pytest.mark.parametrize("case", list(CASES.itertuples()), ids=list(CASES["case"]))
def test_calibrated_weights_equal_r(case):
    _, _, w = _run(case)
    ref = pd.read_csv(FIX / f"weights_{case.case}.csv")["weight"].to_numpy()
    np.testing.assert_allclose(w, ref, rtol=RTOL, atol=0)


@pytest.mark.parametrize("case", list(CASES.itertuples()), ids=list(CASES["case"]))
def test_calibration_residuals_give_r_standard_errors(case):
    data, cal, w = _run(case)
    strata, psu = _design_columns(case, data)
    for row in RESULTS[RESULTS["case"] == case.case].itertuples():
        y = data[row.variable].to_numpy(float)
        if row.stat == "mean":
            est = (w * y).sum() / w.sum()
            x = (w * (y - est) / w.sum())[:, None]
        else:
            est = (w * y).sum()
            x = (w * y)[:, None]
        se = np.sqrt(_vcov_total(cal.adjust(x), strata, psu)[0, 0])
        assert est == pytest.approx(row.estimate, rel=RTOL)
        assert se == pytest.approx(row.se, rel=RTOL)


def test_rake_stops_after_r_sweeps_when_not_converged():
    case = next(CASES[CASES["case"] == "rake_strat"].itertuples())
    _, cal, _ = _run(case)
    assert (cal.iterations, cal.converged) == (10, False)


def _calibrated_design(case):
    from dhkit.survey import Design
    from dhkit.weighting.calibrate import calibrate_design

    data = pd.read_csv(FIX / case.data)
    if case.data == "synthetic.csv":
        d = Design(data, weights="w0", strata="region", psu="psu_id")
    elif case.data == "api_strat.csv":
        d = Design(data, weights="pw", strata="stype")
    else:
        d = Design(data, weights="pw", psu="dnum")
    margins = Margins.from_csv(FIX / f"margins_{case.case}.csv")
    if case.method == "trim":
        return data, calibrate_design(d, margins, "linear", trim=(case.lower, case.upper))
    return data, calibrate_design(d, margins, case.method, bounds=(case.lower, case.upper),
                                  strict=case.case != "rake_strat")


@pytest.mark.parametrize("case", list(CASES.itertuples()), ids=list(CASES["case"]))
def test_calibrated_design_vcov_total_gives_r_standard_errors(case):
    data, d2 = _calibrated_design(case)
    w = d2.w
    for row in RESULTS[RESULTS["case"] == case.case].itertuples():
        y = data[row.variable].to_numpy(float)
        if row.stat == "mean":
            est = (w * y).sum() / w.sum()
            x = w * (y - est) / w.sum()
        else:
            est = (w * y).sum()
            x = w * y
        assert est == pytest.approx(row.estimate, rel=RTOL)
        assert np.sqrt(d2.vcov_total(x[:, None])[0, 0]) == pytest.approx(row.se, rel=RTOL)


@pytest.mark.parametrize("case", list(CASES.itertuples()), ids=list(CASES["case"]))
def test_calibrated_design_mean_and_total_give_r_standard_errors(case):
    _, d2 = _calibrated_design(case)
    for row in RESULTS[RESULTS["case"] == case.case].itertuples():
        est = (d2.mean if row.stat == "mean" else d2.total)(row.variable).table.iloc[0]
        assert est["estimate"] == pytest.approx(row.estimate, rel=RTOL)
        assert est["se"] == pytest.approx(row.se, rel=RTOL)
