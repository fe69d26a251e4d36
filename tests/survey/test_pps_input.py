"""PPS declarations: inconsistent inputs are one EST-034/EST-035 error naming the column,
the rows and what to do; the variance does not depend on the order of the rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError
from dhkit.survey import Design

REF = Path(__file__).resolve().parents[1] / "reference" / "fixtures" / "pps"


def election() -> pd.DataFrame:
    return pd.read_csv(REF / "election_pps.csv")


def error_of(fn) -> DhkitError:
    with pytest.raises(DhkitError) as e:
        fn()
    return e.value


def test_pps_without_probabilities_is_refused():
    e = error_of(lambda: Design(election(), weights="wt", pps="brewer"))
    assert e.code == "EST-035" and "fpc=" in e.message


def test_probability_above_one_names_the_rows():
    df = election(); df.loc[[2, 7], "p"] = 1.5
    e = error_of(lambda: Design(df, fpc="p", pps="brewer"))
    assert e.code == "EST-035" and "above 1" in e.message and "rows 3, 8" in e.message


def test_population_sizes_instead_of_probabilities_are_refused():
    df = election(); df["N"] = 58  # R: "fpc must be specified as sampling fraction for PPS"
    e = error_of(lambda: Design(df, fpc="N", pps="brewer"))
    assert e.code == "EST-035" and "not population sizes" in e.message


def test_missing_probability_names_the_row():
    df = election(); df.loc[4, "p"] = np.nan
    e = error_of(lambda: Design(df, fpc="p", pps="hr"))
    assert e.code == "EST-035" and "missing" in e.message and "row 5" in e.message


def test_zero_probability_is_refused():
    df = election(); df.loc[0, "p"] = 0.0
    e = error_of(lambda: Design(df, fpc="p", pps="overton"))
    assert e.code == "EST-035" and "row 1" in e.message


def test_probability_varying_within_a_cluster_is_refused():
    df = pd.read_csv(REF / "apiclus2_pps.csv")
    df.loc[3, "p1"] = df.loc[3, "p1"] / 2
    e = error_of(lambda: Design(df, psu="dnum", fpc="p1", pps="brewer", weights="p2"))
    assert e.code == "EST-035" and "varies within a stage-1 cluster" in e.message


def test_unknown_pps_method_lists_the_methods():
    e = error_of(lambda: Design(election(), fpc="p", pps="sampford"))
    assert e.code == "EST-034" and "brewer, hr, overton" in e.message


def test_yates_grundy_with_brewer_is_refused_as_in_r():
    e = error_of(lambda: Design(election(), fpc="p", pps="brewer", variance="YG"))
    assert e.code == "EST-034" and "HT" in e.message


def test_yates_grundy_without_pps_is_refused():
    e = error_of(lambda: Design(election(), weights="wt", variance="YG"))
    assert e.code == "EST-034"


def test_hartley_rao_has_one_stage():
    df = pd.read_csv(REF / "apiclus2_pps.csv")
    e = error_of(lambda: Design(df, psu=["dnum", "snum"], fpc=["p1", "p2"], pps="hr"))
    assert e.code == "EST-034" and "pps='brewer'" in e.message


def test_hartley_rao_refuses_weights_other_than_one_over_pi():
    df = election(); df["w2"] = df.wt * 1.1
    e = error_of(lambda: Design(df, weights="w2", fpc="p", pps="hr"))
    assert e.code == "EST-034" and "'w2'" in e.message


def test_hartley_rao_accepts_weights_equal_to_one_over_pi():
    t = Design(election(), weights="wt", fpc="p", pps="hr").total("Bush").table
    assert float(t.estimate[0]) == pytest.approx(64518472.38054, rel=1e-12)   # R svytotal
    assert float(t.se[0]) == pytest.approx(2472752.96278869, rel=1e-8)


def test_brewer_variance_does_not_depend_on_row_order():
    # R pairs per-cluster factors with cluster totals in different orders (fixtures use
    # sorted rows); dhkit gives the sorted-row answer whatever the order
    df = pd.read_csv(REF / "apiclus2_pps.csv")
    shuffled = df.sample(frac=1, random_state=3).reset_index(drop=True)
    se = [float(Design(x, psu=["dnum", "snum"], fpc=["p1", "p2"], pps="brewer")
                .mean("api00").table.se[0]) for x in (df, shuffled)]
    assert se[1] == pytest.approx(se[0], rel=1e-12)
    assert se[0] == pytest.approx(19.1801674903, rel=1e-9)  # R on rows sorted by cluster


def test_cli_declares_pps_and_writes_r_figures(tmp_path):
    from typer.testing import CliRunner

    from dhkit.cli import app

    out = tmp_path / "e.csv"
    r = CliRunner().invoke(app, ["estimate", str(REF / "election_pps.csv"), "--fpc", "p",
                                 "--pps", "hr", "--pps-variance", "YG", "--total", "Bush",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    row = pd.read_csv(out).iloc[0]
    want = pd.read_csv(REF / "estimates.csv").query(
        "case == 'election_hr_yg' and kind == 'total' and indicator == 'Bush' and domain != domain")
    assert row.se == pytest.approx(float(want.se.iloc[0]), rel=1e-8)


def test_cli_refuses_pps_with_replicate_weights():
    from typer.testing import CliRunner

    from dhkit.cli import app

    r = CliRunner().invoke(app, ["estimate", str(REF / "election_pps.csv"), "--repweights", "wt",
                                 "--pps", "brewer", "--total", "Bush"])
    assert getattr(r.exception, "code", None) == "EST-024"


@pytest.mark.parametrize("kind", ["JKn", "bootstrap"])
def test_replicate_weights_from_a_pps_design_are_refused_as_in_r(kind):
    from dhkit.survey.replicate import as_replicate

    df = pd.read_csv(REF / "apistrat_pps.csv")
    d = Design(df, strata="stratum", fpc="p", pps="brewer")
    e = error_of(lambda: as_replicate(d, type=kind))
    assert e.code == "REP-007" and "one per cluster" in e.message


def test_hartley_rao_design_effect_of_a_mean_equals_r_and_of_a_total_follows_every_design():
    d = Design(election(), fpc="p", pps="hr")
    assert float(d.mean("Bush").table.deff[0]) == pytest.approx(0.488816093992, rel=1e-9)
    # R svytotal.pps: 5.99307920556e-05 (SRS variance without 1/n and the FPC); dhkit uses
    # the formula of every other design: R's value × n·N/(N − n)
    n, big_n = 40, float(d.w.sum())
    want = 5.99307920556e-05 * n * big_n / (big_n - n)
    assert float(d.total("Bush").table.deff[0]) == pytest.approx(want, rel=1e-8)
