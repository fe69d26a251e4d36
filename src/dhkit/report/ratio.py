"""Prevalence ratio of two domain proportions, with a design-based confidence interval.

The report's overlap finding ("children subjected to in-person sexual violence are N times
as likely to be subjected to TF-CSEA") is the ratio p₁/p₀ of one indicator's proportion in
two levels of a domain. Both proportions come from one design, so they are correlated;
the ratio's SE uses their *joint* linearised covariance, on the log scale (delta method):

    log PR = log p₁ − log p₀,   Var(log PR) = gᵀ V g,   g = (1/p₁, −1/p₀),

with V the 2×2 covariance of the two domain means (:meth:`dhkit.survey.Design.mean` with
``covmat=True``). The CI is exp(log PR ± t·SE) with the design's degrees of freedom. This
equals R::

    b <- svyby(~y, ~g, design, svymean, covmat = TRUE)
    r <- svycontrast(b, quote(log(`1`) - log(`0`)))    # coef and SE of log PR
    exp(coef(r) + c(-1, 1) * qt(0.975, degf(design)) * SE(r))

(``tests/reference/r/prevalence_ratio.R`` makes the fixture the tests compare with).

Why here and not in :mod:`dhkit.survey`: the engine's regression and relative-risk verbs
are being built there; this small function uses only the design's public covariance API,
so it can move into the engine unchanged when those land.

>>> import pandas as pd
>>> df = pd.DataFrame({"w": [1.0] * 8, "c": range(8), "y": [1, 1, 0, 1, 0, 0, 1, 0],
...                    "g": ["1", "1", "1", "1", "0", "0", "0", "0"]})
>>> from dhkit.survey import Design
>>> pr = prevalence_ratio(Design(df, weights="w", psu="c"), "y", "g", exposed="1", reference="0")
>>> round(pr.ratio, 3)
3.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class PrevalenceRatio:
    """p_exposed / p_reference with its log-scale SE and t confidence interval."""

    indicator: str
    domain: str
    exposed: str
    reference: str
    p_exposed: float
    p_reference: float
    ratio: float
    se_log: float
    ci_low: float
    ci_high: float
    df: int
    p_value: float            # test of PR = 1 (log PR = 0), two-sided t
    n_exposed: int            # unweighted bases of the two proportions
    n_reference: int

    @property
    def significant(self) -> bool:
        return bool(self.p_value < 0.05)


def prevalence_ratio(design, variable: str, domain: str, *, exposed: str, reference: str,
                     level: float = 0.95) -> PrevalenceRatio:
    """The prevalence ratio of ``variable`` (0/1, NaN = missing) between two levels of the
    ``domain`` column of the design's data, from their joint design covariance."""
    data = design.data
    keep = data[domain].astype("string").isin([exposed, reference]).fillna(False).to_numpy()
    frame = data.copy()
    frame["_pr_dom"] = data[domain].astype("string").where(keep, pd.NA)
    design = _with_data(design, frame)
    est = design.mean(variable, by="_pr_dom", covmat=True, ci="mean", deff=False)
    table = est.table.reset_index(drop=True)
    pos = {str(lvl): i for i, lvl in enumerate(table["level"].astype(str))}
    i1, i0 = pos[exposed], pos[reference]
    p1, p0 = float(table.loc[i1, "estimate"]), float(table.loc[i0, "estimate"])
    v = np.asarray(est.vcov, dtype=float)
    g = np.zeros(len(table))
    g[i1], g[i0] = 1.0 / p1, -1.0 / p0
    se = float(math.sqrt(max(g @ v @ g, 0.0)))
    df = int(design.degf)
    log_pr = math.log(p1) - math.log(p0)
    q = stats.t.ppf(0.5 + level / 2, df)
    p_value = float(2 * stats.t.sf(abs(log_pr / se), df)) if se > 0 else float("nan")
    n = table["n_unweighted"].astype(int)
    return PrevalenceRatio(variable, domain, exposed, reference, p1, p0, math.exp(log_pr), se,
                           math.exp(log_pr - q * se), math.exp(log_pr + q * se), df, p_value,
                           int(n[i1]), int(n[i0]))


def _with_data(design, frame: pd.DataFrame):
    """The same design (weights, clusters, calibration adjustments) over a frame with one
    more column: domains are estimated on the full design, never on a subset."""
    import copy

    other = copy.copy(design)
    other.data = frame.reset_index(drop=True)
    return other
