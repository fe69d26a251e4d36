"""Weight trimming with redistribution, equal to R ``survey::trimWeights``.

Weights outside ``[lower, upper]`` are set to the bound; the amount trimmed is shared out
*equally* (an equal additive amount per unit, as R does) among the weights that were inside,
so the sum of the weights is kept. With ``strict=True`` this repeats until no weight is
outside (R's ``strict = TRUE``). A calibrated design keeps its calibration adjustment for
the variance (R keeps ``postStrata`` on the trimmed design).

>>> r = trim_weights([1., 2., 3., 10.], lower=0, upper=6)
>>> [round(v, 4) for v in r.weights.tolist()], r.n_trimmed
([2.3333, 3.3333, 4.3333, 6.0], 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dhkit.errors import DhkitError


@dataclass(frozen=True)
class Trimming:
    """Trimmed weights, how many were outside the bounds, and the total moved."""

    weights: np.ndarray
    input_weights: np.ndarray
    lower: float
    upper: float
    n_trimmed: int
    amount: float
    rounds: int


def trim_weights(weights, lower: float = -np.inf, upper: float = np.inf, *,
                 strict: bool = False, max_rounds: int = 100) -> Trimming:
    """Trim weights to ``[lower, upper]`` and redistribute the excess equally.

    Reference: R ``survey::trimWeights`` (Lumley); Potter (1990) on trimming.

    >>> trim_weights([5., 5., 50.], upper=30).weights.tolist()
    [15.0, 15.0, 30.0]
    """
    w0 = np.asarray(weights, dtype=float)
    if not lower < upper:
        raise DhkitError("WGT-013", f"trimming bounds lower={lower:g} must be below "
                         f"upper={upper:g}; give --trim L,U with L < U.")
    w, n_trim, amount, rounds = w0.copy(), 0, 0.0, 0
    while True:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        inside = ~outside
        if not inside.any():
            raise DhkitError("WGT-013", f"every weight lies outside [{lower:g}, {upper:g}]; "
                             "widen the trimming bounds.")
        new = np.clip(w, lower, upper)
        trimmed = w - new
        new[inside] += trimmed.sum() / inside.sum()
        n_trim += int(outside.sum())
        amount += float(np.abs(trimmed).sum())
        w = new
        rounds += 1
        if not strict or rounds >= max_rounds:
            break
    return Trimming(w, w0, float(lower), float(upper), n_trim, amount, rounds)
