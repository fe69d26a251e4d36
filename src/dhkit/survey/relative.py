"""Relative likelihood: the ratio of a proportion (or mean) between two domains, with its
interval on the log scale from the joint covariance of the two estimates.

R: ``svycontrast(svyby(~y, ~group, design, svymean, covmat = TRUE), quote(log(b / a)))``
then ``exp`` of the estimate and interval — the delta method on log(p_b) − log(p_a):

    Var(log r) = V_bb/p_b² + V_aa/p_a² − 2·V_ab/(p_a·p_b)

The covariance comes from the design (linearization influence values on the full design,
or replicate weights), so the two domains' shared PSUs are accounted for. This is the
tabulation plan's "X times more likely" row (e.g. TF-CSEA among children subjected to
in-person sexual violence against those not). For a ratio adjusted for covariates fit
``design.glm(..., family="poisson")`` and use ``.exp()``.

The interval uses t on the design's degrees of freedom (as ``svyglm``/``svyciprop`` do);
``df=float("inf")`` gives R's ``confint`` default (normal quantiles) on ``svycontrast``.

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"w": 1.0, "c": range(8), "g": list("aaaabbbb"),
...                    "y": [0, 0, 0, 1, 0, 1, 1, 1]})
>>> r = prevalence_ratio(Design(df, weights="w", psu="c"), "y", "g", ("b", "a"))
>>> round(r.estimate, 6)
3.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dhkit.errors import DhkitError


@dataclass(frozen=True)
class RatioEstimate:
    """p(numerator level) / p(denominator level) with its log-scale interval."""

    indicator: str
    group: str
    numerator: str
    denominator: str
    estimate: float
    log_ratio: float
    se_log: float
    ci_low: float
    ci_high: float
    df: float
    p_value: float
    p_numerator: float
    p_denominator: float
    level: float = 0.95

    @property
    def table(self) -> pd.DataFrame:
        """One tidy row."""
        return pd.DataFrame([self.__dict__])


def prevalence_ratio(design, y: str, group: str, levels: tuple[Any, Any] | None = None, *,
                     level: float = 0.95, df: float | None = None) -> RatioEstimate:
    """Ratio of the mean of ``y`` (a 0/1 indicator: a prevalence) in ``levels[0]`` of
    ``group`` to that in ``levels[1]`` (default: the last level over the first), with a
    CI from the delta method on the log scale and the p-value of ratio = 1.
    """
    est = design.mean(y, by=group, covmat=True)
    t = est.table
    if t.category.ne("").any():
        raise DhkitError("EST-030", f"'{y}' is categorical; give a 0/1 indicator or a numeric "
                         "variable for a ratio of prevalences.")
    rows = t[t.domain == group].reset_index()
    labels = rows.level.astype(str).tolist()
    if levels is None:
        if len(labels) < 2:
            raise DhkitError("EST-030", f"'{group}' has fewer than 2 levels with data.")
        levels = (labels[-1], labels[0])
    from dhkit.survey.batch import label

    num, den = (label(v) for v in levels)
    for v in (num, den):
        if v not in labels:
            raise DhkitError("EST-030", f"level {v!r} of '{group}' has no estimate; levels are "
                             f"{', '.join(labels)}.")
    i, j = (int(rows.loc[rows.level == v, "index"].iloc[0]) for v in (num, den))
    p_a, p_b = float(t.estimate.iat[i]), float(t.estimate.iat[j])
    v = est.vcov
    if not (p_a > 0 and p_b > 0):
        raise DhkitError("EST-030", f"a ratio needs both prevalences above zero ({num}: {p_a:g}, "
                         f"{den}: {p_b:g}).")
    log_r = np.log(p_a) - np.log(p_b)
    var = v[i, i] / p_a**2 + v[j, j] / p_b**2 - 2 * v[i, j] / (p_a * p_b)
    se = float(np.sqrt(max(var, 0.0)))
    dof = float(design.degf if df is None else df)
    q = stats.t.ppf(1 - (1 - level) / 2, dof) if np.isfinite(dof) else stats.norm.ppf(1 - (1 - level) / 2)
    tstat = log_r / se if se > 0 else np.nan
    p = 2 * (stats.t.sf(abs(tstat), dof) if np.isfinite(dof) else stats.norm.sf(abs(tstat)))
    return RatioEstimate(y, group, num, den, float(np.exp(log_r)), float(log_r), se,
                         float(np.exp(log_r - q * se)), float(np.exp(log_r + q * se)), dof,
                         float(p), p_a, p_b, level)


__all__ = ["RatioEstimate", "prevalence_ratio"]
