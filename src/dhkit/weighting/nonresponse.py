"""Base weights, the within-household selection factor, and nonresponse adjustment by
weighting classes or by response propensity (logistic model), with a cap on the factor.

Weighting classes (Kalton & Flores-Cervantes 2003, §2): in class c the respondents' weights
are multiplied by Σ_{eligible in c} w / Σ_{respondents in c} w.

Response propensity (Little 1986; Valliant, Dever & Kreuter 2018, ch. 13): a weighted
logistic regression of response on covariates (IRLS written with numpy: no scikit-learn),
then either the inverse propensity 1/p̂ per respondent, or, more stably, weighting classes
formed by quantiles of p̂ (``classes=5``). Factors above ``cap`` are set to ``cap``.

>>> import numpy as np
>>> r = nonresponse_classes([1., 1., 1., 1.], respond=[1, 0, 1, 1], classes=["a", "a", "b", "b"])
>>> r.weights.tolist(), r.table["factor"].tolist()
([2.0, 0.0, 1.0, 1.0], [2.0, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError


def base_weights(frame: pd.DataFrame, probabilities: list[str]) -> np.ndarray:
    """Base weight = 1 / product of the stage inclusion probabilities (named columns).

    >>> base_weights(pd.DataFrame({"p1": [0.1, 0.5], "p2": [0.5, 0.2]}), ["p1", "p2"]).tolist()
    [20.0, 10.0]
    """
    p = np.ones(len(frame))
    for col in probabilities:
        if col not in frame.columns:
            raise DhkitError("WGT-016", f"no column '{col}' for a stage probability; name the "
                             "columns written by `dhkit sample draw` (p_psu, p_hh, p_child).")
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)
        bad = ~(v > 0) | ~(v <= 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DhkitError("WGT-016", f"column '{col}': {int(bad.sum())} probability(ies) "
                             f"missing or outside (0, 1], first at row {i + 1}; fix the "
                             "selection record.")
        p = p * v
    return 1.0 / p


def household_factor(eligible) -> np.ndarray:
    """Within-household selection factor: the number of eligible children (one chosen).

    >>> household_factor([1, 3]).tolist()
    [1.0, 3.0]
    """
    k = pd.to_numeric(pd.Series(eligible), errors="coerce").to_numpy(float)
    bad = ~(k >= 1)
    if bad.any():
        raise DhkitError("WGT-016", f"{int(bad.sum())} household(s) with a missing or zero "
                         f"number of eligible children (first at row {int(np.flatnonzero(bad)[0]) + 1}); "
                         "a selected child's household has at least one.")
    return k


@dataclass(frozen=True)
class NonresponseAdjustment:
    """Adjusted weights (0 for nonrespondents), the factor per row and per class."""

    method: str
    weights: np.ndarray
    factors: np.ndarray
    table: pd.DataFrame
    n_capped: int


def _as_bool(respond) -> np.ndarray:
    r = pd.Series(respond)
    if r.isna().any():
        raise DhkitError("WGT-011", f"response indicator has {int(r.isna().sum())} missing "
                         "value(s); code every eligible unit 1 (responded) or 0.")
    return r.astype(float).to_numpy() > 0


def _class_labels(classes) -> np.ndarray:
    if isinstance(classes, pd.DataFrame):
        return classes.astype(str).agg(":".join, axis=1).to_numpy()
    return pd.Series(classes).astype(str).to_numpy()


def nonresponse_classes(weights, respond, classes, cap: float | None = None
                        ) -> NonresponseAdjustment:
    """Weighting-class nonresponse adjustment; a class without respondents is an error.

    Reference: Kalton & Flores-Cervantes (2003) J. Off. Stat. 19:81–97.

    >>> nonresponse_classes([1., 1.], [1, 0], ["a", "a"], cap=1.5).weights.tolist()
    [1.5, 0.0]
    """
    w = np.asarray(weights, dtype=float)
    resp = _as_bool(respond)
    labels = _class_labels(classes)
    codes, uniq = pd.factorize(labels, sort=True)
    k = len(uniq)
    tot = np.bincount(codes, weights=w, minlength=k)
    rtot = np.bincount(codes, weights=w * resp, minlength=k)
    n = np.bincount(codes, minlength=k)
    nr = np.bincount(codes, weights=resp.astype(float), minlength=k).astype(int)
    empty = [str(uniq[j]) for j in np.flatnonzero(rtot <= 0)]
    if empty:
        raise DhkitError("WGT-011", f"weighting class(es) {', '.join(map(repr, empty[:5]))} have "
                         "no respondents (or zero weight); merge each with a similar class and "
                         "run again.")
    factor = tot / rtot
    capped = np.minimum(factor, cap) if cap is not None else factor
    row = np.where(resp, capped[codes], 0.0)
    table = pd.DataFrame({"class": uniq, "n": n, "respondents": nr, "weight_eligible": tot,
                          "weight_respondents": rtot, "factor_uncapped": factor,
                          "factor": capped})
    n_capped = int(((factor > capped) * nr).sum())
    return NonresponseAdjustment("classes", w * row, np.where(resp, capped[codes], np.nan),
                                 table, n_capped)


@dataclass(frozen=True)
class LogisticFit:
    coef: np.ndarray
    names: list[str]
    iterations: int


def logistic_irls(X: np.ndarray, y: np.ndarray, w: np.ndarray, *, maxit: int = 50,
                  tol: float = 1e-10) -> tuple[np.ndarray, int]:
    """Weighted logistic regression by iteratively reweighted least squares (as R ``glm``
    with ``family=quasibinomial``, weights = sampling weights)."""
    beta = np.zeros(X.shape[1])
    for it in range(1, maxit + 1):
        eta = X @ beta
        p = 1 / (1 + np.exp(-eta))
        v = np.clip(p * (1 - p), 1e-12, None)
        z = eta + (y - p) / v
        WX = X * (w * v)[:, None]
        new = np.linalg.lstsq(WX.T @ X, WX.T @ z, rcond=None)[0]
        if np.max(np.abs(new - beta)) < tol * (1 + np.max(np.abs(beta))):
            return new, it
        beta = new
    raise DhkitError("WGT-012", f"the response propensity model did not converge in {maxit} "
                     "iterations (a covariate may predict response perfectly); drop or "
                     "collapse that covariate, or use weighting classes.")


def _design_matrix(covariates: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    cols, names = [np.ones(len(covariates))], ["(Intercept)"]
    for c in covariates.columns:
        s = covariates[c]
        if s.isna().any():
            raise DhkitError("WGT-012", f"propensity covariate '{c}' has {int(s.isna().sum())} "
                             "missing value(s); impute them or leave the covariate out.")
        if pd.api.types.is_numeric_dtype(s) and s.nunique() > 10:
            cols.append(s.to_numpy(float))
            names.append(c)
        else:
            levels = sorted(s.astype(str).unique())
            for lev in levels[1:]:
                cols.append((s.astype(str) == lev).to_numpy(float))
                names.append(f"{c}{lev}")
    return np.column_stack(cols), names


def nonresponse_propensity(weights, respond, covariates: pd.DataFrame, *,
                           cap: float | None = None, classes: int | None = 5
                           ) -> NonresponseAdjustment:
    """Nonresponse adjustment from a weighted logistic response-propensity model.

    ``classes=k``: weighting classes from the k quantile groups of p̂ (recommended);
    ``classes=None``: factor 1/p̂ per respondent. Numeric covariates with more than ten
    values enter linearly, the rest as categories.

    Reference: Little (1986) Int. Stat. Rev. 54:139–157; Valliant, Dever & Kreuter (2018) §13.

    >>> import pandas as pd
    >>> cov = pd.DataFrame({"area": ["u", "u", "r", "r", "u", "r"]})
    >>> r = nonresponse_propensity([1.] * 6, [1, 0, 1, 1, 1, 0], cov, classes=None)
    >>> [round(float(f), 3) for f in r.factors[[0, 2]]]
    [1.5, 1.5]
    """
    w = np.asarray(weights, dtype=float)
    resp = _as_bool(respond)
    X, names = _design_matrix(covariates.reset_index(drop=True))
    beta, _ = logistic_irls(X, resp.astype(float), w)
    p = 1 / (1 + np.exp(-(X @ beta)))
    if classes:
        q = pd.qcut(pd.Series(p).rank(method="first"), classes, labels=False)
        adj = nonresponse_classes(w, resp, q.to_numpy() + 1, cap)
        return NonresponseAdjustment("propensity classes", adj.weights, adj.factors, adj.table,
                                     adj.n_capped)
    factor = 1 / p
    capped = np.minimum(factor, cap) if cap is not None else factor
    table = pd.DataFrame({"term": names, "coefficient": beta})
    return NonresponseAdjustment("inverse propensity", np.where(resp, w * capped, 0.0),
                                 np.where(resp, capped, np.nan), table,
                                 int(((factor > capped) & resp).sum()))
