"""Replicate weights: JKn from the design and Rao–Wu bootstrap, re-calibrated per replicate
(equal to R calibrate/rake on as.svrepdesign(type = "JKn"))."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError
from dhkit.weighting.calibrate import calibrate_weights
from dhkit.weighting.margins import Margins
from dhkit.weighting.replicate import jkn_weights, raowu_bootstrap, recalibrate

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "weighting"
DATA = pd.read_csv(FIX / "synthetic.csv")
MARGINS = Margins.from_csv(FIX / "margins_syn_rake.csv")
RESULTS = pd.read_csv(FIX / "results.csv").set_index("case")
CASES = [("rep_rake", "raking", (-np.inf, np.inf)), ("rep_linear", "linear", (-np.inf, np.inf)),
         ("rep_logit", "logit", (0.4, 2.5))]


def _recalibrated(method, bounds):
    w0 = DATA["w0"].to_numpy()
    cal = calibrate_weights(w0, DATA, MARGINS, method, bounds=bounds)
    return recalibrate(jkn_weights(w0, DATA["region"], DATA["psu_id"]), cal, bounds=bounds)


def test_jkn_rscales_equal_r():
    reps = jkn_weights(DATA["w0"], DATA["region"], DATA["psu_id"])
    ref = pd.read_csv(FIX / "rscales_jkn.csv")
    np.testing.assert_allclose(reps.rscales, ref["rscales"], rtol=1e-12)
    assert reps.replicates == 60 and reps.scale == 1.0


@pytest.mark.parametrize("name,method,bounds", CASES)
def test_recalibrated_replicate_weights_equal_r(name, method, bounds):
    reps = _recalibrated(method, bounds)
    ref = pd.read_csv(FIX / f"repweights_{name}.csv").to_numpy()
    np.testing.assert_allclose(reps.weights, ref, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name,method,bounds", CASES)
def test_replicate_se_of_mean_equals_r(name, method, bounds):
    reps = _recalibrated(method, bounds)
    est = reps.to_design(DATA).mean("y").table.iloc[0]
    assert est["estimate"] == pytest.approx(RESULTS.loc[name, "estimate"], rel=1e-8)
    assert est["se"] == pytest.approx(RESULTS.loc[name, "se"], rel=1e-8)


def test_every_bootstrap_replicate_hits_the_margins_after_recalibration():
    w0 = DATA["w0"].to_numpy()
    cal = calibrate_weights(w0, DATA, MARGINS, "linear")
    reps = recalibrate(raowu_bootstrap(w0, DATA["region"], DATA["psu_id"], replicates=20,
                                       seed=3), cal)
    region = DATA["region"].to_numpy()
    target = MARGINS.margins[0].totals
    for r in range(reps.replicates):
        got = np.bincount(region - 1, weights=reps.weights[:, r])
        np.testing.assert_allclose(got, target, rtol=1e-9)


def test_raowu_multipliers_average_one():
    reps = raowu_bootstrap(np.ones(len(DATA)), DATA["region"], DATA["psu_id"], replicates=400,
                           seed=1)
    assert reps.weights.mean() == pytest.approx(1.0, abs=0.02)
    assert reps.scale == pytest.approx(1 / 399)


def test_stratum_with_one_psu_is_refused():
    with pytest.raises(DhkitError) as e:
        jkn_weights([1., 1., 1.], strata=["a", "a", "b"], psu=[1, 2, 3])
    assert e.value.code == "EST-012" and "'b'" in e.value.message


def test_replicates_from_a_design_equal_the_column_form():
    from dhkit.survey import Design
    from dhkit.weighting.replicate import replicates_for

    d = Design(DATA, weights="w0", strata="region", psu="psu_id")
    a = replicates_for(d)
    b = jkn_weights(DATA["w0"], DATA["region"], DATA["psu_id"])
    np.testing.assert_allclose(a.weights, b.weights)


def test_jkn_replicates_from_a_design_keep_its_fpc():
    """R: svymean(~api00, as.svrepdesign(dstrat, "JKn")) on apistrat with fpc: SE 9.409,
    as linearization (replicates_for dropped the FPC once: 9.536)."""
    from pathlib import Path

    from dhkit.survey import Design
    from dhkit.weighting.replicate import replicates_for

    fix = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "core" / "apistrat.csv"
    df = pd.read_csv(fix)
    d = Design(df, weights="pw", strata="stype", fpc="fpc")
    rep = replicates_for(d, "JKn").to_design(df)
    se_rep = rep.mean("api00").table.se.iloc[0]
    assert se_rep == pytest.approx(d.mean("api00").table.se.iloc[0], rel=1e-10)
    assert round(se_rep, 3) == 9.409
