"""The truth behind the synthetic demo study: population frame, design story and targets.

Targets come from the Colombia Disrupting Harm report (``FIGURES.md`` in the seeds);
where the report is silent or unclear, the value chosen here is marked "(chosen)".
Everything is plain data so tests and docs can quote it.

The design story at the default size (999 children):

* 6 regions are the strata; about 8 completed interviews per PSU, so ~125 PSUs are drawn
  with probability proportional to the number of listed eligible households;
* in each PSU a fixed take of 18 listed households is *issued*; 44 % of the issued
  households end as a completed child + caregiver interview (the report's response rate):
  about 58 % are screened on the first visit, the rest are not (no contact, refusal at
  the door); of the screened, ~12 % turn out not eligible and ~85 % of the eligible
  complete; revisits screen enough of the others (none eligible) that 1,309 households
  have a roster (the report's base for the internet-use rate);
* one internet-using 12-17-year-old is chosen at random (Kish) among ``n_eligible``.

Reconciling the any-TF-CSEA margins (report: 21 % overall; girls 25, boys 17; rural 29,
urban 17; 7 % at age 12 and 21 % at age 17). With 48 % girls the sex margin gives
20.8 %; with a rural share of one third the area margin gives 21.0 %. The age figures
cannot both be end points of a rising line *and* average 21 % (a straight line from 7
to 21 averages 14 %): with 56 % of children aged 12-14, the middle ages must lie above
21 %. We read the report's "rising with age" as rising from 12 to a peak at 15 and
levelling off, keeping 7 % at 12 and 21 % at 17 as stated (chosen: 13: 18.5, 14: 26,
15: 29, 16: 28). All three margins then average 21.0-21.1 %, and the model below is
calibrated to all three at once.

>>> round(TRUTH.population_children / 1e6, 1)
4.1
>>> round(sum(TRUTH.age_share.values()), 6)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

REGIONS = ("caribe", "centro_sur", "centro_oriente", "eje_cafetero", "llano", "pacifico")
REGION_ABBR = {"caribe": "CAR", "centro_sur": "CSU", "centro_oriente": "COR",
               "eje_cafetero": "EJE", "llano": "LLA", "pacifico": "PAC"}


@dataclass(frozen=True)
class Truth:
    """Population frame, design parameters and targets of the demo generator."""

    #: Internet-using 12-17-year-olds (weighted total; 21 % of it is ~860,000).
    population_children: int = 4_100_000
    #: Region shares of the population (chosen; Centro-Oriente holds Bogotá).
    region_share: dict = field(default_factory=lambda: {
        "caribe": 0.22, "centro_sur": 0.10, "centro_oriente": 0.30,
        "eje_cafetero": 0.18, "llano": 0.06, "pacifico": 0.14})
    #: Rural share of children by region (chosen; rescaled so the national share is 1/3,
    #: which makes the rural 29 / urban 17 margin average 21 %).
    rural_share_raw: dict = field(default_factory=lambda: {
        "caribe": 0.30, "centro_sur": 0.45, "centro_oriente": 0.25,
        "eje_cafetero": 0.30, "llano": 0.45, "pacifico": 0.50})
    rural_total: float = 1 / 3
    girls_share: float = 0.48
    #: Single years of age: 12-14 = 56 %, 15-17 = 44 % (split evenly within each band).
    age_share: dict = field(default_factory=lambda: {
        12: 0.56 / 3, 13: 0.56 / 3, 14: 0.56 / 3, 15: 0.44 / 3, 16: 0.44 / 3, 17: 0.44 / 3})

    # ---- design story --------------------------------------------------------------
    completes_per_psu: float = 8.0
    response_rate: float = 0.44             # completes / issued households
    screened_rate: dict = field(default_factory=lambda: {1: 0.56, 2: 0.64})  # by area
    complete_rate: dict = field(default_factory=lambda: {1: 0.84, 2: 0.88})  # of eligible
    not_eligible_ratio: float = 0.135       # not eligible per eligible screened household
    #: Households with a roster (completes and households without an eligible child) per
    #: completed interview: the report's base of 1,309 households for the internet-use
    #: rate. The first screening pass gives about 1,150 at the default size; the rest are
    #: households first recorded unscreened and screened on a revisit (no eligible child).
    rostered_per_child: float = 1309 / 999
    n_eligible_probs: tuple = (0.74, 0.21, 0.05)   # 1, 2, 3 eligible children
    psu_sigma: float = 0.6                  # SD of the PSU random effect (logit scale)

    # ---- any TF-CSEA margins (fractions) -------------------------------------------
    any_overall: float = 0.21
    any_by_sex: dict = field(default_factory=lambda: {1: 0.252, 2: 0.172})  # girls, boys
    any_by_area: dict = field(default_factory=lambda: {1: 0.17, 2: 0.29})   # urban, rural
    any_by_age: dict = field(default_factory=lambda: {
        12: 0.07, 13: 0.185, 14: 0.26, 15: 0.29, 16: 0.28, 17: 0.21})
    #: Small fixed regional differences (chosen), before calibration.
    region_effect: dict = field(default_factory=lambda: {
        "caribe": 0.05, "centro_sur": 0.0, "centro_oriente": -0.10,
        "eje_cafetero": 0.0, "llano": 0.10, "pacifico": 0.15})

    # ---- items (share of all children) --------------------------------------------
    items: dict = field(default_factory=lambda: {
        "ab_unwanted_images": 0.15, "ab_offered_money_images": 0.06,
        "ab_requested_sexual_content": 0.05, "ab_offered_money_acts": 0.02,
        "ab_accepted_money_images": 0.02, "ab_ai_images": 0.02,
        "ab_threatened_share": 0.02,          # (chosen: report gives no exact figure)
        "ab_shared_without_consent": 0.02})   # (chosen)
    #: Number of forms per victim: 61 % one form (39 % more than one); the tail makes
    #: the mean 1.73 forms, matching the items' sum (36 %) over 21 %.
    n_forms_probs: tuple = (0.61, 0.39 * 0.52, 0.39 * 0.26, 0.39 * 0.12, 0.39 * 0.05,
                            0.39 * 0.03, 0.39 * 0.01, 0.39 * 0.01)
    #: One instance record per form experienced, plus a second, separate episode of the
    #: same form with this probability: 1.73 x 1.15 = 2.0 instances per victim (379/190).
    extra_episode: float = 0.15

    # ---- instances (shares of instance records) -----------------------------------
    online: float = 0.85                    # happened (partly) online (chosen)
    social_media: float = 0.50              # instances on social media ("about half")
    gaming: float = 0.14                    # instances on gaming platforms
    #: Platform shares among social-media instances (multi-response).
    platforms: dict = field(default_factory=lambda: {
        "facebook": 0.80, "whatsapp": 0.30, "instagram": 0.17, "snapchat": 0.08,
        "tiktok": 0.06, "youtube": 0.06, "telegram": 0.03, "x": 0.02})
    met_in_person: float = 0.70
    #: Where met, as shares of all instances (school 28, home 22, public 18, other 2).
    where_met: dict = field(default_factory=lambda: {
        "school": 0.28, "home": 0.22, "public_place": 0.18, "other": 0.02})
    #: Perpetrator relationship (report: known 50 = family 22 + partner 14 + friend 14,
    #: stranger 21, refused 18; the remaining 11 % is coded acquaintance (chosen)).
    relation: dict = field(default_factory=lambda: {
        "stranger": 0.21, "family": 0.22, "partner": 0.14, "friend": 0.14,
        "acquaintance": 0.11, "refused": 0.18})
    peer_perpetrator: float = 0.17          # perpetrator under 18
    #: Disclosure, per child (shares of victims): told 52, told no one 34, the rest
    #: prefers not to say (chosen: 14); each child's instances share the answer.
    told: float = 0.52
    not_told: float = 0.34
    #: Confidants as shares of victims (friend 17, mother 15, sibling 8; others chosen).
    told_whom: dict = field(default_factory=lambda: {
        "friend": 0.17, "mother": 0.15, "father": 0.06, "sibling": 0.08,
        "other_family": 0.07, "teacher": 0.04, "other": 0.03})
    #: Reasons for not telling, among victims who told no one (dont_know 36, embarrassed 18,
    #: didnt_care 13, not_serious 8; afraid and other chosen).
    why_not: dict = field(default_factory=lambda: {
        "dont_know_where": 0.36, "embarrassed": 0.18, "didnt_care": 0.13,
        "not_serious": 0.08, "afraid": 0.10, "other": 0.15})

    # ---- activities ---------------------------------------------------------------
    social_weekly: float = 0.83
    games_weekly: float = 0.64

    # ---- internet-use chapter (the report shows these as charts without printed
    # figures; all chosen, plausible for Colombia) -------------------------------------
    #: Places of access among children (multi-response; "from home" in 86-100 % of
    #: children across countries, presentation).
    places: dict = field(default_factory=lambda: {
        "home": 0.95, "school": 0.45, "friends_home": 0.30, "internet_cafe": 0.06,
        "public_wifi": 0.12, "on_the_move": 0.35})
    #: Barriers to access (multi-response; "none" when nothing else is chosen).
    access_barriers: dict = field(default_factory=lambda: {
        "no_signal": 0.22, "cost": 0.15, "no_device": 0.08, "parents_limit": 0.10,
        "no_time": 0.08, "other": 0.02})
    #: Children who answer the barriers question: 995 of 999 (the report's base).
    access_answered: float = 995 / 999
    #: Share saying "mostly" or "very" true that they can do this (chosen).
    skills: dict = field(default_factory=lambda: {
        "skill_privacy": 0.70, "skill_check_info": 0.55, "skill_block": 0.75,
        "skill_choose_share": 0.80})

    # ---- overlap with in-person sexual violence -----------------------------------
    #: In-person sexual violence in the past year (chosen: 8 %) and the report's relative
    #: likelihood: children subjected to it are three times as likely to be subjected to
    #: TF-CSEA as other children.
    inperson_sv: float = 0.08
    inperson_rr: float = 3.0

    # ---- consequences (the report: significantly higher among victims; chosen) ----
    wellbeing: dict = field(default_factory=lambda: {
        "mh_anxious": (0.45, 0.25), "mh_suicidal": (0.18, 0.07),
        "mh_self_harm": (0.15, 0.06)})     # (victims, other children)

    # ---- caregivers ---------------------------------------------------------------
    cg_sex: tuple = (0.86, 0.138, 0.002)
    cg_under40: float = 0.45

    def inperson_given_victim(self) -> tuple[float, float]:
        """P(in-person violence | TF-CSEA) and P(... | no TF-CSEA) that give the chosen
        prevalence and prevalence ratio: with p0 = P(TF-CSEA | no violence),
        p0·(1−s) + rr·p0·s = any_overall; Bayes then gives the two conditionals."""
        s, rr, a = self.inperson_sv, self.inperson_rr, self.any_overall
        p0 = a / (1 - s + rr * s)
        return rr * p0 * s / a, (1 - rr * p0) * s / (1 - a)

    def rural_share(self) -> dict:
        """Rural share by region, rescaled so the national rural share is ``rural_total``."""
        raw = sum(self.region_share[r] * self.rural_share_raw[r] for r in REGIONS)
        return {r: self.rural_share_raw[r] * self.rural_total / raw for r in REGIONS}

    def population_cells(self) -> dict[tuple[str, int], float]:
        """Internet-using 12-17s by (region, area): the post-stratification frame."""
        rs = self.rural_share()
        cells = {}
        for r in REGIONS:
            n = self.population_children * self.region_share[r]
            cells[(r, 1)] = n * (1 - rs[r])
            cells[(r, 2)] = n * rs[r]
        return cells


TRUTH = Truth()


@dataclass(frozen=True)
class Propensity:
    """Calibrated logistic model: logit p = region + area + sex + age + u_psu."""

    sigma: float
    region: dict
    area: dict
    sex: dict
    age: dict

    def eta(self, region_idx, area, sex, age):
        """Linear predictor for arrays of region index (0..5), area, sex and age codes."""
        reg = np.array([self.region[r] for r in REGIONS])
        ar = np.array([0.0, self.area[1], self.area[2]])
        sx = np.array([0.0, self.sex[1], self.sex[2]])
        ag = np.zeros(18)
        for a, v in self.age.items():
            ag[a] = v
        return reg[region_idx] + ar[area] + sx[sex] + ag[age]


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    return np.log(p / (1 - p))


def calibrate(truth: Truth = TRUTH, iterations: int = 200) -> Propensity:
    """Fit the area, sex and age effects so the population margins equal the targets.

    Iterative proportional fitting on the logit scale over the population cells
    (region x area x sex x age), integrating the PSU random effect by Gauss-Hermite
    quadrature. Deterministic, a few milliseconds.

    >>> m = calibrate()
    >>> m.sex[1] > m.sex[2] and m.area[2] > m.area[1]
    True
    """
    nodes, wts = np.polynomial.hermite.hermgauss(21)
    z = np.sqrt(2) * truth.psu_sigma * nodes
    wts = wts / np.sqrt(np.pi)
    ages = sorted(truth.age_share)
    rs = truth.rural_share()
    # cell grid
    R, A, S, G = np.meshgrid(np.arange(6), [1, 2], [1, 2], ages, indexing="ij")
    R, A, S, G = R.ravel(), A.ravel(), S.ravel(), G.ravel()
    reg_w = np.array([truth.region_share[r] for r in REGIONS])
    rur = np.array([rs[r] for r in REGIONS])
    w = (reg_w[R] * np.where(A == 2, rur[R], 1 - rur[R])
         * np.where(S == 1, truth.girls_share, 1 - truth.girls_share)
         * np.array([truth.age_share[a] for a in G]))
    m = Propensity(truth.psu_sigma, dict(truth.region_effect), {1: 0.0, 2: 0.0},
                   {1: 0.0, 2: 0.0}, {a: -1.5 for a in ages})
    margins = ((A, m.area, truth.any_by_area), (S, m.sex, truth.any_by_sex),
               (G, m.age, truth.any_by_age))
    for _ in range(iterations):
        for var, coef, target in margins:
            p = (_expit(m.eta(R, A, S, G)[:, None] + z[None, :]) * wts).sum(axis=1)
            for level, t in target.items():
                sel = var == level
                cur = (p[sel] * w[sel]).sum() / w[sel].sum()
                coef[level] += 0.8 * (_logit(t) - _logit(cur))
    as_float = lambda d: {k: float(v) for k, v in d.items()}
    return Propensity(m.sigma, as_float(m.region), as_float(m.area), as_float(m.sex),
                      as_float(m.age))
