"""Replicate weights of a release, and the information-loss table's "original" figures.

The release ships re-calibrated bootstrap replicate weights; their SE equals R
``svrepdesign`` on the released columns (committed fixture: ``tests/reference/r/release.R``)
and stays close to the report's SE; the "original" estimates are the report's own."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.release.config import DEMO_SPEC
from dhkit.release.run import release_study

FX = Path(__file__).parents[1] / "reference" / "fixtures" / "release"


def test_committed_release_replicates_equal_r_svrepdesign():
    from dhkit.survey.replicate import ReplicateDesign

    d = pd.read_csv(FX / "release_repw.csv")
    s = pd.read_csv(FX / "release_repw_settings.csv").iloc[0]
    r = pd.read_csv(FX / "release_repw_r.csv").iloc[0]
    des = ReplicateDesign(d, weights="weight", repweights="repw_[0-9]+", type=s["type"],
                          scale=float(s["scale"]), rscales=1.0, mse=bool(s["mse"]))
    t = des.mean("any_tfcsea").table.iloc[0]
    assert t["estimate"] == pytest.approx(r["estimate"], rel=1e-8)   # 0.168837
    assert t["se"] == pytest.approx(r["se"], rel=1e-8)               # 0.038489


def test_original_headlines_are_the_reports_own_figures(study, licensed):
    from dhkit.report.build import analyse, validate_inputs
    from dhkit.report.study import inputs_from_study

    inputs = inputs_from_study(study.study)
    assert inputs.calibration is not None          # the demo's weights are raked
    cat, plan = validate_inputs(inputs, ("en",))
    rep = analyse(inputs, cat, plan, validated=True).estimates
    rep = rep[(rep["domain"] == "") & (rep["category"] == "")].set_index("indicator")
    mine = licensed.estimates.set_index("indicator")
    for ind, row in mine.iterrows():
        for col in ("estimate", "se", "ci_low", "ci_high"):
            assert row[f"{col}_original"] == pytest.approx(rep.loc[ind, col], rel=1e-10)


def test_replicate_se_stays_close_to_the_report_se(licensed):
    e = licensed.estimates
    assert (e["release_variance"] == "replicate weights (bootstrap, 50)").all()
    ratio = e["se_release"] / e["se_original"]
    # 50 bootstrap replicates: Monte Carlo error of an SE about 1/sqrt(2·50) = 10 %
    assert ratio.between(0.85, 1.15).all(), ratio.round(3).tolist()
    np.testing.assert_allclose(e["estimate_release"], e["estimate_original"], rtol=1e-12)


def test_every_replicate_is_recalibrated_to_the_margins(study, licensed):
    from dhkit.release.config import Replicates
    from dhkit.release.replicates import release_replicates
    from dhkit.report.study import inputs_from_study

    margins = pd.read_csv(study.study_dir / "margins.csv")
    inputs = inputs_from_study(study.study)
    reps = release_replicates(inputs.main, inputs.design, inputs.calibration, Replicates(), 7)
    assert reps.recalibrated and reps.weights.shape == (200, 50)
    # replicates get the full sample's number of raking sweeps (as R rakes a svyrep.design
    # in the same loop): the last margin raked is met exactly, the others on average
    for var, exact in (("region", False), ("area", False), ("child_sex", True)):
        m = margins[margins["variable"] == var]
        sums = pd.DataFrame(reps.weights).groupby(inputs.main[var].astype(str).to_numpy()).sum()
        for level, total in zip(m["level"].astype(str), m["total"]):
            dev = sums.loc[level].to_numpy() / total - 1
            if exact:
                np.testing.assert_allclose(dev, 0, atol=1e-9)
            else:
                assert abs(np.median(dev)) < 0.02, (var, level, np.median(dev))
    # the released columns keep every replicate's population total
    data = pd.read_parquet(licensed.files["release.parquet"])
    totals = data[licensed.prepared.replicates.columns].sum().to_numpy()
    np.testing.assert_allclose(totals, margins.loc[margins["variable"] == "region", "total"].sum(),
                               rtol=1e-6)


def test_replicate_settings_are_in_the_manifest_and_codebook(licensed):
    m = json.loads(licensed.files["manifest.json"].read_text())["replicate_weights"]
    assert m["type"] == "bootstrap" and m["replicates"] == 50 and m["mse"] is True
    assert m["scale"] == pytest.approx(1 / 49) and m["columns"] == "repw_1..repw_50"
    cb = pd.read_csv(licensed.files["codebook.csv"]).set_index("variable")
    assert "scale 0.02040816327" in cb.loc["repw_7", "treatment"]
    assert "mse TRUE" in cb.loc["repw_7", "treatment"]
    r = licensed.files["design.R"].read_text()
    assert 'type = "bootstrap", scale = 0.020408163265306121, rscales = 1, mse = TRUE' in r
    assert "bsrweight(repw_1-repw_50) vce(bootstrap) mse" in licensed.files["design.do"].read_text()
    for name in ("release.sav", "release.dta", "release.parquet"):
        assert licensed.files[name].exists()


def test_public_tier_ships_replicates_only_when_asked(study, public, tmp_path):
    assert not any(c.startswith("repw_") for c in public.prepared.data.columns)
    spec = tmp_path / "public.toml"
    spec.write_text(DEMO_SPEC.replace("public = false", "public = true"))
    r = release_study(study.study_dir, tmp_path / "out", "public", spec_path=spec, pdf=False)
    cols = set(pd.read_csv(r.files["release.csv"]).columns)
    assert "repw_50" in cols and not {"psu_code", "stratum_code"} & cols
    script = r.files["design.R"].read_text()
    assert "svrepdesign" in script and "svydesign" not in script
    assert (r.estimates["release_variance"] == "replicate weights (bootstrap, 50)").all()
    assert any("share a PSU" in n for n in r.prepared.notes)


@pytest.mark.skipif(__import__("shutil").which("Rscript") is None, reason="R not installed")
def test_jackknife_replicates_with_their_rscales_equal_r_svrepdesign(study, tmp_path):
    import subprocess

    spec = tmp_path / "jkn.toml"
    spec.write_text(DEMO_SPEC.replace('type = "bootstrap"', 'type = "JKn"'))
    r = release_study(study.study_dir, tmp_path / "out", "licensed", spec_path=spec, pdf=False)
    reps = r.prepared.replicates
    assert reps.type == "JKn" and len(set(np.round(reps.rscales, 12))) > 1
    assert "jkrweight(" in r.files["design.do"].read_text()
    out = subprocess.run(["Rscript", "-e", "source('design.R'); m <- svymean(~any_tfcsea, rdes,"
                          " na.rm=TRUE); cat(sprintf('%.15g %.15g', coef(m), SE(m)))"],
                         cwd=r.files["design.R"].parent, capture_output=True, text=True,
                         check=True).stdout
    est, se = (float(x) for x in out.split()[-2:])
    row = r.estimates.set_index("indicator").loc["any_tfcsea"]
    assert (est, se) == (pytest.approx(row["estimate_release"], rel=1e-8),
                         pytest.approx(row["se_release"], rel=1e-8))
    assert row["se_release"] / row["se_original"] == pytest.approx(1, abs=0.15)
