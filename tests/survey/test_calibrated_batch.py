"""Calibrated designs in the batch engine (calibration residuals on sums) equal R svymean /
svyby on rake()d, postStratify()d and calibrate()d designs, and instance-level indicators
on a calibrated child design equal R svyratio of the child sums (fixtures:
tests/reference/r/calibrated.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.survey import Design
from dhkit.weighting.calibrate import calibrate_design
from dhkit.weighting.margins import Margins

ROOT = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
REF = pd.read_csv(ROOT / "calibrated" / "estimates.csv", keep_default_na=False,
                  dtype={"level": str})
SYN = pd.read_csv(ROOT / "core" / "synth.csv").query("region != 6").reset_index(drop=True)
INST = pd.read_csv(ROOT / "core" / "instances.csv").query("region != 6").reset_index(drop=True)
SEX = {1: 51000, 2: 49000}
AREA = {"rural": 38000, "urban": 62000}


def calibrated(kind: str) -> Design:
    d = Design(SYN, weights="w", strata="region", psu="psu")
    if kind == "raked":
        return calibrate_design(d, Margins.from_dict({"sex": SEX, "area": AREA}), "raking")
    if kind == "poststrat":
        return calibrate_design(d, Margins.from_dict({"sex": SEX}), "poststratify")
    return calibrate_design(d, Margins.from_dict({"sex": SEX, "area": AREA}), "linear")


@pytest.mark.parametrize("kind", ["raked", "poststrat", "linear"])
def test_plan_on_a_calibrated_design_equals_r(kind):
    d = calibrated(kind)
    t = d.estimate(means=["y1", "y2", "score"], domains=["sex", "area", "age"]).table
    ref = REF[(REF.design == kind) & (REF["var"] != "told_someone")]
    got = t.set_index(["indicator", "domain", "level"]).loc[
        list(zip(ref["var"], ref["by"], ref["level"]))]
    np.testing.assert_allclose(got.estimate, ref["mean"], rtol=1e-10)
    np.testing.assert_allclose(got.se, ref.se, rtol=1e-8)


@pytest.mark.parametrize("kind", ["raked", "poststrat", "linear"])
def test_instance_indicators_sum_within_the_child_before_the_residuals(kind):
    inst = calibrated(kind).link(INST, "child_id")
    ref = REF[(REF.design == kind) & (REF["var"] == "told_someone")].set_index(["by", "level"])
    t = inst.mean("told_someone", by="sex").table.set_index(["domain", "level"])
    for key in [("", ""), ("sex", "1"), ("sex", "2")]:
        assert t.loc[key].estimate == pytest.approx(ref.loc[key, "mean"], rel=1e-10)
        assert t.loc[key].se == pytest.approx(ref.loc[key].se, rel=1e-8)
    online = inst.subset("online == 1").mean("told_someone").table.iloc[0]
    assert online.se == pytest.approx(ref.loc[("online", "1")].se, rel=1e-8)


def test_a_calibrated_se_is_not_the_fixed_weight_se():
    d = calibrated("raked")
    plain = Design(SYN.assign(wc=d.w), weights="wc", strata="region", psu="psu")
    assert d.mean("y1").table.se[0] != pytest.approx(plain.mean("y1").table.se[0], rel=1e-3)


def test_linked_rows_need_their_child():
    from dhkit.errors import DhkitError

    with pytest.raises(DhkitError) as e:
        calibrated("raked").link(INST.assign(child_id=INST.child_id + 10**6), "child_id")
    assert e.value.code == "EST-033"
