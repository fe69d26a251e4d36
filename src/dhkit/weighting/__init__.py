"""dhkit.weighting — survey weights, equal to R `survey` where R has them.

One module per step (docs/weighting.md):

- :mod:`~dhkit.weighting.margins` — population margins (``variable, level, total``), validated;
- :mod:`~dhkit.weighting.calibrate` — ``poststratify``, ``rake``, ``calibrate`` (linear, raking,
  logit, bounds), ``calibrate_design`` (a calibrated ``dhkit.survey.Design`` with R's SEs);
- :mod:`~dhkit.weighting.trim` — ``trim_weights`` (R ``trimWeights``);
- :mod:`~dhkit.weighting.nonresponse` — base weights, within-household factor, weighting-class
  and response-propensity adjustments;
- :mod:`~dhkit.weighting.replicate` — JKn and Rao–Wu bootstrap weights, re-calibrated;
- :mod:`~dhkit.weighting.diagnostics` — Kish deff, effective n, appendix (HTML, Excel);
- :mod:`~dhkit.weighting.build` — the study's chain (``weighting.toml`` → ``build_weights``).

Nothing is imported here so ``dhkit --help`` stays fast.
"""
