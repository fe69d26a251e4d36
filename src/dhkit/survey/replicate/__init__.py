"""Replicate-weight survey designs (R ``svrepdesign``, ``as.svrepdesign``), in four parts:

- :mod:`~dhkit.survey.replicate.design` — :class:`ReplicateDesign`, R's per-type defaults,
  compressed factor rows;
- :mod:`~dhkit.survey.replicate.variance` — the ``svrVar`` formula and ``degf`` rank;
- :mod:`~dhkit.survey.replicate.weights` — making replicate weights from a linearization
  design (``as_replicate``; JK1, JKn, bootstrap, Rao-Wu) — the only module that makes them;
- :mod:`~dhkit.survey.replicate.batch` — the batch engine (all indicators x domains).
"""

from dhkit.survey.replicate.batch import run_batch
from dhkit.survey.replicate.design import (
    TYPES,
    ReplicateDesign,
    canonical_type,
    is_numeric,
    numeric_values,
)
from dhkit.survey.replicate.design import _require  # noqa: F401  (used by association)
from dhkit.survey.replicate.variance import gram_rank, svrvar
from dhkit.survey.replicate.weights import (
    as_replicate,
    bootstrap_weights,
    design_arrays,
    jk1_weights,
    jkn_weights,
)

__all__ = ["TYPES", "ReplicateDesign", "as_replicate", "bootstrap_weights", "canonical_type",
           "design_arrays", "gram_rank", "is_numeric", "jk1_weights", "jkn_weights",
           "numeric_values", "run_batch", "svrvar"]
