"""Sample size for a proportion in a clustered household survey.

Steps (Kish 1965; UN DESA 2005, *Designing Household Survey Samples*, ch. 3–4):

1. simple-random-sample size for the target precision:
   ``n0 = z² p (1 − p) / e²`` with ``e`` the margin of error (or ``e = r·p`` for a relative
   precision ``r``), optionally with a finite population correction ``n0 / (1 + n0 / N)``;
2. times the design effect, given or from the intra-cluster correlation,
   ``deff = 1 + (b − 1)·ICC`` with ``b`` the completed interviews per PSU;
3. times the number of domains that each need this precision: completed interviews ``n``;
4. divided by the response rate and the eligibility rate (share of households with an
   eligible child): households to visit;
5. households per PSU (the take) gives the number of PSUs.

>>> r = sample_size(p=0.5, moe=0.05, deff=2.6, response=0.44, eligibility=0.25, take=25)
>>> r.completed, r.households, r.psus
(999, 9082, 364)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy.stats import norm

from dhkit.errors import DhkitError


@dataclass(frozen=True)
class SampleSize:
    """A sample-size plan. ``completed``: interviews needed; ``households``: to visit;
    ``psus`` × ``take`` households; ``effective_n``: completed / deff."""

    p: float
    margin_of_error: float
    confidence: float
    deff: float
    n_srs: float
    domains: int
    completed: int
    response: float
    eligibility: float
    households: int
    take: int | None
    psus: int | None
    completed_per_psu: float | None
    effective_n: float

    def as_dict(self) -> dict:
        return asdict(self)

    def table(self) -> list[tuple[str, str]]:
        """(label, value) rows for a CLI or report table."""
        rows = [("proportion p", f"{self.p:g}"),
                ("margin of error (± points)", f"{self.margin_of_error * 100:.3g}"),
                ("confidence", f"{self.confidence:.0%}"),
                ("SRS size per domain", f"{self.n_srs:,.1f}"),
                ("design effect", f"{self.deff:.3g}"),
                ("domains", str(self.domains)),
                ("completed interviews", f"{self.completed:,}"),
                ("response rate", f"{self.response:.0%}"),
                ("eligibility rate", f"{self.eligibility:.0%}"),
                ("households to visit", f"{self.households:,}")]
        if self.psus is not None:
            rows += [("households per PSU (take)", str(self.take)), ("PSUs", f"{self.psus:,}"),
                     ("completed per PSU", f"{self.completed_per_psu:.2f}")]
        rows.append(("effective sample size", f"{self.effective_n:,.1f}"))
        return rows


def _check(name: str, value: float, lo: float, hi: float, closed_hi: bool = True) -> None:
    ok = value is not None and lo < value and (value <= hi if closed_hi else value < hi)
    if not ok:
        raise DhkitError("SAM-001", f"{name}={value} is out of range ({lo}, {hi}"
                         f"{']' if closed_hi else ')'}; give a value in that range.")


def sample_size(p: float = 0.5, *, moe: float | None = None, relative: float | None = None,
                confidence: float = 0.95, deff: float | None = None, icc: float | None = None,
                take: int | None = None, response: float = 1.0, eligibility: float = 1.0,
                domains: int = 1, population: float | None = None) -> SampleSize:
    """Households to visit, PSUs and take for a proportion's target precision.

    ``moe``: margin of error as a fraction (0.05 = ±5 points); or ``relative``: the margin as
    a share of p (0.2 = ±20 % of p). ``deff`` directly, or ``icc`` with ``take`` (households
    per PSU): deff = 1 + (b − 1)·icc with b = take·eligibility·response completed per PSU.
    ``population``: number of eligible children, for the finite population correction.

    Reference: Kish (1965) *Survey Sampling* §2.5, §5.4; UN DESA (2005) ch. 3.

    >>> sample_size(0.3, relative=0.2, icc=0.05, take=20, response=0.8, eligibility=0.5).deff
    1.35
    """
    _check("p", p, 0, 1, closed_hi=False)
    _check("confidence", confidence, 0, 1, closed_hi=False)
    _check("response", response, 0, 1)
    _check("eligibility", eligibility, 0, 1)
    if (moe is None) == (relative is None):
        raise DhkitError("SAM-001", "give exactly one of --moe (margin of error, e.g. 0.05) or "
                         "--relative (share of p, e.g. 0.2).")
    e = moe if moe is not None else relative * p
    _check("margin of error", e, 0, 1)
    if domains < 1:
        raise DhkitError("SAM-001", f"domains={domains}: give 1 or more.")
    if take is not None and take < 1:
        raise DhkitError("SAM-001", f"take={take}: households per PSU must be 1 or more.")
    per_psu = take * eligibility * response if take is not None else None
    if deff is None and icc is not None:
        if per_psu is None:
            raise DhkitError("SAM-001", "--icc needs --take (households per PSU) to give the "
                             "design effect 1 + (b - 1)·ICC; or give --deff.")
        _check("icc", icc, -1e-12, 1)
        deff = 1 + (per_psu - 1) * icc
    deff = 1.0 if deff is None else float(deff)
    if deff <= 0:
        raise DhkitError("SAM-001", f"deff={deff}: the design effect must be positive.")
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    n0 = z * z * p * (1 - p) / (e * e)
    if population:
        n0 = n0 / (1 + n0 / population)
    completed = math.ceil(round(n0 * deff * domains, 9))
    households = math.ceil(round(completed / (response * eligibility), 9))
    psus = math.ceil(households / take) if take else None
    return SampleSize(p, e, confidence, round(deff, 10), n0, domains, completed, response,
                      eligibility, households, take, psus, per_psu,
                      completed / deff)
