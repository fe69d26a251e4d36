"""dhkit.demo: a seeded synthetic study following the Colombia Disrupting Harm design.

>>> from dhkit.demo import generate_study   # doctest: +SKIP
"""

from dhkit.demo.study import DemoStudy, generate_study

__all__ = ["DemoStudy", "generate_study"]
