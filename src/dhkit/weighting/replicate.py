"""Replicate weights that keep the calibration: each replicate re-calibrated to the same
margins, as R ``calibrate()`` / ``rake()`` / ``postStratify()`` do on a ``svyrep.design``.

The replicate weights themselves (JKn with the design's FPC and lonely-PSU rule; the Rao–Wu
rescaling bootstrap) are made in one place, :mod:`dhkit.survey.replicate.weights`; this
module re-exports them under the names weighting uses and adds only :func:`recalibrate`.

Re-calibration: raking replicates get the same number of sweeps as the full sample (R rakes
the replicates inside the same loop); ``calibrate`` methods solve each replicate on its own,
starting from zero, with no failure check (as R).

>>> r = jkn_weights([1., 1., 1., 1.], strata=[1, 1, 2, 2], psu=[1, 2, 3, 4])
>>> r.weights[:, 0].tolist(), r.rscales.tolist()
([0.0, 2.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5])
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dhkit.survey.replicate.weights import (
    ReplicateWeights,
    jkn_replicate_weights,
    raowu_bootstrap,
    replicate_weights,
)
from dhkit.weighting.calibrate import (
    Calibration,
    Cells,
    calibration_matrix,
    grake_cells,
    rake_cells,
)


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
    """Replicate weights of a :class:`dhkit.survey.Design`, made by the survey stage
    (:func:`dhkit.survey.replicate.weights.replicate_weights`: the design's FPC and
    lonely-PSU rule are kept).

    >>> import pandas as pd
    >>> from dhkit.survey import Design
    >>> d = Design(pd.DataFrame({"w": [1.0] * 4, "s": [1, 1, 2, 2], "c": [1, 2, 3, 4]}),
    ...            weights="w", strata="s", psu="c")
    >>> replicates_for(d).weights.shape
    (4, 4)
    """
    return replicate_weights(design, type, replicates, seed)


#: the array forms weighting uses (made in :mod:`dhkit.survey.replicate.weights`)
jkn_weights = jkn_replicate_weights

__all__ = ["ReplicateWeights", "jkn_weights", "raowu_bootstrap", "recalibrate", "replicates_for"]
