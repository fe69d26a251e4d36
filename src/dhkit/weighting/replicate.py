"""Replicate weights that keep the calibration: JKn from the design and the Rao–Wu
(rescaling) bootstrap, each replicate re-calibrated to the same margins, as R
``calibrate()`` / ``rake()`` / ``postStratify()`` do on a ``svyrep.design``.

JKn (R ``jknweights``): one replicate per PSU; the PSU's rows get weight 0, the other PSUs of
its stratum are multiplied by n_h / (n_h − 1); ``rscales = (n_h − 1) / n_h``, ``scale = 1``.
Strata and PSUs are taken in order of first appearance, as R.

Rao–Wu bootstrap (Rao & Wu 1988; Rao, Wu & Yue 1992; R ``subbootweights``): in each stratum
draw n_h − 1 PSUs with replacement from the n_h; multiplier = count · n_h / (n_h − 1);
``scale = 1 / (R − 1)``, ``rscales = 1``.

Re-calibration: raking replicates get the same number of sweeps as the full sample (R rakes
the replicates inside the same loop); ``calibrate`` methods solve each replicate on its own,
starting from zero, with no failure check (as R).

>>> import pandas as pd
>>> r = jkn_weights([1., 1., 1., 1.], strata=[1, 1, 2, 2], psu=[1, 2, 3, 4])
>>> r.weights[:, 0].tolist(), r.rscales.tolist()
([0.0, 2.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5])
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError
from dhkit.weighting.calibrate import (
    Calibration,
    Cells,
    calibration_matrix,
    grake_cells,
    rake_cells,
)


@dataclass(frozen=True)
class ReplicateWeights:
    """An (n, R) matrix of replicate weights with R's variance constants."""

    weights: np.ndarray
    full: np.ndarray
    type: str
    scale: float
    rscales: np.ndarray

    @property
    def replicates(self) -> int:
        return self.weights.shape[1]

    def to_frame(self, prefix: str = "repw") -> pd.DataFrame:
        """Columns ``repw1..repwR`` (for storing with the data)."""
        return pd.DataFrame(self.weights, columns=[f"{prefix}{i + 1}" for i in
                                                   range(self.replicates)])

    def variance(self, thetas: np.ndarray, full: float, mse: bool = False) -> float:
        """R ``svrVar``: scale · Σ rscales (θ_r − centre)²."""
        centre = full if mse else float(np.mean(thetas))
        return float(self.scale * np.sum(self.rscales * (np.asarray(thetas) - centre) ** 2))

    def to_design(self, data: pd.DataFrame, mse: bool = False):
        """A :class:`dhkit.survey.replicate.ReplicateDesign` on ``data``."""
        from dhkit.survey.replicate import ReplicateDesign

        return ReplicateDesign.from_arrays(data, self.full, self.weights, type=self.type,
                                           scale=self.scale, rscales=self.rscales,
                                           combined_weights=True, mse=mse)


def _first_order(values) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(pd.Series(np.asarray(values)), sort=False)
    return codes, uniques


def _psu_table(strata, psu, n: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    s_codes, s_labels = _first_order(np.zeros(n) if strata is None else strata)
    key = pd.Series(s_codes).astype(str) + "\x00" + pd.Series(np.asarray(psu)).astype(str)
    p_codes, _ = _first_order(key)
    psu_stratum = np.zeros(p_codes.max() + 1, dtype=int)
    psu_stratum[p_codes] = s_codes
    by_stratum = [np.flatnonzero(psu_stratum == h) for h in range(len(s_labels))]
    for h, psus in enumerate(by_stratum):
        if len(psus) < 2:
            raise DhkitError("WGT-015", f"stratum {s_labels[h]!r} has only one PSU; replicate "
                             "weights need two or more per stratum: merge it with a neighbour.")
    return p_codes, psu_stratum, by_stratum


def jkn_weights(weights, strata, psu) -> ReplicateWeights:
    """Stratified delete-one-PSU jackknife (R ``as.svrepdesign(type = "JKn")``): the
    factors of :func:`dhkit.survey.replicate.jkn_weights` times the weights, with PSUs
    nested in strata and every stratum needing two PSUs (WGT-015).

    >>> jkn_weights([2., 2., 2.], strata=None, psu=[1, 2, 3]).weights[:, 1].tolist()
    [3.0, 0.0, 3.0]
    """
    from dhkit.survey.replicate import jkn_weights as jkn_factors

    w = np.asarray(weights, dtype=float)
    p_codes, psu_stratum, _ = _psu_table(strata, psu, len(w))
    factors, rscales, _scale = jkn_factors(psu_stratum[p_codes], p_codes)
    return ReplicateWeights(w[:, None] * factors, w, "JKn", 1.0, rscales)


def raowu_bootstrap(weights, strata, psu, replicates: int = 200, seed: int = 1
                    ) -> ReplicateWeights:
    """Rao–Wu rescaling bootstrap with n_h − 1 draws per stratum (R ``subbootweights``).

    >>> r = raowu_bootstrap([1.] * 6, strata=[1] * 6, psu=range(6), replicates=50, seed=1)
    >>> r.weights.shape, round(float(r.weights.sum(axis=0).mean()), 6)
    ((6, 50), 6.0)
    """
    w = np.asarray(weights, dtype=float)
    p_codes, _, by_stratum = _psu_table(strata, psu, len(w))
    rng = np.random.default_rng(seed)
    mult = np.zeros((p_codes.max() + 1, replicates))
    for psus in by_stratum:
        nh = len(psus)
        draws = rng.integers(0, nh, size=(nh - 1, replicates))
        counts = np.stack([np.bincount(draws[:, r], minlength=nh) for r in range(replicates)], 1)
        mult[psus] = counts * nh / (nh - 1)
    return ReplicateWeights(w[:, None] * mult[p_codes], w, "bootstrap",
                            1.0 / (replicates - 1), np.ones(replicates))


def recalibrate(reps: ReplicateWeights, cal: Calibration, *, bounds=(-np.inf, np.inf),
                maxit: int = 50, epsilon: float = 1e-7) -> ReplicateWeights:
    """Apply the full sample's calibration to every replicate (R calibrate / rake /
    postStratify on a replicate design); ``full`` becomes the calibrated weights."""
    enc = cal.margins
    out = np.empty_like(reps.weights)
    L, U = float(bounds[0]), float(bounds[1])
    X = pop = None
    if cal.method in ("poststratify", "raking"):
        cells = Cells(enc.codes, enc.nlevels)
    else:
        cells, X, pop = calibration_matrix(enc)
    sweeps = cal.iterations + 1 if cal.converged else cal.iterations
    for r in range(reps.replicates):
        wr = reps.weights[:, r]
        W = cells.sum(wr)
        if cal.method == "poststratify":
            code, tot = enc.codes[0], enc.targets[0]
            s = np.bincount(code, weights=wr, minlength=len(tot))
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(s > 0, tot / s, 0.0)
            out[:, r] = wr * f[code]
        elif cal.method == "raking":
            fit = rake_cells(cells, W, enc, maxit=sweeps, epsilon=0.0, eps_base=0.0)
            out[:, r] = wr * fit.G[-1][cells.row]
        elif cal.method == "linear" and np.isinf(L) and np.isinf(U):
            T = (X * W[:, None]).T @ X
            lam = np.linalg.pinv(T) @ (pop - X.T @ W)
            out[:, r] = wr * (1 + X @ lam)[cells.row]
        else:
            g = grake_cells(X, W, pop, cal.method, (L, U), maxit, epsilon).g
            out[:, r] = wr * g[cells.row]
    return replace(reps, weights=out, full=cal.weights)


def replicates_for(design, type: str = "JKn", replicates: int = 200, seed: int = 1
                   ) -> ReplicateWeights:
    """Replicate weights from a :class:`dhkit.survey.Design` (its strata, first-stage PSUs
    and weights): ``type="JKn"`` or ``"bootstrap"`` (Rao–Wu).

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "s": [1, 1, 2, 2], "c": [1, 2, 3, 4]}),
    ...            weights="w", strata="s", psu="c")
    >>> replicates_for(d).weights.shape
    (4, 4)
    """
    strata, psu = design.strata_codes, design.psu_codes
    if type.lower() == "jkn":
        return jkn_weights(design.w, strata, psu)
    if type.lower() in ("bootstrap", "raowu", "rao-wu"):
        return raowu_bootstrap(design.w, strata, psu, replicates, seed)
    raise DhkitError("WGT-014", f"replicate type '{type}': use JKn or bootstrap.")
