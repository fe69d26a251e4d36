"""dhkit.survey — design-based estimation equal to R ``survey`` (T. Lumley).

``Design`` (linearization: strata, stages, FPC, lonely-PSU rules) with the verbs
``mean``, ``total``, ``ratio``, ``estimate`` (the batch engine) and ``contrast``; results
are ``Estimates`` (a tidy table). Replicate designs live in :mod:`dhkit.survey.replicate`.
"""

from dhkit.survey.design import Design
from dhkit.survey.tidy import Estimates, FlagRule, PopulationScale


def __getattr__(name: str):
    """Replicate designs and the tests load on first use (they import more)."""
    lazy = {"ReplicateDesign": "replicate", "as_replicate": "replicate",
            "quantile": "quantiles", "chisq": "association", "ttest": "association",
            "glm": "regression", "GlmResult": "regression", "WaldTest": "regression",
            "predictive_margins": "regression",
            "prevalence_ratio": "relative", "RatioEstimate": "relative"}
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(f"dhkit.survey.{lazy[name]}"), name)
    raise AttributeError(name)


__all__ = ["Design", "Estimates", "FlagRule", "PopulationScale", "ReplicateDesign",
           "as_replicate", "quantile", "chisq", "ttest"]
