"""Anonymised microdata release: disclosure-risk measures, seeded treatments, and the
release of a study's data from its encrypted store (``dhkit release``).

The measures and treatments follow the statistical-disclosure-control practice of
R ``sdcMicro`` (Templ, Kowarik & Meindl 2015, *J. Stat. Softw.* 67(4)) and the
Hundepool et al. (2012) *Statistical Disclosure Control* handbook; they are written here
rather than called from R because the release must run offline inside the same chain, on
the decrypted frame in memory, without R installed.
"""
