"""Disclosure-risk measures on key variables (pure functions on a DataFrame).

Key variables (quasi-identifiers) are those an intruder may know from outside the data:
region, area, sex, age, household size. A *key cell* is one combination of their values.

Missing values follow ``sdcMicro``'s convention (``freqCalc``): a missing key value —
for example one removed by local suppression — matches every value of that variable,
so a record's sample frequency counts every record it cannot be told apart from.

References
----------
- Templ, Kowarik, Meindl (2015), "Statistical Disclosure Control for Micro-Data Using the
  R Package sdcMicro", *J. Stat. Softw.* 67(4): ``freqCalc``, ``indivRisk``, ``measure_risk``.
- Benedetti & Franconi (1998), "Statistical and technological solutions for controlled data
  dissemination"; Franconi & Polettini (2004), "Individual risk estimation in mu-Argus".
- Sweeney (2002), "k-anonymity: a model for protecting privacy".
- Machanavajjhala et al. (2007), "l-diversity: privacy beyond k-anonymity".

Why written here: sdcMicro is R (not available at run time); the Python ports found are
unmaintained, and the measures are a few grouped sums.

>>> import pandas as pd
>>> df = pd.DataFrame({"sex": [1, 1, 2], "age": [12, 12, 13], "w": [10.0, 30.0, 5.0]})
>>> sample_frequencies(df, ["sex", "age"]).tolist()
[2, 2, 1]
>>> population_frequencies(df, ["sex", "age"], "w").tolist()
[40.0, 40.0, 5.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


def _codes(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Integer codes per key column, -1 for missing (a wildcard)."""
    out = np.empty((len(df), len(keys)), dtype=np.int64)
    for j, k in enumerate(keys):
        codes, _ = pd.factorize(df[k], use_na_sentinel=True)
        out[:, j] = codes
    return out


def _matches(codes: np.ndarray, i: int) -> np.ndarray:
    """Rows that cannot be told apart from row ``i`` (missing matches anything)."""
    row = codes[i]
    ok = (codes == row) | (codes < 0) | (row < 0)
    return ok.all(axis=1)


def _weighted_counts(df: pd.DataFrame, keys: list[str], w: np.ndarray) -> np.ndarray:
    if not keys:
        return np.full(len(df), w.sum(), dtype=float)
    codes = _codes(df, keys)
    if (codes >= 0).all():            # fast path: plain key cells
        cell = pd.Series(w).groupby([codes[:, j] for j in range(codes.shape[1])]).transform("sum")
        return cell.to_numpy(dtype=float)
    out = np.empty(len(df), dtype=float)
    for i in range(len(df)):          # a suppressed value matches every value of its variable
        out[i] = w[_matches(codes, i)].sum()
    return out


def sample_frequencies(df: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """f_k of every record: how many sample records share its key values (sdcMicro ``fk``).

    >>> sample_frequencies(pd.DataFrame({"a": [1, 1, None]}), ["a"]).tolist()
    [3, 3, 3]
    """
    return _weighted_counts(df, keys, np.ones(len(df))).astype(np.int64)


def population_frequencies(df: pd.DataFrame, keys: list[str], weights: str) -> np.ndarray:
    """F_k of every record, estimated as the sum of the sampling weights in its key cell
    (sdcMicro ``Fk``)."""
    return _weighted_counts(df, keys, df[weights].to_numpy(dtype=float))


def k_violations(df: pd.DataFrame, keys: list[str], k: int) -> int:
    """Number of records whose key cell holds fewer than ``k`` sample records.

    >>> k_violations(pd.DataFrame({"a": [1, 1, 2]}), ["a"], 2)
    1
    """
    return int((sample_frequencies(df, keys) < k).sum())


def _one_risk(f: int, p: float) -> float:
    if p >= 1.0 - 1e-12:       # weights of 1: the sample is the population
        return 1.0 / f
    if f == 1:
        return p / (1 - p) * math.log(1 / p)
    if f == 2:
        q = p / (1 - p)
        return q - q * q * math.log(1 / p)
    return p / (f - (1 - p))


def individual_risk(f: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Individual re-identification risk per record, Benedetti–Franconi approximation as in
    sdcMicro ``indivRisk(method="approx")`` / ``measure_risk``, with ``p = f / F``:

    - f = 1: ``p/(1-p) · log(1/p)``
    - f = 2: ``p/(1-p) − (p/(1-p))² · log(1/p)``
    - f > 2: ``p / (f − (1 − p))``

    and ``1/f`` where ``F = f`` (every weight 1: the sample is the population).

    >>> r = individual_risk(np.array([1, 2, 4]), np.array([10.0, 10.0, 40.0]))
    >>> [round(float(x), 6) for x in r]
    [0.255843, 0.14941, 0.032258]
    """
    F = np.maximum(np.asarray(F, dtype=float), np.asarray(f, dtype=float))
    return np.array([_one_risk(int(fi), fi / Fi) for fi, Fi in zip(f, F)], dtype=float)


def l_diversity(df: pd.DataFrame, keys: list[str], sensitive: str) -> np.ndarray:
    """Distinct l-diversity of every record: how many distinct non-missing values of
    ``sensitive`` occur among the records sharing its key cell (Machanavajjhala et al.
    2007; sdcMicro ``ldiversity``, distinct version).

    >>> df = pd.DataFrame({"a": [1, 1, 2, 2], "s": [0, 1, 1, 1]})
    >>> l_diversity(df, ["a"], "s").tolist()
    [2, 2, 1, 1]
    """
    codes = _codes(df, keys)
    values = df[sensitive].to_numpy()
    present = ~pd.isna(df[sensitive]).to_numpy()
    out = np.empty(len(df), dtype=np.int64)
    for i in range(len(df)):
        m = _matches(codes, i) & present
        out[i] = len(pd.unique(values[m]))
    return out


@dataclass(frozen=True)
class RiskSummary:
    """Risk of a data set on its key variables, before or after treatment."""

    records: int
    k: int
    uniques: int                       # records with f_k = 1
    k_violations: int                  # records with f_k < k
    max_individual_risk: float
    mean_individual_risk: float
    expected_reidentifications: float  # sum of individual risks (sdcMicro global risk · n)
    high_risk: int                     # records above the risk threshold
    risk_threshold: float
    l_diversity: dict[str, int]        # sensitive variable → minimum l over records


def measure_risk(df: pd.DataFrame, keys: list[str], weights: str, k: int = 3,
                 sensitive: list[str] = (), risk_threshold: float = 0.1) -> RiskSummary:
    """All risk measures at once (sdcMicro ``measure_risk`` plus k-anonymity and l-diversity).

    >>> df = pd.DataFrame({"a": [1, 1, 2], "w": [1.0, 1.0, 1.0], "s": [0, 1, 1]})
    >>> r = measure_risk(df, ["a"], "w", k=2, sensitive=["s"])
    >>> (r.uniques, r.k_violations, r.expected_reidentifications, r.l_diversity)
    (1, 1, 2.0, {'s': 1})
    """
    f = sample_frequencies(df, keys)
    F = population_frequencies(df, keys, weights)
    r = individual_risk(f, F)
    ldiv = {s: int(l_diversity(df, keys, s).min()) if len(df) else 0 for s in sensitive}
    return RiskSummary(
        records=len(df), k=k, uniques=int((f == 1).sum()), k_violations=int((f < k).sum()),
        max_individual_risk=float(r.max()) if len(r) else 0.0,
        mean_individual_risk=float(r.mean()) if len(r) else 0.0,
        expected_reidentifications=float(r.sum()),
        high_risk=int((r > risk_threshold).sum()), risk_threshold=risk_threshold,
        l_diversity=ldiv)
