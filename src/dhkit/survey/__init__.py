"""dhkit.survey — design-based estimation equal to R ``survey`` (T. Lumley).

``Design`` (linearization: strata, stages, FPC, lonely-PSU rules) with the verbs
``mean``, ``total``, ``ratio``, ``estimate`` (the batch engine) and ``contrast``; results
are ``Estimates`` (a tidy table). Replicate designs live in :mod:`dhkit.survey.replicate`.
"""

from dhkit.survey.design import Design
from dhkit.survey.tidy import Estimates, FlagRule, PopulationScale

__all__ = ["Design", "Estimates", "FlagRule", "PopulationScale"]
