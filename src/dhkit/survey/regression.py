"""Design-based regression: R ``svyglm``, ``regTermTest`` and ``svypredmeans`` (T. Lumley).

``glm(design, "y ~ x1 + C(x2)", family)`` fits a generalised linear model by weighted
iteratively reweighted least squares with the sampling weights, on either kind of design:

- linearization (:class:`~dhkit.survey.design.Design`): the sandwich variance of R
  ``svy.varcoef`` — the design covariance (:meth:`Design.vcov_total`, with the lonely-PSU
  rules, FPCs and calibration residuals of the design) of the rows' influence values
  ``x_i·w_i·(y_i − μ_i)·μ'(η_i)/V(μ_i) · A⁻¹``, A = X'WX;
- replicate weights (:class:`~dhkit.survey.replicate.ReplicateDesign`): the model refitted
  with every replicate's weights, started from the full-sample coefficients, and the
  replicate variance (R ``svrVar``) of the coefficients.

Families: ``gaussian`` (identity link), ``quasibinomial``/``binomial`` (logit),
``quasipoisson``/``poisson`` (log, for prevalence ratios). As in R, the family only
chooses the link and variance function: the coefficients and design-based SEs are the same
for ``binomial`` and ``quasibinomial``; ``dispersion`` is R's ``summary.svyglm`` value (the
design-weighted variance ``svyvar`` of the Pearson residuals), for display only: it equals
R on linearization designs with complete data; with missing values or replicate weights R's
value differs (not investigated; nothing else uses it).
Degrees of freedom are R's: ``degf(design) + 1 − p`` (the design restricted to the
complete rows of the domain for linearization, the domain's replicate rank for replicate
designs); t statistics, p-values and t intervals use them.

Formulas are Wilkinson formulas read by ``formulaic``: ``C(x)`` makes a categorical
variable (R ``factor(x)``, also accepted), text columns are categorical; the first level
(sorted) is the reference, as R's treatment contrasts. Rows missing any model variable are
left out (R ``na.action = na.omit``); ``subset``/``domain`` restrict the fit to a domain of
the full design (R ``svyglm(..., subset = )``).

Written here rather than taken from ``statsmodels``: its GLM has no design-based
(stratified, clustered, FPC, calibrated, replicate) variance; R's ``svyglm`` is the reference.

IRLS follows R ``glm.fit`` step by step (same start, same stopping rule, ``epsilon=1e-8``),
so results equal R's default ``svyglm`` rather than the exact maximum of the likelihood
(they differ in about the 9th digit). Deliberate difference from R: rank-deficient models
are refused (EST-031) where R reports ``NA`` coefficients.

>>> import pandas as pd
>>> from dhkit.survey import Design
>>> df = pd.DataFrame({"w": [1.0, 2, 1, 2, 1, 2], "c": range(6),
...                    "x": [1.0, 2, 3, 4, 5, 6], "y": [1.0, 2.5, 2.9, 4.4, 5.2, 5.8]})
>>> fit = glm(Design(df, weights="w", psu="c"), "y ~ x")
>>> fit.table[["term", "estimate"]].round(4).values.tolist()
[['(Intercept)', 0.4487], ['x', 0.9231]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dhkit.errors import DhkitError

# ---- families ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """A GLM family: link g, inverse link, dμ/dη, variance function V(μ)."""

    name: str
    link: str

    def linkfun(self, mu: np.ndarray) -> np.ndarray:
        if self.link == "identity":
            return mu
        if self.link == "logit":
            return np.log(mu / (1 - mu))
        return np.log(mu)

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        if self.link == "identity":
            return eta
        if self.link == "logit":
            return 1.0 / (1.0 + np.exp(-eta))
        return np.exp(eta)

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        if self.link == "identity":
            return np.ones_like(eta)
        if self.link == "logit":
            e = np.exp(-np.abs(eta))
            return e / (1 + e) ** 2
        return np.exp(eta)

    def variance(self, mu: np.ndarray) -> np.ndarray:
        if self.link == "identity":
            return np.ones_like(mu)
        if self.link == "logit":
            return mu * (1 - mu)
        return mu

    def start(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        """R's ``mustart``."""
        if self.link == "identity":
            return y.copy()
        if self.link == "logit":
            return (w * y + 0.5) / (w + 1)
        return y + 0.1


FAMILIES = {
    "gaussian": Family("gaussian", "identity"),
    "binomial": Family("quasibinomial", "logit"),
    "quasibinomial": Family("quasibinomial", "logit"),
    "logit": Family("quasibinomial", "logit"),
    "poisson": Family("quasipoisson", "log"),
    "quasipoisson": Family("quasipoisson", "log"),
    "log": Family("quasipoisson", "log"),
}


def family_of(name: str) -> Family:
    """A family by name (``gaussian``, ``binomial``/``quasibinomial``, ``poisson``/``quasipoisson``).

    >>> family_of("binomial").link
    'logit'
    """
    key = str(name).strip().lower()
    if key not in FAMILIES:
        raise DhkitError("EST-029", f"family {name!r} is not available; use gaussian, binomial "
                         "(quasibinomial, logit link) or poisson (quasipoisson, log link).")
    return FAMILIES[key]


# ---- the model matrix ----------------------------------------------------------------------


@dataclass(frozen=True)
class ModelFrame:
    """The rows a model is fitted on and its design matrix (formulaic ``ModelSpec`` kept to
    rebuild the matrix on new values, for predictive margins)."""

    rows: np.ndarray          # bool (n,): complete rows of the domain
    X: np.ndarray             # (rows.sum(), p)
    y: np.ndarray
    names: list[str]
    terms: dict[str, list[int]]
    spec: Any = field(repr=False)
    variables: list[str] = field(default_factory=list)


def _formula(text: str) -> str:
    if "~" not in str(text):
        raise DhkitError("EST-030", f"formula {text!r} has no '~'; write it as \"y ~ x1 + C(x2)\".")
    return re.sub(r"\bfactor\(", "C(", str(text))


def model_frame(design, formula: str, rows: np.ndarray | None = None) -> ModelFrame:
    """The complete rows of the design's domain (and ``rows``) for ``formula``, and the
    model matrix on them (treatment contrasts, first level the reference)."""
    import formulaic

    text = _formula(formula)
    data = design.data
    try:
        f = formulaic.Formula(text)
        needed = [v for v in f.required_variables if v in data.columns]
    except Exception as e:
        raise DhkitError("EST-030", f"formula {formula!r} could not be read ({e}); write it as "
                         "\"y ~ x1 + C(x2)\" with column names of the data.") from None
    from dhkit.survey.design import columns_hint

    missing = sorted(str(v) for v in f.required_variables
                     if v not in data.columns and str(v) not in ("C", "np", "I"))
    if missing:
        raise DhkitError("EST-013", f"formula {formula!r} names column(s) {', '.join(missing)} "
                         f"not in the data; {columns_hint(missing, data.columns)}")
    keep = design.in_domain().copy()
    if rows is not None:
        keep &= np.asarray(rows, bool)
    keep &= ~data[needed].isna().any(axis=1).to_numpy()
    if not keep.any():
        raise DhkitError("EST-015", f"no row has every variable of {formula!r} (in the domain).")
    sub = data.loc[keep, needed].copy()
    for c in sub.columns:
        if isinstance(sub[c].dtype, pd.CategoricalDtype):
            sub[c] = sub[c].cat.remove_unused_categories()
    try:
        mm = formulaic.model_matrix(text, sub, na_action="raise")
    except Exception as e:
        raise DhkitError("EST-030", f"formula {formula!r} could not be applied to the data "
                         f"({type(e).__name__}: {e}).") from None
    lhs, rhs = mm.lhs, mm.rhs
    if lhs.shape[1] != 1:
        raise DhkitError("EST-030", f"formula {formula!r}: the response must be one numeric "
                         "column (write a 0/1 variable, or I(x == 'yes')).")
    y = np.asarray(lhs, dtype=float)[:, 0]
    names = ["(Intercept)" if c == "Intercept" else str(c) for c in rhs.columns]
    terms = {("(Intercept)" if str(t) == "1" else str(t)): list(ix)
             for t, ix in rhs.model_spec.term_indices.items()}
    return ModelFrame(keep, np.asarray(rhs, dtype=float), y, names, terms, rhs.model_spec,
                      needed)


# ---- fitting -------------------------------------------------------------------------------


def _deviance(fam: Family, y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    """Σ of R's ``dev.resids`` (the family's deviance, used only to stop the iterations)."""
    if fam.link == "identity":
        return float(np.sum(w * (y - mu) ** 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        if fam.link == "logit":
            a = np.where(y > 0, y * np.log(y / mu), 0.0)
            b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
            return float(np.sum(2 * w * (a + b)))
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        return float(np.sum(2 * w * (a - (y - mu))))


@dataclass(frozen=True)
class IrlsFit:
    """IRLS result: coefficients, the working weights of the last iteration (as R's
    ``glm$weights``), the final linear predictor, and the number of iterations."""

    coef: np.ndarray
    working: np.ndarray
    eta: np.ndarray
    iterations: int


def irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, fam: Family,
         start: np.ndarray | None = None, epsilon: float = 1e-8, maxit: int = 25) -> IrlsFit:
    """Weighted IRLS exactly as R ``glm.fit``: start from R's ``mustart`` (or ``start``),
    stop when the deviance changes by less than ``epsilon`` relative
    (|dev − dev_old|/(|dev| + 0.1)); the working weights kept are those of the last
    iteration's fit, as R keeps them for ``summary``/``svy.varcoef``. Following R's
    path step by step is what makes the SEs equal R's to 1e-8 (the last step still moves
    the coefficients by about √epsilon)."""
    if start is None:
        eta = fam.linkfun(fam.start(y, w))
    else:
        eta = X @ start
    mu = fam.linkinv(eta)
    devold = _deviance(fam, y, mu, w)
    beta = start
    for it in range(1, maxit + 1):
        d = fam.mu_eta(eta)
        z = eta + (y - mu) / d
        ww = w * d * d / fam.variance(mu)
        beta = _wls(X, z, ww)
        if not np.all(np.isfinite(beta)):
            raise DhkitError("EST-032", "the model did not converge (coefficients became "
                             "infinite); check for a covariate that separates the outcome.")
        eta = X @ beta
        mu = fam.linkinv(eta)
        dev = _deviance(fam, y, mu, w)
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            return IrlsFit(beta, ww, eta, it)
        devold = dev
    raise DhkitError("EST-032", f"the model did not converge in {maxit} iterations; check for "
                     "separation (a covariate level where the outcome is always 0 or 1).")


def _wls(X: np.ndarray, z: np.ndarray, ww: np.ndarray) -> np.ndarray:
    """Weighted least squares by the normal equations (Cholesky of X'WX, p × p: one pass
    over the rows); a least-squares solve if X'WX is not positive definite."""
    xw = X * ww[:, None]
    g = xw.T @ X
    try:
        c = np.linalg.cholesky(g)
        return np.linalg.solve(c.T, np.linalg.solve(c, xw.T @ z))
    except np.linalg.LinAlgError:
        sw = np.sqrt(ww)
        return np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)[0]


def _rank(X: np.ndarray) -> int:
    """Column rank of X from the Gram matrix of its unit-norm columns (eigenvalues above
    1e-10 of the largest: singular values above 1e-5, R's ``qr`` tolerance)."""
    from dhkit.survey.replicate.variance import gram_rank

    return gram_rank(X.T @ X)


def _pieces(X, y, fit: IrlsFit, fam):
    """(A⁻¹ = (X'WX)⁻¹, per-row score contributions, μ) as R ``svy.varcoef``: W the last
    working weights, the score x·W·(working residual at the final coefficients)."""
    mu = fam.linkinv(fit.eta)
    ainv = np.linalg.inv((X * fit.working[:, None]).T @ X)
    score = X * (fit.working * (y - mu) / fam.mu_eta(fit.eta))[:, None]
    return ainv, score, mu


# ---- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaldTest:
    """A Wald test that some coefficients are zero (R ``regTermTest``): ``F`` = χ²/df on
    (df, ddf) degrees of freedom, or ``Chisq`` on df. ``.table`` gives one row."""

    terms: tuple[str, ...]
    test: str
    statistic: float
    chisq: float
    df: int
    ddf: float
    p_value: float

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{"terms": " + ".join(self.terms), "test": self.test,
                              "statistic": self.statistic, "chisq": self.chisq, "df": self.df,
                              "ddf": self.ddf, "p_value": self.p_value}])


@dataclass(frozen=True)
class GlmResult:
    """A fitted design-based GLM (R ``svyglm``). ``.table`` is tidy: ``term, estimate, se,
    t, p, df, ci_low, ci_high``; :meth:`exp` gives odds ratios (logit) or prevalence ratios
    (log); :meth:`wald` tests terms; :meth:`margins` gives predictive margins."""

    formula: str
    family: Family
    names: list[str]
    coef: np.ndarray
    vcov: np.ndarray
    df: float
    dispersion: float
    n: int
    level: float
    terms: dict[str, list[int]] = field(repr=False)
    frame: ModelFrame = field(repr=False)
    design: Any = field(repr=False)
    weights: np.ndarray = field(repr=False)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.maximum(np.diag(self.vcov), 0.0))

    def _ci(self, level: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        level = self.level if level is None else level
        q = stats.t.ppf(1 - (1 - level) / 2, self.df) if self.df > 0 else np.nan
        return self.coef - q * self.se, self.coef + q * self.se

    @property
    def table(self) -> pd.DataFrame:
        se = self.se
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.coef / se
        p = 2 * stats.t.sf(np.abs(t), self.df) if self.df > 0 else np.full_like(t, np.nan)
        lo, hi = self._ci()
        return pd.DataFrame({"term": self.names, "estimate": self.coef, "se": se,
                             "ci_low": lo, "ci_high": hi, "t": t, "p": p,
                             "df": float(self.df)})

    def exp(self, level: float | None = None) -> pd.DataFrame:
        """Exponentiated coefficients with their intervals: odds ratios (logit link) or
        prevalence/rate ratios (log link); ``se`` stays on the log scale.

        >>> import pandas as pd
        >>> from dhkit.survey import Design
        >>> df = pd.DataFrame({"w": 1.0, "c": range(8), "g": [0, 0, 0, 0, 1, 1, 1, 1],
        ...                    "y": [0, 0, 0, 1, 0, 1, 1, 1]})
        >>> fit = glm(Design(df, weights="w", psu="c"), "y ~ g", "poisson")
        >>> round(float(fit.exp().estimate[1]), 6)   # prevalence ratio 0.75 / 0.25
        3.0
        """
        t = self.table
        lo, hi = self._ci(level)
        t["estimate"], t["ci_low"], t["ci_high"] = np.exp(self.coef), np.exp(lo), np.exp(hi)
        t["scale"] = {"logit": "odds ratio", "log": "ratio"}.get(self.family.link, "exp")
        return t

    def wald(self, terms: str | Sequence[str], test: str = "F", df: float | None = None
             ) -> WaldTest:
        """Wald test that every coefficient of ``terms`` is zero (R ``regTermTest``, method
        "Wald"): ``test="F"`` (F = χ²/k on k and the model's residual df) or ``"Chisq"``
        (χ² on k df, R's ``df = Inf``). Terms are named as in the formula (``"C(race)"``,
        ``"x1"``); several test jointly.
        """
        terms = [terms] if isinstance(terms, str) else list(terms)
        idx: list[int] = []
        for term in terms:
            key = re.sub(r"\bfactor\(", "C(", term)
            if key not in self.terms:
                raise DhkitError("EST-030", f"term {term!r} is not in the model; its terms are "
                                 f"{', '.join(self.terms)}.")
            idx += self.terms[key]
        if test not in ("F", "Chisq"):
            raise DhkitError("EST-029", f"test={test!r}: use 'F' or 'Chisq'.")
        b = self.coef[idx]
        chisq = float(b @ np.linalg.solve(self.vcov[np.ix_(idx, idx)], b))
        k = len(idx)
        ddf = self.df if df is None else df
        if test == "F" and np.isfinite(ddf):
            f = chisq / k
            return WaldTest(tuple(terms), "F", f, chisq, k, float(ddf),
                            float(stats.f.sf(f, k, ddf)))
        return WaldTest(tuple(terms), "Chisq", chisq, chisq, k, float("inf"),
                        float(stats.chi2.sf(chisq, k)))

    def margins(self, group: str, levels: Sequence | None = None) -> pd.DataFrame:
        """Predictive margins (R ``svypredmeans``): for each level of ``group`` (a variable
        of the model), the weighted mean over the fitted rows of the prediction with every
        row set to that level — adjusted prevalences for a logit or log model. The variance
        is R's: the design variance of the mean of the predictions plus gᵀVg, g the
        derivative of the margin in the coefficients (no covariance term, as R).
        """
        return predictive_margins(self, group, levels)


def glm(design, formula: str, family: str = "gaussian", *, subset=None, level: float = 0.95,
        epsilon: float = 1e-8, maxit: int = 25) -> GlmResult:
    """Fit a design-based GLM (R ``svyglm``) on a linearization or replicate design.

    ``subset`` (an expression such as ``"age >= 14"``, or a mask) fits in a domain of the
    full design (R ``svyglm(subset = )``). ``epsilon``/``maxit`` are R's
    ``glm.control``. See the module docstring for the method.

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"w": 1.0, "c": range(8), "g": [0, 0, 0, 0, 1, 1, 1, 1],
    ...                    "y": [0, 0, 0, 1, 0, 1, 1, 1]})
    >>> fit = glm(Design(df, weights="w", psu="c"), "y ~ g", "binomial")
    >>> round(float(fit.exp().estimate[1]), 6)   # odds ratio (3/1) / (1/3)
    9.0
    """
    from dhkit.survey.replicate.design import ReplicateDesign

    fam = family_of(family)
    if not 0 < level < 1:
        raise DhkitError("EST-025", f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    d = design.subset(subset) if subset is not None else design
    mf = model_frame(d, formula)
    X, y, rows = mf.X, mf.y, mf.rows
    p = X.shape[1]
    rank = _rank(X)
    if rank < p:
        raise DhkitError("EST-031", f"the model {formula!r} has collinear columns (rank "
                         f"{rank} of {p}); drop a redundant covariate or merge empty levels.")
    if fam.link == "logit" and ((y < 0) | (y > 1)).any():
        raise DhkitError("EST-029", "a binomial model needs a 0/1 (or 0-1) response; recode it.")
    if fam.link == "log" and (y < 0).any():
        raise DhkitError("EST-029", "a poisson model needs a response >= 0.")
    dom = d.in_domain()
    w_all = np.asarray(d.w, dtype=float)
    w = w_all[rows] / w_all[dom].mean()  # R rescales to mean 1 over the design's rows
    res = irls(X, y, w, fam, epsilon=epsilon, maxit=maxit)
    beta = res.coef
    ainv, score, mu = _pieces(X, y, res, fam)
    var = fam.variance(mu)
    if isinstance(d, ReplicateDesign):
        vcov = _replicate_vcov(d, mf, beta, fam, epsilon, maxit)
        degf = d.degf if dom.all() else d.subset_degf(dom)
    else:
        infl = np.zeros((d.n, p))
        infl[rows] = score @ ainv
        vcov = d.vcov_total(infl, present=rows)
        from dhkit.survey.association import subset_degf

        degf = subset_degf(d, rows)
    pr = (y - mu) / np.sqrt(var)  # R residuals.svyglm(type = "pearson"): no prior weights
    wr = w_all[rows]
    n = len(pr)
    centre = np.sum(wr * pr) / wr.sum()
    dispersion = float(n / (n - 1) * np.sum(wr * (pr - centre) ** 2) / wr.sum()) if n > 1 else np.nan
    return GlmResult(str(formula), fam, mf.names, beta, vcov, float(degf + 1 - p), dispersion,
                     int(rows.sum()), level, mf.terms, mf, d, w)


def _replicate_vcov(d, mf: ModelFrame, beta: np.ndarray, fam: Family, epsilon: float,
                    maxit: int) -> np.ndarray:
    """Refit with every replicate's weights from ``beta`` (R ``svyglm.svyrep.design``)."""
    reps = d.analysis_weights[mf.rows]
    betas = np.empty((reps.shape[1], len(beta)))
    for r in range(reps.shape[1]):
        wr = reps[:, r]
        s = wr.sum()
        betas[r] = irls(mf.X, mf.y, wr / s if s > 0 else wr, fam, start=beta,
                        epsilon=epsilon, maxit=maxit).coef
    return d.variance(betas, beta, covariance=True)


# ---- predictive margins --------------------------------------------------------------------


def predictive_margins(fit: GlmResult, group: str, levels: Sequence | None = None
                       ) -> pd.DataFrame:
    """Predictive margins of ``group`` from a fitted model (R ``svypredmeans``); see
    :meth:`GlmResult.margins`. Returns ``level, estimate, se, ci_low, ci_high, df``.

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> df = pd.DataFrame({"w": 1.0, "c": range(8), "g": list("aaaabbbb"),
    ...                    "y": [0, 0, 0, 1, 0, 1, 1, 1]})
    >>> fit = glm(Design(df, weights="w", psu="c"), "y ~ g", "binomial")
    >>> fit.margins("g").estimate.round(4).tolist()
    [0.25, 0.75]
    """
    from dhkit.survey.association import mean_vcov

    if not np.array_equal(fit.frame.rows, fit.design.in_domain()):
        # R refits on the model's survey.design, i.e. the complete rows only (the weights
        # rescaled over them): follow it so the IRLS path, hence the digits, are R's
        fit = glm(fit.design.subset(fit.frame.rows), fit.formula, fit.family.name,
                  level=fit.level)
    mf, d = fit.frame, fit.design
    if group not in mf.variables:
        raise DhkitError("EST-030", f"group {group!r} is not a variable of the model "
                         f"{fit.formula!r}; add it (e.g. + C({group})).")
    sub = d.data.loc[mf.rows, mf.variables].copy()
    if levels is None:
        col = sub[group]
        levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                  else sorted(col.unique(), key=lambda v: (str(type(v)), v)))
    w = np.asarray(d.w, dtype=float)[mf.rows]
    fam = fit.family
    fits = np.empty((len(sub), len(levels)))
    grad = np.empty((len(fit.coef), len(levels)))
    for i, lev in enumerate(levels):
        alt = sub.copy()
        if isinstance(alt[group].dtype, pd.CategoricalDtype):
            alt[group] = pd.Categorical([lev] * len(alt), categories=alt[group].cat.categories)
        else:
            alt[group] = lev
        X = np.asarray(mf.spec.get_model_matrix(alt, na_action="ignore"), dtype=float)
        eta = X @ fit.coef
        fits[:, i] = fam.linkinv(eta)
        grad[:, i] = X.T @ (w * fam.mu_eta(eta)) / w.sum()
    full = np.zeros((d.n, len(levels)))
    full[mf.rows] = fits
    means, v = mean_vcov(d, full, mf.rows)
    v = v + grad.T @ fit.vcov @ grad
    se = np.sqrt(np.maximum(np.diag(v), 0.0))
    q = stats.t.ppf(1 - (1 - fit.level) / 2, fit.df) if fit.df > 0 else np.nan
    from dhkit.survey.batch import label

    return pd.DataFrame({"level": [label(v) for v in levels], "estimate": means, "se": se,
                         "ci_low": means - q * se, "ci_high": means + q * se,
                         "df": float(fit.df)})


__all__ = ["FAMILIES", "Family", "GlmResult", "WaldTest", "family_of", "glm",
           "model_frame", "predictive_margins"]
