"""Regional figures from harmonised country cells: ranges, combined estimates and
differences between two countries — all from published cells only.

*Range*: the lowest and highest published country estimate, with the countries at each
end (the presentation's "1–20 % of children ..."). *Combined*: a weighted mean of the
country estimates, weights fixed — each country's population in the row's base and
domain (``population``: the country's weighted base scaled to its stated population of
internet-using 12–17s) or one per country (``equal``); the countries are independent
samples, so its variance is the sum of the countries' variances times their squared
weight shares, and its 95 % CI is Wald (±1.96 SE, clipped to 0–1; none when every
country's estimate is 0 % or 100 %, where the variance is 0). *Difference*: country
b minus country a, SE the square root of the sum of the two variances (independent
samples), Welch–Satterthwaite degrees of freedom from the two designs' df, a two-sided
t-test and its CI.

Disclosure: nothing here sees a suppressed value (the cells are the countries' public
views). A range and a combined figure are over published cells; a row where a country's
cell is suppressed has its combined figure either computed without that country and
saying so (``on_suppressed = "exclude"``) or itself suppressed (``"suppress"``); a
difference with a suppressed side is blank. No figure includes a suppressed cell, so no
subtraction can recover one.

>>> import pandas as pd
>>> cells = pd.DataFrame({"country": ["A", "B"], "indicator": "x", "category": "",
...     "domain": "", "level": "", "status": "published", "estimate": [0.1, 0.2],
...     "se": [0.01, 0.02], "df": [100.0, 50.0], "n_weighted": [10.0, 30.0]})
>>> r = ranges(cells).iloc[0]
>>> (float(r["low"]), r["low_countries"], float(r["high"]), r["high_countries"])
(0.1, 'A', 0.2, 'B')
>>> round(float(combined(cells, {"A": 1.0, "B": 1.0}, "equal").iloc[0]["combined"]), 3)
0.15
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from dhkit.region.estimates import NOT_COLLECTED, PUBLISHED

KEYS = ["indicator", "category", "domain", "level"]
Z = float(stats.norm.ppf(0.975))


def ranges(cells: pd.DataFrame) -> pd.DataFrame:
    """Per row: lowest and highest published estimate and the countries at each end."""
    out = []
    for key, g in cells.groupby(KEYS, sort=False):
        pub = g[g["status"] == PUBLISHED]
        rec = dict(zip(KEYS, key))
        rec["n_published"] = len(pub)
        rec["not_collected"] = " ".join(g.loc[g["status"] == NOT_COLLECTED, "country"])
        rec["not_shown"] = " ".join(g.loc[~g["status"].isin([PUBLISHED, NOT_COLLECTED]),
                                          "country"])
        if len(pub) >= 2:
            lo, hi = pub["estimate"].min(), pub["estimate"].max()
            rec.update(low=lo, high=hi,
                       low_countries=" ".join(pub.loc[pub["estimate"] == lo, "country"]),
                       high_countries=" ".join(pub.loc[pub["estimate"] == hi, "country"]))
        else:
            rec.update(low=np.nan, high=np.nan, low_countries="", high_countries="")
        out.append(rec)
    return pd.DataFrame(out)


def combined(cells: pd.DataFrame, scale: dict[str, float], weighting: str,
             on_suppressed: str = "exclude") -> pd.DataFrame:
    """Per row: the combined estimate over published countries (see the module text).

    ``scale[country]`` turns the country's weighted base (``n_weighted``) into its
    population (1.0 when the study's weights already sum to the population)."""
    out = []
    for key, g in cells.groupby(KEYS, sort=False):
        pub = g[g["status"] == PUBLISHED]
        hidden = g[~g["status"].isin([PUBLISHED, NOT_COLLECTED])]
        rec = dict(zip(KEYS, key))
        rec.update(weighting=weighting, included=" ".join(pub["country"]),
                   excluded_suppressed=" ".join(hidden["country"]),
                   combined=np.nan, combined_se=np.nan, combined_ci_low=np.nan,
                   combined_ci_high=np.nan, combined_status="")
        if weighting == "none":
            pass
        elif len(hidden) and on_suppressed == "suppress":
            rec["combined_status"] = "suppressed"
        elif len(pub) < 2:
            rec["combined_status"] = "fewer than two countries"
        else:
            if weighting == "population":
                w = pub["n_weighted"].to_numpy(float) * pub["country"].map(scale).to_numpy(float)
            else:
                w = np.ones(len(pub))
            share = w / w.sum()
            est = float(share @ pub["estimate"].to_numpy(float))
            se = float(np.sqrt(share ** 2 @ pub["se"].to_numpy(float) ** 2))
            # se = 0 only when every country sits at 0 % or 100 %: no interval then
            rec.update(combined=est, combined_se=se,
                       combined_ci_low=max(0.0, est - Z * se) if se > 0 else np.nan,
                       combined_ci_high=min(1.0, est + Z * se) if se > 0 else np.nan,
                       combined_status="without " + rec["excluded_suppressed"]
                       if len(hidden) else "")
        out.append(rec)
    return pd.DataFrame(out)


def differences(cells: pd.DataFrame, level: float = 0.05) -> pd.DataFrame:
    """Every pair of countries, every row: b − a with SE, df, t, p and CI (blank, with
    the reason, when either side is not published)."""
    countries = list(dict.fromkeys(cells["country"]))
    idx = cells.set_index(["country", *KEYS])
    keys = cells[KEYS].drop_duplicates().itertuples(index=False, name=None)
    out = []
    for key in keys:
        for a, b in itertools.combinations(countries, 2):
            ca, cb = idx.loc[(a, *key)], idx.loc[(b, *key)]
            rec = dict(zip(KEYS, key)) | {"country_a": a, "country_b": b}
            if ca["status"] != PUBLISHED or cb["status"] != PUBLISHED:
                why = {ca["status"], cb["status"]} - {PUBLISHED}
                rec.update(difference=np.nan, se=np.nan, df=np.nan, t=np.nan, p_value=np.nan,
                           ci_low=np.nan, ci_high=np.nan, significant=False,
                           status=" / ".join(sorted(why)))
                out.append(rec)
                continue
            d = float(cb["estimate"] - ca["estimate"])
            va, vb = float(ca["se"]) ** 2, float(cb["se"]) ** 2
            se = float(np.sqrt(va + vb))
            dfa, dfb = float(ca["df"]), float(cb["df"])
            df = (va + vb) ** 2 / (va ** 2 / dfa + vb ** 2 / dfb) if se > 0 else min(dfa, dfb)
            t = d / se if se > 0 else np.nan
            p = float(2 * stats.t.sf(abs(t), df)) if se > 0 else np.nan
            q = float(stats.t.ppf(1 - level / 2, df))
            rec.update(difference=d, se=se, df=df, t=t, p_value=p, ci_low=d - q * se,
                       ci_high=d + q * se, significant=bool(p < level), status=PUBLISHED)
            out.append(rec)
    return pd.DataFrame(out)
