"""Disclosure control at every level: a planted suppressed country cell stays
suppressed, and no range, combined figure or difference includes it — so no published
figure lets a reader recover it by subtraction."""

import copy

import numpy as np
import pandas as pd
import pytest

from dhkit.disclosure import apply_flags, public_view
from dhkit.region import compare
from dhkit.region.estimates import harmonise

ROW = ("any_tfcsea", "", "", "")          # indicator, category, domain, level


@pytest.fixture(scope="module")
def planted(region, analysis):
    """KE's national any_tfcsea total planted below the suppression threshold, the
    national disclosure step re-applied, and the regional figures made again."""
    countries = copy.deepcopy(analysis.countries)
    ke = next(c for c in countries if c.ref.id == "KE")
    private = ke.analysis.estimates.copy()
    hit = (private["indicator"] == "any_tfcsea") & (private["domain"] == "")
    secret = float(private.loc[hit, "estimate"].item())
    private.loc[hit, "n_unweighted"] = 12
    public = public_view(apply_flags(private, ke.thresholds))
    ke.public = public[list(ke.public.columns)]
    cells = harmonise(region, countries)
    scale = {c.ref.id: c.pop_scale for c in countries}
    return {"secret": secret, "cells": cells, "countries": countries,
            "ranges": compare.ranges(cells),
            "exclude": compare.combined(cells, scale, "population", "exclude"),
            "suppress": compare.combined(cells, scale, "population", "suppress"),
            "equal": compare.combined(cells, scale, "equal", "exclude"),
            "diffs": compare.differences(cells)}


def _row(frame):
    keys = ["indicator", "category", "domain", "level"]
    return frame[(frame[keys] == pd.Series(dict(zip(keys, ROW)))).all(axis=1)].iloc[0]


def test_the_planted_cell_is_suppressed_in_the_regional_cells(planted):
    c = planted["cells"]
    ke = c[(c["country"] == "KE") & (c["indicator"] == "any_tfcsea") & (c["domain"] == "")]
    assert ke["status"].item() == "suppressed" and np.isnan(ke["estimate"].item())
    assert np.isnan(ke["se"].item()) and np.isnan(ke["ci_low"].item())


def test_the_range_leaves_the_suppressed_country_out(planted):
    r = _row(planted["ranges"])
    others = planted["cells"]
    others = others[(others["indicator"] == "any_tfcsea") & (others["domain"] == "")
                    & (others["country"] != "KE")]
    assert r["low"] == others["estimate"].min() and r["high"] == others["estimate"].max()
    assert "KE" not in (r["low_countries"] + r["high_countries"]) and r["not_shown"] == "KE"


def test_a_combined_figure_is_computed_without_it_and_says_so(planted):
    r = _row(planted["exclude"])
    assert r["included"] == "CO PH TH" and r["excluded_suppressed"] == "KE"
    assert r["combined_status"] == "without KE"
    c = planted["cells"]
    pub = c[(c["indicator"] == "any_tfcsea") & (c["domain"] == "") & (c["country"] != "KE")]
    scale = {x.ref.id: x.pop_scale for x in planted["countries"]}
    w = pub["n_weighted"].to_numpy() * pub["country"].map(scale).to_numpy()
    assert r["combined"] == pytest.approx(float(w @ pub["estimate"].to_numpy() / w.sum()),
                                          rel=1e-12)
    assert _row(planted["equal"])["combined"] == pytest.approx(pub["estimate"].mean(), rel=1e-12)


def test_on_suppressed_suppress_blanks_the_combined_figure(planted):
    r = _row(planted["suppress"])
    assert np.isnan(r["combined"]) and r["combined_status"] == "suppressed"


def test_no_difference_involving_the_suppressed_cell_is_shown(planted):
    d = planted["diffs"]
    d = d[(d["indicator"] == "any_tfcsea") & (d["domain"] == "")
          & ((d["country_a"] == "KE") | (d["country_b"] == "KE"))]
    assert len(d) == 3
    assert d["difference"].isna().all() and d["se"].isna().all() and not d["significant"].any()
    assert (d["status"] == "suppressed").all()


def test_no_published_number_recovers_the_secret(planted):
    """Whatever a reader adds or subtracts, the published figures of that row never
    involve KE: the combined figure and its weights are over CO, PH and TH only, so
    combined × Σw − Σ(w·estimate of the others) is 0, not KE's share."""
    secret = planted["secret"]
    c = planted["cells"]
    row = c[(c["indicator"] == "any_tfcsea") & (c["domain"] == "")]
    published = row[row["status"] == "published"]
    r = _row(planted["exclude"])
    scale = {x.ref.id: x.pop_scale for x in planted["countries"]}
    w = published["n_weighted"].to_numpy() * published["country"].map(scale).to_numpy()
    residual = r["combined"] * w.sum() - float(w @ published["estimate"].to_numpy())
    assert abs(residual) < 1e-6 * w.sum()
    values = pd.concat([planted["exclude"].select_dtypes("number").stack(),
                        planted["ranges"].select_dtypes("number").stack(),
                        planted["diffs"].select_dtypes("number").stack(),
                        c.select_dtypes("number").stack()])
    values = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    assert not np.isclose(values, secret, rtol=0, atol=1e-15).any()


def test_a_regional_floor_stricter_than_the_countrys_suppresses_too(region, analysis):
    from dataclasses import replace

    strict = replace(region, suppress_below=10_000, caution_below=10_000)
    cells = harmonise(strict, analysis.countries)
    assert (cells["status"].isin(["suppressed", "not collected", "no data"])).all()
    assert cells["estimate"].isna().all()


def test_the_countrys_own_suppressed_cells_stay_blank(analysis):
    c = analysis.cells
    hidden = c[c["status"] == "suppressed"]
    assert len(hidden) > 0
    assert hidden["estimate"].isna().all() and (hidden["n_unweighted"] < 25).all()
