"""Bad input: each problem is one EST-xxx error naming the column and rows (or a flagged row)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dhkit.errors import DhkitError
from dhkit.survey import Design


def frame(n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "w": rng.uniform(1, 3, n), "s": np.repeat([1, 2], n // 2), "c": np.arange(n) // 2,
        "y": rng.integers(0, 2, n).astype(float), "g": np.tile(["a", "b", "c"], n // 3),
    })


def code_of(fn) -> DhkitError:
    with pytest.raises(DhkitError) as e:
        fn()
    return e.value


def test_negative_weight_names_column_and_row():
    df = frame(); df.loc[3, "w"] = -1
    e = code_of(lambda: Design(df, weights="w", psu="c"))
    assert e.code == "EST-002" and "'w'" in e.message and "row 4" in e.message


def test_missing_weights_listed():
    df = frame(); df.loc[[1, 5], "w"] = np.nan
    e = code_of(lambda: Design(df, weights="w", psu="c"))
    assert e.code == "EST-001" and "rows 2, 6" in e.message


def test_zero_sum_weights():
    df = frame(); df["w"] = 0.0
    assert code_of(lambda: Design(df, weights="w", psu="c")).code == "EST-003"


def test_missing_strata_and_psu():
    df = frame(); df.loc[0, "s"] = np.nan
    assert code_of(lambda: Design(df, weights="w", strata="s", psu="c")).code == "EST-004"
    df = frame(); df.loc[2, "c"] = np.nan
    e = code_of(lambda: Design(df, weights="w", psu="c"))
    assert e.code == "EST-005" and "row 3" in e.message


def test_psu_not_nested_without_nest_is_rs_error():
    df = frame(); df["c"] = np.arange(12) % 3  # PSU labels repeat across strata
    e = code_of(lambda: Design(df, weights="w", strata="s", psu="c"))
    assert e.code == "EST-006" and "nest=True" in e.message
    assert Design(df, weights="w", strata="s", psu="c", nest=True).degf == 6 - 2


def test_non_numeric_variable():
    df = frame(); df["x"] = df.y.astype(object); df.loc[[4, 7], "x"] = "n/a"
    e = code_of(lambda: Design(df, weights="w", psu="c").mean("x"))
    assert e.code == "EST-014" and "'x'" in e.message and "rows 5, 8" in e.message


def test_ratio_of_text_is_non_numeric():
    e = code_of(lambda: Design(frame(), weights="w", psu="c").ratio("y", "g"))
    assert e.code == "EST-014" and "'g'" in e.message


def test_all_missing_variable():
    df = frame(); df["z"] = np.nan
    e = code_of(lambda: Design(df, weights="w", psu="c").mean("z"))
    assert e.code == "EST-015" and "'z'" in e.message


def test_missing_column_named():
    e = code_of(lambda: Design(frame(), weights="nope", psu="c"))
    assert e.code == "EST-013" and "'nope'" in e.message


def test_empty_domain_is_flagged_not_crash():
    df = frame(); df["g"] = pd.Categorical(df.g, categories=["a", "b", "c", "never"])
    t = Design(df, weights="w", psu="c").mean("y", by="g").table
    row = t[t.level == "never"].iloc[0]
    assert row.flag == "suppressed" and row.n_unweighted == 0 and np.isnan(row.estimate)


def test_domain_where_indicator_all_missing_is_flagged():
    df = frame(); df.loc[df.g == "a", "y"] = np.nan
    t = Design(df, weights="w", psu="c").mean("y", by="g").table
    row = t[t.level == "a"].iloc[0]
    assert row.n_unweighted == 0 and row.flag == "suppressed" and np.isnan(row.se)


def test_bad_lonely_rule_and_fpc_count():
    assert code_of(lambda: Design(frame(), weights="w", psu="c", lonely_psu="drop")).code == "EST-010"
    df = frame(); df["f"] = 100.0
    e = code_of(lambda: Design(df, weights="w", psu=["c", "y"], fpc="f"))
    assert e.code == "EST-007"


def test_fpc_over_full_sampling():
    df = frame(); df["f"] = 3.0  # 6 PSUs sampled from a population of 3
    assert code_of(lambda: Design(df, weights="w", psu="c", fpc="f")).code == "EST-008"


def test_single_psu_design_rejected():
    df = frame(); df["c"] = 1
    assert code_of(lambda: Design(df, weights="w", psu="c")).code == "EST-011"


def test_deff_of_a_mean_is_missing_when_weights_sum_below_n():
    """R svymean(deff=TRUE) warns "Sample size greater than population size" and gives NA."""
    df = frame(); df["w"] = 0.5
    t = Design(df, weights="w", psu="c").mean("y").table
    assert np.isnan(t.deff.iloc[0]) and t.se.iloc[0] > 0
