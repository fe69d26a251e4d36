"""Replicate weights for a release: design-based SEs without PSU or stratum ids.

The replicate factors come from the survey engine
(:func:`dhkit.survey.replicate.weights.replicate_weights`: the Rao–Wu rescaling bootstrap,
R ``subbootweights``, or the stratified delete-one-PSU jackknife, R ``as.svrepdesign(type =
"JKn")``) applied to the weights *entering* calibration; each replicate is then re-calibrated
to the study's margins with the weighting stage's :func:`dhkit.weighting.replicate.recalibrate`
(R ``rake()`` on a ``svyrep.design``) and trimmed as the full sample, so the replicate
variance reflects the weighting. The full-sample weights so rebuilt must equal the released
final weights (checked to 1e-8), else the study's weights were made otherwise and the
release refuses to ship replicates that do not belong to them (``REL-040``).

Nothing here is new estimation code: this module only chooses the inputs and carries R's
variance constants (``scale``, ``rscales``, ``mse``) to the files and design scripts.

References: Rao & Wu (1988) *JASA* 83:231–241; Rust & Rao (1996) *Stat. Methods Med. Res.*
5:283–310 (re-weighting each replicate); Lumley (2010) *Complex Surveys* ch. 2.

>>> import pandas as pd
>>> from dhkit.indicators.compute import DesignSpec
>>> from dhkit.release.config import Replicates
>>> df = pd.DataFrame({"w": [2.0] * 6, "s": [1, 1, 1, 2, 2, 2], "c": [1, 2, 3, 4, 5, 6]})
>>> r = release_replicates(df, DesignSpec("w", "s", "c"), None, Replicates("JKn"), seed=1)
>>> r.weights.shape, r.type, r.rscales.round(4).tolist()[:2]
((6, 6), 'JKn', [0.6667, 0.6667])
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError

PREFIX = "repw_"


@dataclass(frozen=True)
class ReleasedReplicates:
    """Replicate weights (n × R, sampling weight included) and R's variance constants:
    variance = scale · Σ_r rscales_r (θ_r − centre)², centre the full estimate when
    ``mse`` else the replicates' mean (R ``svrVar``)."""

    weights: np.ndarray
    type: str                      # "bootstrap" (R type "bootstrap") or "JKn"
    scale: float
    rscales: np.ndarray
    mse: bool
    recalibrated: bool
    method: str                    # in words, for the codebook and report

    @property
    def columns(self) -> list[str]:
        return [f"{PREFIX}{i + 1}" for i in range(self.weights.shape[1])]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.weights, columns=self.columns)

    def design(self, data: pd.DataFrame, weights: str):
        """The engine's :class:`ReplicateDesign` on the released frame (R ``svrepdesign``
        with ``combined.weights = TRUE``)."""
        from dhkit.survey.replicate import ReplicateDesign

        return ReplicateDesign.from_arrays(
            data, data[weights].to_numpy(dtype=float), self.weights, type=self.type,
            scale=self.scale, rscales=self.rscales, combined_weights=True, mse=self.mse)

    def settings(self) -> dict:
        """What the manifest and codebook record."""
        return {"columns": f"{self.columns[0]}..{self.columns[-1]}",
                "replicates": self.weights.shape[1], "type": self.type,
                "scale": self.scale, "rscales": [float(x) for x in self.rscales],
                "mse": self.mse, "combined_weights": True,
                "recalibrated": self.recalibrated, "method": self.method}


def release_replicates(df: pd.DataFrame, design, calibration, spec, seed: int
                       ) -> ReleasedReplicates:
    """Replicate weights for the rows of ``df`` (respondents with the design columns, the
    final weights and, when ``calibration`` is given, the weights entering calibration)."""
    from dhkit.survey import Design
    from dhkit.survey.replicate.weights import replicate_weights

    cal = calibration if spec.recalibrate else None
    start = cal.before if cal is not None else design.weights
    # a PPS draw (fpc = inclusion probabilities) gets with-replacement replicates, as R's
    # as.svrepdesign cannot make them from a pps design
    d = Design(df, weights=start, strata=design.strata, psu=design.psu,
               fpc=None if design.pps else design.fpc, lonely_psu=design.lonely_psu)
    reps = replicate_weights(d, spec.type, spec.replicates, seed)
    if cal is not None:
        reps = _recalibrated(reps, df, cal)
    final = df[design.weights].to_numpy(dtype=float)
    if not np.allclose(reps.full, final, rtol=1e-8, atol=0):
        raise DhkitError("REL-040", "the replicate weights' full sample does not reproduce "
                         f"the final weights '{design.weights}' (largest relative difference "
                         f"{np.max(np.abs(reps.full / final - 1)):.2g}); the weights were made "
                         "otherwise than weighting.toml says. Rebuild them with `dhkit weights "
                         "build`, or set [replicates] recalibrate = false.")
    kind = "bootstrap" if reps.type.lower() == "bootstrap" else "JKn"
    what = ("Rao–Wu rescaling bootstrap (R subbootweights)" if kind == "bootstrap" else
            "stratified delete-one-PSU jackknife (R as.svrepdesign type JKn)")
    if cal is not None:
        what += f", each replicate re-calibrated ({cal.method}) to the study's margins"
        if cal.trim:
            what += " and trimmed"
    return ReleasedReplicates(reps.weights, kind, float(reps.scale),
                              np.asarray(reps.rscales, dtype=float), spec.mse, cal is not None,
                              what)


def _recalibrated(reps, df: pd.DataFrame, cal):
    """Every replicate re-calibrated (and trimmed) as the full sample was."""
    from dhkit.weighting.calibrate import calibrate_weights
    from dhkit.weighting.replicate import recalibrate
    from dhkit.weighting.trim import trim_weights

    c = calibrate_weights(df[cal.before].to_numpy(dtype=float), df, cal.margins, cal.method,
                          **cal.options)
    reps = recalibrate(reps, c, bounds=cal.options.get("bounds", (-np.inf, np.inf)))
    if cal.trim:
        lo, hi = cal.trim
        w = reps.weights.copy()
        for r in range(w.shape[1]):
            pos = w[:, r] > 0
            w[pos, r] = trim_weights(w[pos, r], lo, hi).weights
        reps = replace(reps, weights=w, full=trim_weights(reps.full, lo, hi).weights)
    return reps
