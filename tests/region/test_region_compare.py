"""Regional figures: ranges name the countries at each end, combined estimates state
their weighting and add the countries' variances, differences are independent-sample
t-tests, and an item a country did not collect reads "not collected", never 0."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dhkit.region import compare


def _cells(est, se, df=(100.0, 50.0), n_weighted=(10.0, 30.0), status=("published",) * 2):
    return pd.DataFrame({"country": ["A", "B"], "indicator": "x", "category": "",
                         "domain": "", "level": "", "status": list(status),
                         "estimate": est, "se": se, "df": list(df),
                         "n_weighted": list(n_weighted)})


def test_a_difference_adds_the_two_variances_and_uses_welch_df():
    d = compare.differences(_cells([0.10, 0.25], [0.03, 0.04])).iloc[0]
    assert d["difference"] == pytest.approx(0.15)
    assert d["se"] == pytest.approx(0.05)
    df = 0.05 ** 4 / (0.03 ** 4 / 100 + 0.04 ** 4 / 50)
    assert d["df"] == pytest.approx(df)
    assert d["p_value"] == pytest.approx(2 * stats.t.sf(3.0, df))
    q = stats.t.ppf(0.975, df)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((0.15 - q * 0.05, 0.15 + q * 0.05))
    assert bool(d["significant"])


def test_population_weighting_weights_by_the_countries_base_populations():
    r = compare.combined(_cells([0.10, 0.30], [0.02, 0.04]), {"A": 2.0, "B": 1.0},
                         "population").iloc[0]
    # weights 10×2 = 20 and 30×1 = 30 → shares 0.4, 0.6
    assert r["combined"] == pytest.approx(0.4 * 0.10 + 0.6 * 0.30)
    assert r["combined_se"] == pytest.approx(math.sqrt(0.4 ** 2 * 0.02 ** 2 + 0.6 ** 2 * 0.04 ** 2))
    assert r["weighting"] == "population" and r["included"] == "A B"


def test_equal_weighting_counts_each_country_once():
    r = compare.combined(_cells([0.10, 0.30], [0.02, 0.04]), {}, "equal").iloc[0]
    assert r["combined"] == pytest.approx(0.20)
    assert r["combined_se"] == pytest.approx(math.sqrt(0.02 ** 2 + 0.04 ** 2) / 2)


def test_a_single_published_country_gives_no_range_or_combined_figure():
    cells = _cells([0.1, np.nan], [0.01, np.nan], status=("published", "not collected"))
    assert np.isnan(compare.ranges(cells).iloc[0]["low"])
    assert np.isnan(compare.combined(cells, {}, "equal").iloc[0]["combined"])
    assert compare.ranges(cells).iloc[0]["not_collected"] == "B"


def test_ties_name_every_country_at_that_end():
    r = compare.ranges(_cells([0.2, 0.2], [0.01, 0.01])).iloc[0]
    assert r["low_countries"] == "A B" and r["high_countries"] == "A B"


def test_an_item_thailand_did_not_offer_reads_not_collected_never_zero(analysis):
    c = analysis.cells
    th = c[(c["country"] == "TH") & (c["indicator"] == "victim_platform")
           & (c["category"].isin(["snapchat", "telegram"]))]
    assert len(th) > 0 and (th["status"] == "not collected").all()
    assert th["estimate"].isna().all()
    # the national table itself reads 0 there: the form offered no such choice
    nat = next(x for x in analysis.countries if x.ref.id == "TH").public
    zero = nat[(nat["indicator"] == "victim_platform") & (nat["category"] == "snapchat")
               & (nat["flag"] != "suppressed")]
    assert (zero["estimate"] == 0).all()


def test_the_platform_table_has_every_platform_of_the_presentation(analysis):
    cats = set(analysis.cells.loc[analysis.cells["indicator"] == "victim_platform", "category"])
    assert cats == {"facebook", "whatsapp", "youtube", "tiktok", "x", "instagram", "telegram",
                    "snapchat"}
