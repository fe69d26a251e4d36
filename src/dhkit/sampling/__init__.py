"""dhkit.sampling — plan and draw the household sample (docs/sampling.md).

- :mod:`~dhkit.sampling.size` — ``sample_size`` for a proportion (MOE or relative precision,
  deff or ICC and take, response and eligibility rates, domains);
- :mod:`~dhkit.sampling.draw` — stratified PPS systematic PSUs with certainty units,
  households from a listing, a Kish-style choice of one child; every stage's probability.
"""
