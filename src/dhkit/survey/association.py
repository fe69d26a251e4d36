"""Tests of association on a survey design: Rao–Scott chi-square and the design-based t-test.

``chisq`` is R survey's ``svychisq`` (statistics ``"F"``, the default, and ``"Chisq"``):
Pearson's X² on the weighted table scaled to the sample size, corrected by the generalised
design effects Δ of the cell proportions (Rao & Scott 1984, *Ann. Statist.* 12:46–60;
Rao & Scott 1981, *JASA* 76:221–230). ``ttest`` is ``svyttest(y ~ group)``: the difference
of the two groups' means (the slope of ``svyglm(y ~ group)``) with its design SE, t on
``degf - 1`` degrees of freedom.

Both work on a linearization ``Design`` (variance from ``Design.vcov_total``, the design
restricted to complete rows as R's ``design[!is.na(...), ]``) and on a
:class:`~dhkit.survey.replicate.ReplicateDesign` (variance from the replicates). Written
here rather than taken from ``samplics``/``statsmodels`` because neither implements the
Rao–Scott F with R's degrees of freedom ``d0·ν`` nor accepts our design object.

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"w": 1.0, "c": range(8), "a": list("xxyyxxyy"), "b": list("pqpqppqq"),
...                    "y": [1.0, 2, 3, 4, 2, 3, 5, 6]})
>>> r = ttest(Design(df, weights="w", psu="c"), "y", "a")
>>> r.estimate, r.df
(2.5, 6)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, stats

from dhkit.errors import DhkitError
from dhkit.survey.replicate import ReplicateDesign, _require, numeric_values

# ---- what both design kinds provide -------------------------------------------------------


def mean_vcov(design, x: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means of the columns of ``x`` over ``rows`` and their (k, k) covariance.

    Linearization: influence values on the full design, zero outside ``rows`` (R ``svymean``
    on ``design[rows, ]``). Replicate design: the means re-computed with every replicate.
    """
    x = np.asarray(x, dtype=float).reshape(len(rows), -1)
    rows = np.asarray(rows, dtype=bool)
    xr = np.where(rows[:, None], x, 0.0)
    k = x.shape[1]
    if isinstance(design, ReplicateDesign):
        full, reps = design.replicate_totals(np.column_stack([xr, rows.astype(float)]))
        means = full[:k] / full[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            rep_means = reps[:, :k] / reps[:, k:]
        return means, design.variance(rep_means, means, covariance=True)
    w = np.where(rows, design.w, 0.0)
    total = w.sum()
    means = w @ xr / total
    z = np.where(rows[:, None], w[:, None] * (xr - means) / total, 0.0)
    return means, design.vcov_total(z, present=rows)


def subset_degf(design, rows: np.ndarray) -> int:
    """R ``degf(design[rows, ])``: PSUs minus strata with rows of nonzero weight
    (linearization), or the rank of those rows' replicate weights minus one (replicate)."""
    rows = np.asarray(rows, dtype=bool)
    if isinstance(design, ReplicateDesign):
        return design.subset_degf(rows)
    keep = rows & (np.asarray(design.w) != 0)
    return int(np.unique(design.psu_codes[keep]).size - np.unique(design.strata_codes[keep]).size)


def _levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna().unique())
        return [v for v in s.cat.categories if v in present]
    vals = s.dropna().unique()
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


# ---- Rao–Scott chi-square -----------------------------------------------------------------


@dataclass(frozen=True)
class ChisqResult:
    """A design-based test of association in a two-way table (R ``svychisq``).

    ``statistic`` is F = X²/mean... for ``"F"`` (with ``ndf``, ``ddf``), or Pearson's X² for
    ``"Chisq"`` (``ndf`` the table's degrees of freedom, ``ddf`` None); ``pearson`` the
    unadjusted X²; ``deltas_mean`` the mean generalised design effect.
    """

    row_var: str
    col_var: str
    statistic_type: str
    statistic: float
    ndf: float
    ddf: float | None
    p_value: float
    pearson: float
    deltas_mean: float
    method: str = "Pearson's X^2: Rao & Scott adjustment"

    @property
    def table(self) -> pd.DataFrame:
        """One tidy row (the same family of results as ``Estimates``/``GlmResult``)."""
        return pd.DataFrame([self.__dict__])


def _domain_rows(design, domain) -> np.ndarray:
    """Rows of the design's subset, narrowed by ``domain`` (an expression or a mask, as
    :meth:`~dhkit.survey.base.SurveyDesign.subset`)."""
    rows = design.in_domain()
    return rows if domain is None else design.subset(domain).in_domain()


def chisq(design, row_var: str, col_var: str, statistic: str = "F", domain=None) -> ChisqResult:
    """Rao–Scott adjusted chi-square test of association (R ``svychisq(~row+col, design)``).

    ``statistic="F"`` (default): X²/tr(Δ) against F(d0, d0·ν) with d0 = tr(Δ)²/tr(Δ²) and ν
    the design degrees of freedom; ``"Chisq"``: X² with p from χ²((r-1)(c-1)) at
    X²/mean(diag Δ). Rows missing either variable are left out (``na.rm=TRUE``).
    ``domain`` (an expression such as ``"sex == 2"``, or a mask) tests within a domain on
    the full design, as ``svychisq(~a+b, subset(design, sex == 2))``.

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"w": 1.0, "c": range(8), "a": list("xxyyxxyy"),
    ...                    "b": list("pqpqppqq")})
    >>> r = chisq(Design(df, weights="w", psu="c"), "a", "b")
    >>> r.statistic_type, round(r.pearson, 6)
    ('F', 2.0)
    """
    if statistic not in ("F", "Chisq"):
        raise DhkitError("REP-014", f"statistic={statistic!r} is not available; use 'F' "
                         "(Rao-Scott F, R's default) or 'Chisq'.")
    data = design.data
    rs, cs = _require(data, row_var), _require(data, col_var)
    rlev, clev = _levels(rs), _levels(cs)
    for name, lev in ((row_var, rlev), (col_var, clev)):
        if len(lev) < 2:
            raise DhkitError("REP-009", f"column {name!r} has {len(lev)} level(s) "
                             f"({', '.join(map(str, lev)) or 'no values'}); a test of "
                             "association needs at least 2. Choose another variable or "
                             "check the recoding.")
    nr, nc = len(rlev), len(clev)
    ri = pd.Categorical(rs, categories=rlev).codes
    ci = pd.Categorical(cs, categories=clev).codes
    inside = _domain_rows(design, domain)
    complete = (ri >= 0) & (ci >= 0) & inside
    cell = np.where(complete, ri + nr * ci, -1)  # R interaction(): rows vary fastest
    mm = (cell[:, None] == np.arange(nr * nc)[None, :]).astype(float)
    n_all = int(inside.sum())
    mean2, v = mean_vcov(design, mm, complete)
    if isinstance(design, ReplicateDesign):
        nu = design.degf if inside.all() else design.subset_degf(inside)
    elif inside.all():
        nu = np.unique(design.psu_codes).size - np.unique(design.strata_codes).size
    else:
        nu = subset_degf(design, inside)
    # Pearson X² on the weighted table scaled to the number of rows (R svytable(Ntotal=N))
    tab = np.bincount(cell[complete], weights=design.w[complete], minlength=nr * nc)
    tab = tab.reshape(nc, nr).T
    tab = tab[tab.sum(axis=1) > 0][:, tab.sum(axis=0) > 0]
    tab = tab * n_all / tab.sum()
    expected = np.outer(tab.sum(axis=1), tab.sum(axis=0)) / tab.sum()
    x2 = float(((tab - expected) ** 2 / expected).sum())
    # generalised design effects Δ of the interaction contrasts
    c = _interaction_contrasts(nr, nc)
    with np.errstate(divide="ignore"):
        idm = np.where(mean2 == 0, 0.0, 1.0 / mean2)
    denom = c.T @ (idm[:, None] * c) / n_all
    numr = c.T @ (idm[:, None] * v * idm[None, :]) @ c
    delta = linalg.solve(denom, numr)
    tr, tr2 = np.trace(delta), np.trace(delta @ delta)
    if statistic == "F":
        d0 = tr * tr / tr2
        f = x2 / tr
        return ChisqResult(row_var, col_var, "F", f, d0, d0 * nu,
                           float(stats.f.sf(f, d0, d0 * nu)), x2, tr / delta.shape[0])
    df = (nr - 1) * (nc - 1)
    p = float(stats.chi2.sf(x2 / np.mean(np.diag(delta)), df))
    return ChisqResult(row_var, col_var, "Chisq", x2, float(df), None, p, x2,
                       tr / delta.shape[0])


def _interaction_contrasts(nr: int, nc: int) -> np.ndarray:
    """Interaction columns of ``~rows*cols`` made orthogonal to the main effects
    (R ``qr.resid(qr(X1), X12[, -(1:(nr+nc-1))])``) over the cells, rows fastest."""
    r = np.tile(np.arange(nr), nc)
    c = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack([np.ones(nr * nc)]
                         + [(r == i).astype(float) for i in range(1, nr)]
                         + [(c == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((r == i) & (c == j)).astype(float)
                             for j in range(1, nc) for i in range(1, nr)])
    q, _ = np.linalg.qr(x1)
    return inter - q @ (q.T @ inter)


# ---- design-based t-test -----------------------------------------------------------------


@dataclass(frozen=True)
class TTestResult:
    """Design-based two-sample t-test (R ``svyttest(y ~ group, design)``): ``estimate`` is
    mean(y | second group) − mean(y | first group)."""

    y: str
    group: str
    groups: tuple[str, str]
    estimate: float
    se: float
    statistic: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float
    level: float = 0.95
    method: str = "Design-based t-test"

    @property
    def table(self) -> pd.DataFrame:
        """One tidy row (the same family of results as ``Estimates``/``GlmResult``)."""
        row = dict(self.__dict__)
        row["groups"] = " vs ".join(self.groups[::-1])
        return pd.DataFrame([row])


def ttest(design, y: str, group: str, level: float = 0.95, domain=None) -> TTestResult:
    """Difference in means between two groups with its design SE (R ``svyttest``).

    ``group`` must have two values: a category (the second level in sorted order minus
    the first) or numbers coded 0/1 or 1/2 (as R). Rows missing ``y`` or ``group`` are
    left out; df is ``degf`` of the design on the complete rows minus 1 (linearization)
    or of the replicate design minus 1 (replicate), as R. ``domain`` (an expression or a
    mask) tests within a domain on the full design (``svyttest(y ~ g, subset(design, ...))``).

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"w": 1.0, "c": range(6), "g": [0, 0, 0, 1, 1, 1],
    ...                    "y": [1.0, 2, 3, 3, 4, 5]})
    >>> r = ttest(Design(df, weights="w", psu="c"), "y", "g")
    >>> r.estimate, round(r.se, 4), r.df
    (2.0, 0.7303, 4)
    """
    if not 0 < level < 1:
        raise DhkitError("EST-025", f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    data = design.data
    yv = numeric_values(data, y)
    g, labels = _binary_group(_require(data, group), group)
    inside = _domain_rows(design, domain)
    complete = np.isfinite(yv) & np.isfinite(g) & inside
    y0 = np.where(complete, yv, 0.0)
    g0 = np.where(complete, g, 0.0)
    x = np.column_stack([y0 * g0, g0, y0 * (1 - g0), 1 - g0]) * complete[:, None]
    if isinstance(design, ReplicateDesign):
        full, reps = design.replicate_totals(x)
        est = full[0] / full[1] - full[2] / full[3]
        with np.errstate(invalid="ignore", divide="ignore"):
            rep = reps[:, 0] / reps[:, 1] - reps[:, 2] / reps[:, 3]
        se = float(np.sqrt(design.variance(rep[:, None], np.array([est]))[0]))
        df = (design.degf if inside.all() else design.subset_degf(inside)) - 1
    else:
        w = np.where(complete, design.w, 0.0)
        w1, w0 = (w * g0).sum(), (w * (1 - g0)).sum()
        m1, m0 = (w * g0 * y0).sum() / w1, (w * (1 - g0) * y0).sum() / w0
        est = m1 - m0
        z = w * (g0 * (y0 - m1) / w1 - (1 - g0) * (y0 - m0) / w0)
        se = float(np.sqrt(design.vcov_total(z[:, None], present=complete)[0, 0]))
        df = subset_degf(design, complete) - 1
    t = est / se
    q = stats.t.ppf(1 - (1 - level) / 2, df)
    return TTestResult(y, group, labels, float(est), se, float(t), int(df),
                       float(2 * stats.t.sf(abs(t), df)), float(est - q * se),
                       float(est + q * se), level)


def _binary_group(s: pd.Series, name: str) -> tuple[np.ndarray, tuple[str, str]]:
    """0/1 codes (NaN missing) of a two-valued group, and the labels (first, second)."""
    lev = _levels(s)
    if len(lev) != 2:
        raise DhkitError("REP-010", f"group column {name!r} has {len(lev)} value(s) "
                         f"({', '.join(map(str, lev[:5]))}); a t-test compares exactly 2 "
                         "groups. Recode it or choose another column.")
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        vals = {float(v) for v in lev}
        if not (vals <= {0.0, 1.0} or vals <= {1.0, 2.0}):
            raise DhkitError("REP-010", f"group column {name!r} is numeric with values "
                             f"{sorted(vals)}; code it 0/1 or 1/2, or make it categorical.")
    miss = s.isna().to_numpy()
    code = np.where(miss, np.nan, (s == lev[1]).to_numpy(dtype=float))
    return code, (str(lev[0]), str(lev[1]))


__all__ = ["ChisqResult", "TTestResult", "chisq", "mean_vcov", "subset_degf", "ttest"]
