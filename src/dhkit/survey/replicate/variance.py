"""The replicate variance formula (R ``survey:::svrVar``) and the rank R uses for ``degf``.

    V = scale * sum_r rscales[r] * (theta_r - centre)^2

with ``centre`` the mean of the replicates (``mse=False``, R's default option
``survey.replicates.mse``) or the full-sample estimate (``mse=True``). Reference: Wolter
(2007) *Introduction to Variance Estimation*, ch. 3-5; Lumley (2010) *Complex Surveys* 2.3.
"""

from __future__ import annotations

import numpy as np


def svrvar(
    thetas: np.ndarray,
    full: np.ndarray,
    *,
    scale: float,
    rscales: np.ndarray,
    mse: bool = False,
    covariance: bool = False,
) -> np.ndarray:
    """Replicate variance of estimates (R ``survey:::svrVar``), vectorised over columns.

    ``thetas`` is (replicates, k) replicate estimates, ``full`` the k full-sample estimates.
    Returns the k variances, or the (k, k) covariance with ``covariance=True``. A replicate
    whose estimate is not finite (an empty domain in that replicate) is left out of that
    column, as R leaves out replicates with ``NA`` results.

    >>> th = np.array([[1.0], [3.0]])
    >>> svrvar(th, np.array([2.0]), scale=0.5, rscales=np.ones(2))
    array([1.])
    """
    thetas = np.asarray(thetas, dtype=float)
    if thetas.ndim == 1:
        thetas = thetas[:, None]
    full = np.atleast_1d(np.asarray(full, dtype=float))
    ok = np.isfinite(thetas)
    if mse:
        centre = full
    else:
        use = ok & (rscales > 0)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.where(use, thetas, 0.0).sum(axis=0) / use.sum(axis=0)
    dev = np.where(ok, thetas - centre, 0.0)
    none = ~ok.any(axis=0)
    if covariance:
        v = scale * (dev * rscales[:, None]).T @ dev
        v[none, :] = np.nan
        v[:, none] = np.nan
        return v
    v = scale * (rscales[:, None] * dev * dev).sum(axis=0)
    v[none] = np.nan
    return v


def _rank(a: np.ndarray) -> int:
    """Numerical column rank, as R's ``qr(x, tol = 1e-5)$rank`` for well-posed inputs."""
    if a.size == 0:
        return 0
    return gram_rank(a.T @ a)


def gram_rank(g: np.ndarray) -> int:
    """Rank of a matrix from its Gram matrix ``g = AᵀA``: eigenvalues of the Gram matrix of
    unit-norm columns above 1e-10 of the largest (singular values above 1e-5, R's tol)."""
    d = np.diag(g).copy()
    keep = d > 0
    if not keep.any():
        return 0
    s = 1.0 / np.sqrt(d[keep])
    ev = np.linalg.eigvalsh(g[np.ix_(keep, keep)] * s[:, None] * s[None, :])
    return int((ev > ev.max() * 1e-10).sum())

