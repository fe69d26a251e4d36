"""Quantiles of a survey variable with Woodruff confidence intervals (R ``svyquantile``).

R survey ≥ 4.1 defaults: ``qrule="math"`` (the smallest x whose weighted CDF reaches p,
i.e. the inverse of the weighted empirical CDF) and ``interval.type="mean"``: the
Woodruff (1952, *JASA* 47:635–646) interval — estimate the proportion of the population
at or below the estimated quantile, take its t interval on the design degrees of
freedom, and map its ends back through the quantile rule. The SE is the interval's
width over 2·t (Lumley 2010, *Complex Surveys* §2.4; R ``survey:::woodruffCI``).

Works on a linearization ``Design`` and on a
:class:`~dhkit.survey.replicate.ReplicateDesign`, overall and in domains (R
``svyby(~x, ~d, design, svyquantile)``, i.e. the design restricted to the domain's rows;
its df is ``degf`` of that restricted design). Missing values are left out per variable
(``na.rm=TRUE``). Written here because no Python package reproduces R's qrule and its
interval; sorting is inherently per domain, so domains are a loop, the variance of all
probabilities of a domain one call.

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"w": 1.0, "c": range(10), "x": [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3]})
>>> quantile(Design(df, weights="w", psu="c"), "x", [0.5], ci=False).table.estimate.tolist()
[3.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from dhkit.errors import DhkitError
from dhkit.survey.association import mean_vcov, subset_degf
from dhkit.survey.base import by_spec, names
from dhkit.survey.replicate import numeric_values

INTERVALS = ("mean", "beta", "xlogit")


def qrule_math(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """R ``survey:::qrule_math``: the weighted quantile as the inverse of the weighted CDF.

    Rows of zero weight are dropped; if the cumulative weight hits p·W exactly the lower
    value is taken, else the next one (R's rule, including its choice of the second value
    when the first row alone exceeds p·W).

    >>> qrule_math(np.array([1.0, 2, 3, 4]), np.ones(4), 0.5)
    2.0
    """
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    xs = x[order]
    # R accumulates sum() and cumsum() in long double: equal weights then hit p*W exactly
    # (or not) as in R
    cum_ld = np.cumsum(w[order].astype(np.longdouble))
    cum = cum_ld.astype(float)
    total = float(cum_ld[-1])
    below = np.flatnonzero(cum <= p * total)
    pos = below[-1] if below.size else 0
    nxt = pos if pos == xs.size - 1 else pos + 1
    return float(xs[pos] if p - cum[pos] / total == 0 else xs[nxt])


def quantile(
    design,
    vars: str | Sequence[str],
    quantiles: Sequence[float] = (0.5,),
    ci: bool = True,
    level: float = 0.95,
    by: str | Sequence[str] | None = None,
    interval_type: str = "mean",
    flags=None,
):
    """Quantiles with Woodruff intervals, as R ``svyquantile(~x, design, quantiles)``.

    Returns an ``Estimates`` table: one row per variable x quantile (``category``, e.g.
    ``"0.5"``) x overall and domain level, ``statistic="quantile"``. ``interval_type`` is
    R's ``interval.type``: ``mean`` (default), ``beta`` or ``xlogit``. An interval end
    whose probability falls outside [0, 1] is NaN, as R (and the SE with it).

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"w": 1.0, "c": range(8), "x": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    >>> t = quantile(Design(df, weights="w", psu="c"), "x", [0.25, 0.5]).table
    >>> t[["category", "estimate"]].values.tolist()
    [['0.25', 2.0], ['0.5', 4.0]]
    """
    from dhkit.survey.batch import build_domains
    from dhkit.survey.tidy import COLUMNS, EXTRA, Estimates, FlagRule

    probs = np.atleast_1d(np.asarray(quantiles, dtype=float))
    bad = probs[~((probs > 0) & (probs < 1))]
    if bad.size or probs.size == 0:
        raise DhkitError("REP-008", f"quantile(s) {', '.join(f'{q:g}' for q in bad) or 'none'} "
                         "outside (0, 1); give probabilities such as 0.25, 0.5, 0.75.")
    if interval_type not in INTERVALS:
        raise DhkitError("REP-008", f"interval_type={interval_type!r} is not available; use "
                         f"{', '.join(INTERVALS)}.")
    if not 0 < level < 1:
        raise DhkitError("EST-025", f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    flags = flags or FlagRule()
    dom = build_domains(design, by_spec(by))
    w = np.asarray(design.w, dtype=float)
    rows_out, bases = [], {}
    for var in names(vars):
        x = numeric_values(design.data, var)
        has = np.isfinite(x)
        bases[var] = "all rows" if has.all() else f"rows with {var} answered"
        for codes, name, labels, off in zip(dom.codes, dom.names, dom.labels, dom.offsets):
            for i, lab in enumerate(labels):
                rows = (codes == off + i) & has
                res = _one(design, x, w, rows, probs, ci, level, interval_type)
                for p, (est, lo, hi, se, df) in zip(probs, res):
                    rows_out.append((var, name, lab, f"{p:g}", est, se, lo, hi, df,
                                     int(rows.sum()), float(w[rows].sum())))
    t = pd.DataFrame(rows_out, columns=["indicator", "domain", "level", "category", "estimate",
                                         "se", "ci_low", "ci_high", "df", "n_unweighted",
                                         "n_weighted"])
    t["base"] = t.indicator.map(bases)
    t["deff"] = np.nan
    t["flag"] = flags.flag(t.n_unweighted.to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        t["cv"] = t.se / t.estimate.abs()
    t["statistic"] = "quantile"
    t["ci_method"] = interval_type if ci else ""
    return Estimates(t[COLUMNS + EXTRA])


def _one(design, x, w, rows, probs, ci, level, interval_type):
    """(estimate, ci_low, ci_high, se, df) per probability on ``design[rows, ]``."""
    nan = float("nan")
    if not rows.any():
        return [(nan, nan, nan, nan, nan)] * probs.size
    xs, ws = x[rows], w[rows]
    qhat = np.array([qrule_math(xs, ws, p) for p in probs])
    df = subset_degf(design, rows)
    if not ci:
        return [(q, nan, nan, nan, df) for q in qhat]
    alpha = 1 - level
    ind = (np.where(rows, x, np.inf)[:, None] <= qhat[None, :]).astype(float)
    m, v = mean_vcov(design, ind, rows)
    se_m = np.sqrt(np.maximum(np.diag(v), 0.0))
    tq = stats.t.ppf(1 - alpha / 2, df) if np.isfinite(df) else stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if interval_type == "mean":
            plo, phi = m - tq * se_m, m + tq * se_m
        elif interval_type == "xlogit":
            eta, s = np.log(m / (1 - m)), se_m / (m * (1 - m))
            plo, phi = 1 / (1 + np.exp(-(eta - tq * s))), 1 / (1 + np.exp(-(eta + tq * s)))
        else:  # beta: Korn & Graubard, nrow and degf of the restricted design
            neff = m * (1 - m) / se_m**2
            neff = neff * (stats.t.ppf(alpha / 2, rows.sum() - 1) / stats.t.ppf(alpha / 2, df)) ** 2
            plo = stats.beta.ppf(alpha / 2, neff * m, neff * (1 - m) + 1)
            phi = stats.beta.ppf(1 - alpha / 2, neff * m + 1, neff * (1 - m))
    out = []
    for q, a, b in zip(qhat, plo, phi):
        lo = nan if (np.isnan(a) or a < 0) else qrule_math(xs, ws, a)
        hi = nan if (np.isnan(b) or b > 1) else qrule_math(xs, ws, b)
        out.append((q, lo, hi, (hi - lo) / (2 * tq), df))
    return out


__all__ = ["INTERVALS", "qrule_math", "quantile"]
