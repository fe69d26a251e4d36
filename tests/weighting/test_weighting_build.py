"""The study's weighting chain (`build_weights`, `weights build DIR`): lineage, margins hit,
nonrespondents dropped, diagnostics appendix, nothing stored when a step fails."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dhkit.cli import app
from dhkit.errors import DhkitError, ValidationError
from dhkit.weighting.build import (
    CalibrationSpec,
    NonresponseSpec,
    ReplicateSpec,
    WeightingSpec,
    build_weights,
    load_spec,
)
from dhkit.weighting.margins import Margins

FIX = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "weighting"
MARGINS = FIX / "margins_syn_rake.csv"


def children() -> pd.DataFrame:
    df = pd.read_csv(FIX / "synthetic.csv")
    rng = np.random.default_rng(7)
    df["child_id"] = np.arange(len(df)) + 1
    df["p_psu"] = 10 / (40 + df["region"] * 5)
    df["p_hh"] = 0.02
    df["n_eligible"] = rng.integers(1, 4, len(df))
    df["responded"] = (rng.uniform(size=len(df)) < 0.6 + 0.05 * (df["sex"] == 2)).astype(int)
    return df


TOML = """
[input]
table = "children"
id = "child_id"
[base]
probabilities = ["p_psu", "p_hh"]
[household]
eligible = "n_eligible"
[nonresponse]
respond = "responded"
method = "classes"
classes = ["region", "sex"]
cap = 3.0
[calibration]
method = "raking"
margins = "margins.csv"
[trim]
lower = 0
upper = 3000
[replicates]
type = "JKn"
strata = "region"
psu = "psu_id"
"""


def spec() -> WeightingSpec:
    return WeightingSpec(probabilities=("p_psu", "p_hh"), eligible="n_eligible",
                         nonresponse=NonresponseSpec("responded", classes=("region", "sex"),
                                                     cap=3.0),
                         calibration=CalibrationSpec(Margins.from_csv(MARGINS), "linear"),
                         replicates=ReplicateSpec("JKn", "region", "psu_id"), id="child_id")


def test_chain_hits_the_margins_and_drops_nonrespondents():
    df = children()
    res = build_weights(df, spec())
    assert np.all(res.weights[df["responded"] == 0] == 0)
    got = np.bincount(df["sex"] - 1, weights=res.weights)
    np.testing.assert_allclose(got, Margins.from_csv(MARGINS).margins[1].totals, rtol=1e-9)
    assert list(res.lineage().columns) == ["w_base", "w_nonresponse", "w_household",
                                           "w_calibrated", "w_final"]


def test_base_weight_is_inverse_product_of_stage_probabilities_times_eligible():
    df = children()
    res = build_weights(df, WeightingSpec(probabilities=("p_psu", "p_hh"), eligible="n_eligible"))
    np.testing.assert_allclose(res.weights, df["n_eligible"] / (df["p_psu"] * df["p_hh"]))


def test_nonresponse_keeps_the_weighted_total_of_each_class():
    df = children()
    res = build_weights(df, WeightingSpec(probabilities=("p_psu",), nonresponse=NonresponseSpec(
        "responded", classes=("region",))))
    before = np.bincount(df["region"] - 1, weights=1 / df["p_psu"])
    np.testing.assert_allclose(np.bincount(df["region"] - 1, weights=res.weights), before)


def test_replicates_are_recalibrated_for_respondents():
    df = children()
    res = build_weights(df, spec())
    assert res.replicates.weights.shape == (int(res.respondents.sum()), 60)
    sub = df[res.respondents]
    for r in (0, 30, 59):
        got = np.bincount(sub["region"] - 1, weights=res.replicates.weights[:, r])
        np.testing.assert_allclose(got, Margins.from_csv(MARGINS).margins[0].totals, rtol=1e-9)


def test_empty_weighting_class_names_the_class():
    df = children()
    df.loc[(df["region"] == 3) & (df["sex"] == 1), "responded"] = 0
    with pytest.raises(DhkitError) as e:
        build_weights(df, spec())
    assert e.value.code == "WGT-011" and "'3:1'" in e.value.message


def test_not_eligible_rows_are_out_of_scope_and_child_probability_factor():
    df = children()
    df["result"] = np.where(df["responded"] == 1, 1, 2)
    df.loc[:9, "result"] = 4
    df["p_child"] = 1 / df["n_eligible"]
    res = build_weights(df, WeightingSpec(
        probabilities=("p_psu",), child_probability="p_child",
        nonresponse=NonresponseSpec("result", classes=("region",), ineligible_values=(4,))))
    assert np.all(res.weights[:10] == 0)
    scope = df.index >= 10
    base = 1 / df["p_psu"].to_numpy()
    before = np.bincount(df["region"][scope] - 1, weights=base[scope])
    after = np.bincount(df["region"] - 1, weights=res.lineage()["w_nonresponse"])
    np.testing.assert_allclose(after, before)
    resp = res.respondents
    np.testing.assert_allclose(res.weights[resp], res.lineage()["w_nonresponse"][resp]
                               * df["n_eligible"][resp])


def test_propensity_adjustment_keeps_respondents_only():
    df = children()
    res = build_weights(df, WeightingSpec(probabilities=("p_psu",), nonresponse=NonresponseSpec(
        "responded", method="propensity", covariates=("sex", "region"), cap=4.0)))
    assert np.all((res.weights > 0) == (df["responded"] == 1))


def test_spec_problems_are_listed_with_lines(tmp_path):
    p = tmp_path / "weighting.toml"
    p.write_text('[base]\nweight = 3\n[calibration]\nmethod = "raking"\nmargins = "none.csv"\n'
                 "[trim]\nupper = 5\nbogus = 1\n")
    with pytest.raises(ValidationError) as e:
        load_spec(p)
    assert sorted(pr.line for pr in e.value.report) == [2, 5, 8]


def test_build_command_writes_weights_and_appendix(tmp_path):
    df = children()
    df.to_csv(tmp_path / "children.csv", index=False)
    (tmp_path / "weighting.toml").write_text(TOML)
    (tmp_path / "margins.csv").write_text(MARGINS.read_text())
    res = CliRunner().invoke(app, ["weights", "build", str(tmp_path), "--data",
                                   str(tmp_path / "children.csv"), "--out",
                                   str(tmp_path / "w.csv"), "--appendix",
                                   str(tmp_path / "appendix.html")])
    assert res.exit_code == 0, res.output
    out = pd.read_csv(tmp_path / "w.csv")
    assert len(out) == df["responded"].sum() and out["weight"].max() <= 3000 + 1e-9
    assert {"child_id", "w_base", "w_nonresponse", "w_calibrated", "w_trimmed"} <= set(out)
    assert "<table" in (tmp_path / "appendix.html").read_text()


def test_build_from_the_store_is_all_or_nothing(tmp_path, monkeypatch):
    from dhkit.workspace.config import init_study

    monkeypatch.delenv("DHKIT_KEY", raising=False)
    study = init_study(tmp_path / "s", instrument=False, demo=True)
    with study.open_store() as store:
        store.con.register("c", children())
        store.con.execute("CREATE TABLE children AS SELECT * FROM c")
    (study.dir / "weighting.toml").write_text(TOML)
    bad = pd.read_csv(MARGINS)
    bad.loc[0, "total"] += 1000
    bad.to_csv(study.dir / "margins.csv", index=False)
    res = CliRunner().invoke(app, ["weights", "build", str(study.dir)])
    assert isinstance(res.exception, DhkitError) and res.exception.code == "WGT-006"
    with study.open_store() as store:
        assert not store.has_table("weights")
    (study.dir / "margins.csv").write_text(MARGINS.read_text())
    res = CliRunner().invoke(app, ["weights", "build", str(study.dir), "--appendix",
                                   str(tmp_path / "a.xlsx")])
    assert res.exit_code == 0, res.output
    with study.open_store() as store:
        assert store.read("weights")["weight"].gt(0).all()
        assert store.read("weights_replicates").shape[1] == 61


def test_replicates_are_trimmed_like_the_full_sample():
    df = children()
    s = WeightingSpec(probabilities=("p_psu", "p_hh"), eligible="n_eligible",
                      calibration=CalibrationSpec(Margins.from_csv(MARGINS), "linear"),
                      trim=(200.0, 3000.0), trim_strict=True,
                      replicates=ReplicateSpec("JKn", "region", "psu_id"))
    res = build_weights(df, s)
    reps = res.replicates.weights
    assert reps.max() <= 3000 + 1e-9 and reps[reps > 0].min() >= 200 - 1e-9
    assert (reps == 0).sum(axis=0).min() > 0          # the dropped PSU stays at 0
    np.testing.assert_allclose(res.replicates.full, res.weights)
