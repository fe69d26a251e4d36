"""The batch engine for replicate designs: every mean, total and ratio x (overall + every
domain level) as one product of the (rows x values) matrix with the (rows x [full weight,
replicates..., 1]) matrix per domain level; no Python loop over replicates or indicators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from dhkit.errors import DhkitError
from dhkit.survey.replicate.design import ReplicateDesign, numeric_values
from dhkit.survey.replicate.variance import gram_rank


def run_batch(
    design: ReplicateDesign,
    *,
    means: Sequence[str] = (),
    totals: Sequence[str] = (),
    ratios: Sequence[tuple[str, str]] = (),
    by: Sequence[Any] = (),
    ci: str = "mean",
    level: float = 0.95,
    deff: bool | str = True,
    covmat: bool = False,
    multiple: Sequence[str] = (),
    categorical: Sequence[str] = (),
    bases: dict[str, str] | None = None,
    flags=None,
):
    """Every mean, total and ratio x (overall + every domain level) on a replicate design.

    Variables expand and domains are coded exactly as in the linearization batch engine
    (:func:`dhkit.survey.batch.columns_for`, :func:`~dhkit.survey.batch.build_domains`), so
    the two tables have the same rows. The values of all indicators form one (n, 2k)
    matrix (value, has-a-value); for each domain level it is multiplied once by the
    (n, R + 2) weight matrix. The squares (for design effects) need only the full-sample
    weight: one sparse one-hot product. Estimates, replicate estimates, SEs, design
    effects and intervals then follow by array arithmetic.
    """
    from dhkit.survey.batch import build_domains, columns_for
    from dhkit.survey.ci import METHODS
    from dhkit.survey.tidy import FlagRule

    if ci not in METHODS:
        raise DhkitError("EST-018", f"ci={ci!r} is not an interval method; use one of "
                         f"{', '.join(METHODS)}.")
    if not 0 < level < 1:
        raise DhkitError("EST-025", f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if deff not in (True, False, "replace"):
        raise DhkitError("EST-018", f"deff={deff!r}: use True, False or 'replace'.")
    flags = flags or FlagRule()
    bases = bases or {}
    cols = []
    for kind, names in (("mean", means), ("total", totals)):
        for name in names:
            cols += columns_for(design, name, kind, multiple, categorical, bases.get(name))
    ratio_cols = []
    for num, den in ratios:
        a, b = numeric_values(design.data, num), numeric_values(design.data, den)
        ratio_cols.append(_RatioColumn(f"{num}/{den}", "", "ratio", a, b, False,
                                       bases.get(num, den)))
    cols += ratio_cols
    if not cols:
        raise DhkitError("EST-019", "nothing to estimate: give means=, totals= or ratios=.")
    # (n, 2k) values taken with every replicate: value and has-a-value (ratio: a and b on
    # complete rows); (n, k) taken with the full weight only: value squared (ratio: 1)
    values = np.empty((design.n, 2 * len(cols)))
    extra = np.empty((design.n, len(cols)))
    for j, c in enumerate(cols):
        if c.kind == "ratio":
            ok = np.isfinite(c.a) & np.isfinite(c.b)
            values[:, 2 * j] = np.where(ok, c.a, 0.0)
            values[:, 2 * j + 1] = np.where(ok, c.b, 0.0)
            extra[:, j] = ok
        else:
            ok = np.isfinite(c.a)
            y = np.where(ok, c.a, 0.0)
            values[:, 2 * j], values[:, 2 * j + 1], extra[:, j] = y, ok, y * y
    dom = build_domains(design, by)
    k, r, nl = len(cols), design.replicates, dom.n_levels
    sums = np.empty((nl, k, 2, r + 2))
    side = np.empty((nl, k, 2))  # extra summed with the full weight, and unweighted
    dom_df = np.empty(nl)
    dom_rows = np.empty(nl)
    w = design.w
    for codes, labels, off in zip(dom.codes, dom.labels, dom.offsets):
        local = np.where(codes >= 0, codes - off, -1)
        nlv = len(labels)
        key = local.tobytes()
        known = design._domain_degf.get(key)
        if known is None:  # degf(design[level, ]) from the same pass, then remembered
            s, grams = design.domain_sums(values, local, nlv, gram=True)
            known = design._domain_degf[key] = np.array(
                [gram_rank(g) - 1 if g.size else np.nan for g in grams])
        else:
            s = design.domain_sums(values, local, nlv)
        sums[off:off + nlv] = s.reshape(nlv, k, 2, r + 2)
        inl = local >= 0
        onehot = sp.csr_matrix((np.ones(int(inl.sum())), (local[inl], np.flatnonzero(inl))),
                               shape=(nlv, design.n))
        side[off:off + nlv, :, 0] = onehot @ (extra * w[:, None])
        side[off:off + nlv, :, 1] = onehot @ extra
        counts = np.bincount(local[inl], minlength=nlv)
        dom_rows[off:off + nlv] = counts
        dom_df[off:off + nlv] = known
    kinds = np.array([c.kind for c in cols])
    is_total, is_ratio = kinds == "total", kinds == "ratio"
    a, b = sums[:, :, 0, : r + 1], sums[:, :, 1, : r + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(is_total[None, :, None], a, a / b)  # (levels, k, R + 1)
        est = theta[..., 0]
        var = design.variance(theta[..., 1:].reshape(-1, r).T, est.ravel()).reshape(est.shape)
        n_un = np.where(is_ratio, side[:, :, 1], sums[:, :, 1, -1])
        n_w = np.where(is_ratio, side[:, :, 0], sums[:, :, 1, 0])
        dvals = (_deff(var, a[..., 0] / b[..., 0], side[:, :, 0], b[..., 0], n_un, is_total,
                       deff) if deff else np.full(est.shape, np.nan))
        dvals = np.where(is_ratio, np.nan, dvals)  # R 4.1.1 fails on deff of replicate ratios
    # tidy, indicator-major as the linearization engine: each column, overall then domains
    e, se = _tmajor(est), np.sqrt(np.maximum(_tmajor(var), 0.0))
    df = np.tile(dom_df, k)
    rows = np.tile(dom_rows, k)
    prop = np.repeat([c.prop and c.kind == "mean" for c in cols], nl)
    lo, hi = _intervals(design, theta, var, e, se, df, rows, prop, ci, level)
    # a variance that is only rounding residue (a stratum variable's share when the
    # replicates come from a stratified design) is 0, as the linearization engine says
    noise = (se > 0) & (se <= 1e-12 * np.abs(e))
    se = np.where(noise, 0.0, se)
    lo, hi = np.where(noise, e, lo), np.where(noise, e, hi)
    deffs = np.where(noise & np.isfinite(_tmajor(dvals)), 0.0, _tmajor(dvals))
    count = _tmajor(n_un)
    empty = count == 0
    e, se, lo, hi = (np.where(empty, np.nan, x) for x in (e, se, lo, hi))
    dom_name = np.empty(nl, dtype=object)
    lev_name = np.empty(nl, dtype=object)
    for name, labels, off in zip(dom.names, dom.labels, dom.offsets):
        dom_name[off:off + len(labels)] = name
        lev_name[off:off + len(labels)] = labels
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = se / np.abs(e)
    from dhkit.survey.tidy import COLUMNS, EXTRA, Estimates

    table = pd.DataFrame({
        "indicator": np.repeat([c.indicator for c in cols], nl),
        "base": np.repeat([c.base for c in cols], nl),
        "domain": np.tile(dom_name, k), "level": np.tile(lev_name, k),
        "estimate": e, "se": se, "ci_low": lo, "ci_high": hi, "deff": deffs,
        "n_unweighted": count.round().astype(np.int64), "n_weighted": _tmajor(n_w),
        "flag": flags.flag(count), "df": df, "cv": cv,
        "category": np.repeat([c.category for c in cols], nl),
        "statistic": np.repeat([("proportion" if c.prop and c.kind == "mean" else c.kind)
                                for c in cols], nl),
        "ci_method": np.where(prop, ci, "t"),
    })[COLUMNS + EXTRA]
    if ci == "likelihood":
        _likelihood_rows(design, cols, dom, table, theta, level)
    vcov = None
    if covmat:
        reps = theta[..., 1:].transpose(1, 0, 2).reshape(-1, r)  # rows in table order
        vcov = design.variance(reps.T, e, covariance=True)
    return Estimates(table, vcov)


def _tmajor(x: np.ndarray) -> np.ndarray:
    """(levels, k) → indicator-major vector: each column's overall row, then its domains."""
    return np.asarray(x).T.ravel()


@dataclass(frozen=True)
class _RatioColumn:
    """A ratio request with the attributes of :class:`dhkit.survey.batch.Column`."""

    indicator: str
    category: str
    kind: str
    a: np.ndarray
    b: np.ndarray
    prop: bool
    base: str


def _logit_se(design, theta):
    """SE of logit(p) from logit(p) re-estimated in every replicate, in table order."""
    r = theta.shape[-1] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = np.log(theta / (1 - theta))
        v = design.variance(eta[..., 1:].reshape(-1, r).T, eta[..., 0].ravel())
    return np.sqrt(v.reshape(eta.shape[:2])).T.ravel()


def _likelihood_rows(design, cols, dom, table, theta, level) -> None:
    """Profile-likelihood intervals (R ``svyciprop(method="likelihood")``) per proportion
    row, with the design effect from the replicate variance of logit(p). R 4.1.1 returns
    NaN intervals on replicate designs; this is the linearization method of
    :func:`dhkit.survey.ci.likelihood_ci` with the replicate design effect (documented)."""
    from dhkit.survey.ci import likelihood_ci

    s_eta = _logit_se(design, theta)
    lo, hi = table.ci_low.to_numpy().copy(), table.ci_high.to_numpy().copy()
    nl = dom.n_levels
    w = design.w
    for j, c in enumerate(cols):
        if not (c.prop and c.kind == "mean"):
            continue
        has = np.isfinite(c.a)
        for code in dom.codes:
            for lv in np.unique(code[code >= 0]):
                row = j * nl + lv
                inl = code == lv
                rows = inl & has
                p = table.estimate.iat[row]
                if not rows.any() or not 0 < p < 1:
                    continue
                var = (s_eta[row] * p * (1 - p)) ** 2
                lo[row], hi[row] = likelihood_ci(c.a[rows], w[rows], w[inl].mean(), p, var,
                                                 table.df.iat[row], level)
    table["ci_low"], table["ci_high"] = lo, hi


def _deff(var, mean, sumsq, npop, nobs, is_total, kind):
    """R's ``deff=TRUE`` (or ``"replace"``) on a replicate design: the variance over the
    variance of simple random sampling of the same size (``svyvar``/n, times (N-n)/N)."""
    s2 = nobs / (nobs - 1) * (sumsq / npop - mean * mean)
    vsrs = s2 / nobs
    if kind != "replace":
        vsrs = vsrs * (npop - nobs) / npop
    vsrs = np.where(is_total, vsrs * npop * npop, vsrs)
    return var / vsrs


def _intervals(design, theta, var, e, se, df, rows, prop, method, level):
    """t intervals; for proportions R ``svyciprop``'s method on a replicate design.

    ``logit`` re-estimates logit(p) in every replicate, as R's replicate ``svyglm`` does
    (not the delta method). ``likelihood`` rows get the logit interval here and are
    replaced by :func:`_likelihood_rows`.
    """
    from dhkit.survey.ci import prop_ci, t_interval

    lo, hi = t_interval(e, se, df, level)
    if method == "mean" or not prop.any():
        return lo, hi
    p = e[prop]
    if method in ("logit", "likelihood"):
        s_eta = _logit_se(design, theta)[prop]
        with np.errstate(invalid="ignore", divide="ignore"):
            q = stats.t.ppf(1 - (1 - level) / 2, df[prop])
            eta0 = np.log(p / (1 - p))
            plo, phi = _expit(eta0 - q * s_eta), _expit(eta0 + q * s_eta)
    else:
        plo, phi = prop_ci(method, p, se[prop], df[prop], level, n_rows=rows[prop])
    lo, hi = lo.copy(), hi.copy()
    lo[prop], hi[prop] = plo, phi
    return lo, hi


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))

