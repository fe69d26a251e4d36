"""The report's chapters beyond the planned tables: the full methods chapter, the
household internet-use rate, the overlap of online and in-person abuse (a prevalence
ratio), law-enforcement capacity from the public answers only, and two annexes (the legal
item-level gap table and the definitions of key terms).

Every number is computed here from the study's data, store and settings (the analysis,
:class:`dhkit.report.fieldwork.Fieldwork`, the weight lineage, the instrument); nothing is
typed in. Texts are English source strings translated through the report's ``.po``
catalogue (:data:`STRINGS` are checked for a translation before any build).

The view models are plain dataclasses (:class:`Block`, :class:`SimpleTable`) rendered by
the template partial ``_blocks.html.j2``.

>>> b = Block("Title", ["A paragraph."])
>>> b.title, b.tables
('Title', [])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError
from dhkit.report.i18n import Translator

#: Source texts of this module (English msgids of the report's .po catalogue).
TEXT = {
    # methods: design
    "design_h": "Survey design",
    "design": "The household survey drew a three-stage random probability sample. In the first "
              "stage, {n_psu} primary sampling units (PSUs) were selected with probability "
              "proportional to size within {n_strata} regions, which serve as strata "
              "({regions}). In the second stage, households were listed in each selected PSU "
              "and a fixed number of them was drawn at random. In the third stage, one "
              "internet-using child aged 12–17 was chosen at random in each household that "
              "had one, and one parent or caregiver of that child was interviewed as well.",
    "coverage": "The sample frame covered {coverage} of the target population.",
    "exclusions": "Areas left out of the frame: {details}",
    "fieldwork": "Fieldwork: {period}.",
    # response
    "response_h": "Fieldwork outcomes and response rates",
    "response_intro": "The table follows the issued households through each stage of the "
                      "survey; each rate is the count divided by the count of the stage "
                      "above it.",
    "response_caption": "Households and interviews by survey stage",
    "stage": "Stage", "count": "Count", "rate": "Rate",
    "issued": "Households issued to interviewers",
    "screened": "Households visited and screened (roster taken)",
    "visited": "Households with a recorded visit",
    "eligible": "Screened households with an internet-using child aged 12–17",
    "child_int": "Child interview completed",
    "cg_int": "Caregiver interview completed",
    "overall": "Overall response rate (completed child interviews / households issued): {rate}.",
    "overall_noissue": "The number of households issued is not recorded in methods.yaml, so the "
                       "overall response rate cannot be computed.",
    # profile
    "profile_h": "Who took part",
    "profile_caption": "Profile of the sample: children and caregivers interviewed",
    "characteristic": "Characteristic", "unweighted": "Unweighted (%)",
    "weighted": "Weighted (%)",
    "profile_note": "Unweighted shares describe the interviews; weighted shares describe the "
                    "population the sample represents.",
    # self-completion
    "selfcomp_h": "Self-completion of sensitive questions",
    "selfcomp": "The {n} questions on risks, experiences of abuse, disclosure and well-being "
                "({modules}) were answered by the child alone on the device: the interviewer "
                "handed it over, sat where the screen could not be seen, and took it back at "
                "the end. Every such question offered “I prefer not to say”, and the closing "
                "screen offered a helpline number.",
    "mod_risk": "online risks", "mod_abuse": "forms of abuse",
    "mod_inst": "follow-up questions on each instance", "mod_inperson": "in-person violence",
    "mod_mh": "well-being", "mod_help": "barriers to seeking help",
    # weighting
    "weighting_h": "Weighting and its effect",
    "weighting": "Design weights are the inverse of each child's selection probability over "
                 "the three stages; they were then adjusted for households that did not take "
                 "part and calibrated to population totals. The table shows each step and what "
                 "it did to the headline estimate.",
    "weighting_caption": "Weights at each step and the estimate of any TF-CSEA with them",
    "step": "Step", "sum": "Sum of weights", "cv": "Coefficient of variation",
    "kish": "Design effect due to weighting", "neff": "Effective sample size",
    "headline_with": "Any TF-CSEA (%)",
    "w_base": "Base weight (inverse selection probabilities of PSU and household)",
    "w_nonresponse": "Adjusted for household nonresponse",
    "w_household": "Times the child's selection within the household",
    "w_calibrated": "Calibrated to population totals",
    "w_trimmed": "Trimmed",
    "w_final": "Final weight",
    "weighting_none": "The weights were supplied with the data; no weighting steps are stored.",
    "weighting_see_annex": "The distribution of the weights at each step (range and "
                           "percentiles) is in the annex on weighting diagnostics.",
    "wdiag_h": "Annex: weighting diagnostics",
    "wdiag_intro": "The distribution of the weights at each step of the weighting chain. The "
                   "sum of the weights, their coefficient of variation, the design effect due "
                   "to weighting, the effective sample size and each step's effect on the "
                   "headline estimate are in the methods chapter (Weighting and its effect).",
    "wdiag_caption": "Distribution of the weights at each step",
    "statistic": "Statistic", "w_min": "Minimum", "w_max": "Maximum",
    "w_ratio": "Largest to smallest", "w_median": "Median",
    "w_pct": "{p}th percentile",
    # SEs
    "se_h": "Standard errors, intervals and tests",
    # qualitative
    "qual_h": "Interviews with young people and professionals",
    "qual": "{n} people were interviewed: {groups}. Quotes are shown only when the "
            "participant consented to being quoted, after names and places were redacted; "
            "attributions say only the group.",
    "qual_caption": "Interviews by group and place",
    "place": "Place", "group": "Group",
    "YP": "Young people subjected to abuse (YP)", "FW": "Front-line workers (FW)",
    "JP": "Justice professionals (JP)",
    "qual_none": "No interview participants are recorded in the study.",
    # legal and policy analysis, law-enforcement assessment (the seed's other activities)
    "legal_m_h": "Legal and policy analysis",
    "legal_m": "The country's laws and policies were assessed against a checklist of {n} "
               "items in {k} areas ({areas}), each tied to the international instruments "
               "and guidance it draws on ({m} in all). For every item the analyst recorded "
               "whether the law or policy meets it, meets it in part or does not, or that "
               "the texts reviewed do not settle it, with the provision and its source. The "
               "findings are summed up in the conclusion and listed item by item in an annex.",
    "legal_m_reviewed": "A second analyst reviewed the assessment ({date}).",
    "le_m_h": "Law-enforcement capacity assessment",
    "le_m": "National law-enforcement units answered a questionnaire of {n} questions on "
            "{topics}. The answers to {r} of them are restricted: they are shared only with "
            "national authorities and are never read by this report. The answers to the {p} "
            "public questions are shown in the chapter “{chapter}”.",
    # ethics
    "ethics_h": "Ethics and safeguarding",
    "consent": "A caregiver consented and the selected child assented before every child "
               "interview ({n_consent} caregiver consents and {n_assent} child assents were "
               "recorded). Microdata are kept encrypted; this report shows aggregates only, "
               "with small bases flagged or suppressed, and never restricted "
               "law-enforcement content.",
    # limitations
    "limits_h": "Limitations",
    "lim_response": "The response rate was {rate}: if households that took part differ from "
                    "those that did not in ways the weights do not capture, estimates may be "
                    "biased.",
    "lim_self": "Experiences of abuse are self-reported. Children may not recognise or may "
                "choose not to disclose what happened to them, so the figures are likely to "
                "be lower bounds.",
    "lim_cross": "The survey is cross-sectional: differences between groups are associations, "
                 "not evidence of cause.",
    # counted over every estimate published (estimates.csv), most of them not in a table
    "lim_small": "Some groups are small: of the {n_all} estimates published with this report "
                 "(estimates.csv), {n_caution} rest on {low}–{high} interviews (shown in "
                 "parentheses) and {n_suppressed} on fewer than {n} (not shown).",
    "lim_qual": "The interviews with young people and professionals describe experiences in "
                "depth; they are not a random sample and do not measure how common anything "
                "is.",
    # internet-use rate
    "hh_rate_h": "Internet use among 12–17-year-olds in the households visited",
    "hh_rate": "In the households screened, {rate} of 12–17-year-olds had used the internet "
               "in the past three months (95% CI {low} to {high}).",
    "hh_rate_caption": "Internet use among 12–17-year-olds (household roster)",
    "hh_rate_row": "12–17-year-olds who used the internet in the past three months",
    "hh_rate_base": "Base: {n} screened households with a 12–17-year-old (household weights; "
                    "ratio of internet users to all 12–17-year-olds on the roster).",
    # overlap
    "overlap_h": "Online and in-person sexual violence",
    "overlap": "Children subjected to in-person sexual violence in the past year were {ratio} "
               "times as likely as other children to be subjected to TF-CSEA ({p1} against "
               "{p0}; prevalence ratio {ratio}, 95% CI {low} to {high}).",
    "overlap_ns": "TF-CSEA was {p1} among children subjected to in-person sexual violence and "
                  "{p0} among other children; the prevalence ratio of {ratio} (95% CI {low} to "
                  "{high}) is not statistically different from 1.",
    "overlap_caution": "The group subjected to in-person sexual violence is small (n = {n}); "
                       "interpret with caution.",
    "overlap_caption": "Prevalence ratio of any TF-CSEA, in-person sexual violence against none",
    "pr": "Prevalence ratio", "ci95": "95% CI",
    "pr_method": "The ratio's confidence interval is computed on the log scale from the joint "
                 "design-based covariance of the two proportions (delta method, {df} degrees "
                 "of freedom).",
    # LE capacity
    "le_h": "Law-enforcement capacity (public findings)",
    "le_caption": "Public answers of the law-enforcement capacity assessment",
    "le_intro": "Answers of the national law-enforcement capacity assessment that are "
                "classified as public; the rest are shared only with national authorities and "
                "never appear in this report.",
    "le_none": "No public law-enforcement capacity answers are recorded for this study.",
    "question": "Question", "answer": "Answer",
    "yes": "Yes", "no": "No", "partly": "Partly", "national": "National",
    "regional": "Regional", "city": "City", "none": "None",
    # prevention: the law and policy measures the checklist asks about
    "prev_policy_h": "What law and policy provide",
    "prev_policy": "The legal and policy review asked about {n} measures that bear on this "
                   "chapter: {met} in place, {partly} partly in place and {not_met} not in "
                   "place; for {unknown} the texts reviewed did not settle the answer.",
    "prev_policy_caption": "Checklist items on this chapter's theme and the country's answers",
    "met": "Met", "unknown": "Unknown", "not_applicable": "Not applicable",
    # conclusion: the legal review at a glance
    "legal_h": "What the legal and policy review found",
    "legal_sum": "Of the {n} checklist items assessed against international standards, {met} "
                 "are met, {partly} partly met and {not_met} not met; for {unknown} the texts "
                 "reviewed did not settle the answer.",
    # recommendations: the national consultation on them
    "consult_h": "National consultation",
    "consult": "The draft recommendations were put to a national consultation: {n} comments "
               "came from {orgs} organisations in {sectors} sectors. {endorse} endorsed the "
               "recommendation they commented on, {changes} endorsed it with changes, "
               "{against} did not endorse it and {none} took no position; {proposed} "
               "proposed a change to the text.",
    "consult_decided": "Decisions on the comments so far: {accepted} accepted, {noted} noted "
                       "and {rejected} rejected; {open} still open.",
    # annexes
    "gap_h": "Annex: legal and policy gaps, item by item",
    "gap_intro": "Every checklist item the legal assessment found not met or only partly met, "
                 "with the provision assessed and the recommendations that address it.",
    "gap_caption": "Checklist items not met or partly met",
    "item": "Item", "area": "Area", "provision": "Provision", "recs": "Recommendations",
    "not_met": "Not met", "partly_met": "Partly met",
    "defs_h": "Annex: definitions of key terms",
}
STRINGS = list(dict.fromkeys(TEXT.values()))

#: Definitions annex: term -> definition (own wording; en source, es in the .po catalogue).
DEFINITIONS = {
    "Technology-facilitated child sexual exploitation and abuse (TF-CSEA)":
        "Any sexual exploitation or abuse of a person under 18 in which digital technology "
        "plays a part, whether the abuse happens online, in person or both.",
    "Child sexual abuse material":
        "Images, videos or other material that show a child in sexual activity or that "
        "sexualise a child's body, whoever made them and however they were made, including "
        "with editing or generative tools.",
    "Grooming for sexual purposes":
        "Building trust or a relationship with a child, online or in person, in order to "
        "abuse or exploit them sexually.",
    "Sexual extortion":
        "Threatening to share sexual images of a child, or other harm, to obtain more images, "
        "sexual acts, money or something else from the child.",
    "Disclosure":
        "A child telling anyone (a friend, a relative, a professional) about abuse.",
    "Reporting":
        "Telling a formal body such as the police, a helpline or a social worker about abuse.",
    "Prevalence ratio":
        "How many times more common an experience is in one group of children than in "
        "another; 1 means equally common.",
    "Base":
        "The group of people, or of instances, that a percentage is calculated on.",
    "Instance":
        "One experience of abuse described by a child in the follow-up questions; a child "
        "can describe several.",
}
STRINGS += list(DEFINITIONS) + list(DEFINITIONS.values())


def _t(t: Translator, key: str, **kw) -> str:
    return t(TEXT[key], **kw)


@dataclass
class SimpleTable:
    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    numeric_from: int = 1            # columns from this index are right-aligned numbers


@dataclass
class Block:
    """A titled piece of a chapter: paragraphs, a bulleted list and tables."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[SimpleTable] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    id: str = ""
    terms: list[tuple[str, str]] = field(default_factory=list)   # definition list
    html: str = ""          # markup built by another stage's renderer (escaped there)
    lead: bool = False      # shown at the start of its chapter, before the planned tables
    ordered: bool = False   # the bullets are a numbered list (their order matters)


# ------------------------------------------------------------------------- methods
def methods_blocks(analysis, inputs, t: Translator, se_paragraphs: list[str]) -> list[Block]:
    """The methods chapter, as the seed's authors laid it out (design, coverage, response,
    sample, self-completion, weighting, errors, interviews, ethics, limitations)."""
    fw = getattr(inputs, "fieldwork", None)
    blocks = [_design_block(analysis, inputs, t, fw)]
    if fw is not None:
        blocks.append(_response_block(fw, t))
    blocks.append(_profile_block(analysis, inputs, t))
    sc = _selfcompletion_block(inputs, t)
    if sc:
        blocks.append(sc)
    blocks.append(_weighting_block(analysis, inputs, t))
    blocks.append(Block(_t(t, "se_h"), list(se_paragraphs), id="methods-se"))
    if fw is not None:
        blocks.append(_qual_block(fw, t))
    blocks += [b for b in (_legal_method_block(inputs, t),
                           _le_method_block(analysis, inputs, t)) if b is not None]
    blocks.append(_ethics_block(inputs, t, fw))
    blocks.append(_limits_block(analysis, inputs, t, fw))
    return blocks


def _lang_text(d: dict, t: Translator) -> str:
    return (d or {}).get(t.lang) or (d or {}).get("en") or ""


def _design_block(analysis, inputs, t, fw) -> Block:
    s = analysis.design_summary
    cat = analysis.catalogue
    spec = inputs.design
    regions = []
    if spec.strata and spec.strata in inputs.main.columns:
        present = set(inputs.main[spec.strata].astype(str))
        labels = cat.domains["region"].levels if "region" in cat.domains else {}
        regions = [t.label(lab) for code, lab in labels.items() if code in present] or \
            sorted(present)
    paras = [_t(t, "design", n_psu=t.number(s["n_psu"]), n_strata=t.number(s["n_strata"]),
                regions=", ".join(regions))]
    notes = fw.notes if fw is not None else None
    if notes is not None and notes.coverage is not None:
        paras.append(_t(t, "coverage", coverage=t.percent(notes.coverage, 0)))
    if notes is not None and _lang_text(notes.exclusions, t):
        # the team's sentence continues ours after a colon: "... frame: a few remote ..."
        paras.append(_t(t, "exclusions", details=_lower_first(_lang_text(notes.exclusions, t))))
    # the submissions' own dates, in the report's language; else the team's words
    period = fw.survey_period if fw is not None else None
    if period is not None:
        from dhkit.report.intro import period_text

        paras.append(_t(t, "fieldwork", period=period_text(period, t)))
    elif notes is not None and notes.fieldwork:
        paras.append(_t(t, "fieldwork", period=notes.fieldwork))
    return Block(_t(t, "design_h"), paras, id="methods-design")


@dataclass(frozen=True)
class ResponseRates:
    """Counts and rates of each survey stage (from every household submission)."""

    issued: int | None
    visited: int
    screened: int
    eligible: int
    child: int
    caregiver: int

    @property
    def overall(self) -> float | None:
        return self.child / self.issued if self.issued else None


def response_rates(fw) -> ResponseRates:
    """Stages from the interview results: 1 complete, 2 refused, 3 no one at home, 4 no
    eligible child; a roster was taken for results 1 and 4."""
    hh = fw.households
    res = pd.to_numeric(hh["interview_result"], errors="coerce")
    complete = res == 1
    child = int((complete & hh.get("child_sex", pd.Series(index=hh.index)).notna()).sum()) \
        if "child_sex" in hh else int(complete.sum())
    cg = int((complete & hh["cg_sex"].notna()).sum()) if "cg_sex" in hh else int(complete.sum())
    return ResponseRates(fw.notes.households_issued, len(hh), int(res.isin([1, 4]).sum()),
                         int(complete.sum()), child, cg)


def _response_block(fw, t) -> Block:
    r = response_rates(fw)
    rows = []

    def rate(a, b):
        return t.percent(a / b, 0) if b else "–"

    if r.issued:
        rows.append([_t(t, "issued"), t.number(r.issued), ""])
        rows.append([_t(t, "visited"), t.number(r.visited), rate(r.visited, r.issued)])
    else:
        rows.append([_t(t, "visited"), t.number(r.visited), ""])
    rows += [[_t(t, "screened"), t.number(r.screened), rate(r.screened, r.visited)],
             [_t(t, "eligible"), t.number(r.eligible), rate(r.eligible, r.screened)],
             [_t(t, "child_int"), t.number(r.child), rate(r.child, r.eligible)],
             [_t(t, "cg_int"), t.number(r.caregiver), rate(r.caregiver, r.eligible)]]
    table = SimpleTable(_t(t, "response_caption"), [_t(t, "stage"), _t(t, "count"),
                                                    _t(t, "rate")], rows)
    overall = (_t(t, "overall", rate=t.percent(r.overall, 0)) if r.overall is not None
               else _t(t, "overall_noissue"))
    return Block(_t(t, "response_h"), [_t(t, "response_intro"), overall], [table],
                 id="methods-response")


PROFILE = (("child_sex", "sex"), ("age_group", "age_group"), ("area", "area"),
           ("region", "region"), ("cg_sex", "cg_sex"), ("cg_age_group", "cg_age"))


def _profile_block(analysis, inputs, t) -> Block:
    main = inputs.main.copy()
    if "child_age" in main and "age_group" not in main:
        age = pd.to_numeric(main["child_age"], errors="coerce")
        main["age_group"] = np.select([age.between(12, 14), age.between(15, 17)], ["1", "2"], "")
    w = main[inputs.design.weights].to_numpy(dtype=float)
    cat = analysis.catalogue
    rows = []
    for var, dom_id in PROFILE:
        if var not in main or dom_id not in cat.domains:
            continue
        dom = cat.domains[dom_id]
        codes = main[var].astype("string").str.replace(r"\.0+$", "", regex=True)
        known = codes.notna().to_numpy()
        rows.append([t.label(dom.label), "", "", ""])
        for code, label in dom.levels.items():
            sel = (codes == code).fillna(False).to_numpy()
            n = int(sel.sum())
            rows.append([t.label(label), t.number(n),
                         t.percent(n / known.sum(), 1) if known.sum() else "",
                         t.percent(w[sel].sum() / w[known].sum(), 1) if known.sum() else ""])
    table = SimpleTable(_t(t, "profile_caption"),
                        [_t(t, "characteristic"), "n", _t(t, "unweighted"), _t(t, "weighted")],
                        rows, [_t(t, "profile_note")])
    return Block(_t(t, "profile_h"), [], [table], id="methods-profile")


def _selfcompletion_block(inputs, t) -> Block | None:
    from dhkit.instrument import read_xlsform, shipped_form_path

    try:
        cb = read_xlsform(inputs.instrument or shipped_form_path())
    except Exception:                          # the dictionary step reports form problems
        return None
    data = {q.name for level in cb.levels() for q in cb.data_questions(level)}
    sens = [q for q in cb.questions.values() if getattr(q, "sensitive", False)
            and q.name in data and q.type != "calculate"]
    if not sens:
        return None
    prefixes = {"risk_": "mod_risk", "ab_": "mod_abuse", "inst_": "mod_inst",
                "inperson_": "mod_inperson", "mh_": "mod_mh", "barriers_": "mod_help"}
    keys = [k for p, k in prefixes.items() if any(q.name.startswith(p) for q in sens)]
    modules = [_t(t, k) for k in keys]
    return Block(_t(t, "selfcomp_h"), [_t(t, "selfcomp", n=t.number(len(sens)),
                                          modules=", ".join(modules))], id="methods-selfcomp")


def _weighting_block(analysis, inputs, t) -> Block:
    main = inputs.main
    steps = _weight_steps(inputs)
    if not steps:
        return Block(_t(t, "weighting_h"), [_t(t, "weighting_none")], id="methods-weighting")
    y = pd.to_numeric(main["any_tfcsea"], errors="coerce").to_numpy(dtype=float) \
        if "any_tfcsea" in main else None
    rows = []
    for col in steps:
        w = main[col].to_numpy(dtype=float)
        ok = np.isfinite(w)
        w = w[ok]
        kish = len(w) * np.sum(w ** 2) / np.sum(w) ** 2
        est = ""
        if y is not None:
            yy = y[ok]
            m = np.isfinite(yy)
            est = t.number(100 * np.sum(w[m] * yy[m]) / np.sum(w[m]), 1)
        label = TEXT.get(col)
        rows.append([t(label) if label else col, t.number(w.sum()),
                     t.number(np.std(w) / np.mean(w), 2), t.number(kish, 2),
                     t.number(len(w) / kish), est])
    table = SimpleTable(_t(t, "weighting_caption"),
                        [_t(t, "step"), _t(t, "sum"), _t(t, "cv"), _t(t, "kish"), _t(t, "neff"),
                         _t(t, "headline_with")], rows)
    return Block(_t(t, "weighting_h"), [_t(t, "weighting"), _t(t, "weighting_see_annex")],
                 [table], id="methods-weighting")


def _weight_steps(inputs) -> list[str]:
    main = inputs.main
    return [c for c in main.columns if c.startswith("w_")] \
        if getattr(inputs, "weight_lineage", False) else []


def weights_annex(inputs, t: Translator) -> Block | None:
    """The distribution of the weights at each stored step — what the methods chapter's
    weighting table (sum, CV, Kish, effective n, headline) does not show; each figure is
    in one place and each place points to the other."""
    steps = _weight_steps(inputs)
    if not steps:
        return None
    ws = {}
    for col in steps:
        w = inputs.main[col].to_numpy(dtype=float)
        ws[col] = w[np.isfinite(w)]
    stats = [(_t(t, "w_min"), lambda w: w.min()), (_t(t, "w_pct", p="5"), lambda w: np.percentile(w, 5)),
             (_t(t, "w_pct", p="25"), lambda w: np.percentile(w, 25)),
             (_t(t, "w_median"), lambda w: np.median(w)),
             (_t(t, "w_pct", p="75"), lambda w: np.percentile(w, 75)),
             (_t(t, "w_pct", p="95"), lambda w: np.percentile(w, 95)),
             (_t(t, "w_max"), lambda w: w.max())]
    rows = [[label] + [t.number(float(f(ws[c])), 1) for c in steps] for label, f in stats]
    rows.append([_t(t, "w_ratio")] + [t.number(float(ws[c].max() / ws[c].min()), 2)
                                       for c in steps])
    header = [_t(t, "statistic")] + [t(TEXT[c]) if c in TEXT else c for c in steps]
    table = SimpleTable(_t(t, "wdiag_caption"), header, rows)
    return Block(_t(t, "wdiag_h"), [_t(t, "wdiag_intro")], [table], id="annex-weights")


def _qual_block(fw, t) -> Block:
    p = fw.participants
    if p is None or not len(p):
        return Block(_t(t, "qual_h"), [_t(t, "qual_none")], id="methods-qual")
    groups = [g for g in ("YP", "FW", "JP") if g in set(p["group"])]
    counts = p.groupby("group").size()
    from dhkit.report.intro import joined

    # "30 young people subjected to abuse (YP), 15 front-line workers (FW) and 11 ..."
    text = joined([f"{t.number(int(counts[g]))} {_lower_first(_t(t, g))}" for g in groups], t)
    places = sorted(set(p["region"].fillna("")))
    rows = []
    for place in places:
        sub = p[p["region"].fillna("") == place]
        rows.append([place or "–"] + [t.number(int((sub["group"] == g).sum())) for g in groups])
    rows.append([t("Total")] + [t.number(int(counts[g])) for g in groups])
    table = SimpleTable(_t(t, "qual_caption"), [_t(t, "place")] + groups, rows)
    return Block(_t(t, "qual_h"), [_t(t, "qual", n=t.number(len(p)), groups=text)], [table],
                 id="methods-qual")


def _lower_first(text: str) -> str:
    """A label or the team's sentence inside one of ours ("Young people ..." -> "young
    people ..."); an acronym ("TF-CSEA ...") keeps its capitals, "A few" does not.

    >>> _lower_first("A few remote areas"), _lower_first("TF-CSEA"), _lower_first("Jóvenes")
    ('a few remote areas', 'TF-CSEA', 'jóvenes')
    """
    acronym = text[:2].isupper() and text[1:2].isalpha()
    return text if acronym else text[:1].lower() + text[1:]


def _legal_method_block(inputs, t) -> Block | None:
    """How the legal and policy analysis was done, counted from the checklist the
    study's assessment used (items, areas, instruments) and the assessment's review."""
    pair = _assessment(inputs)
    if pair is None:
        return None
    checklist, assessment = pair
    areas = [t.label(v) if isinstance(v, dict) else str(v) for v in checklist.areas.values()]
    paras = [_t(t, "legal_m", n=t.number(len(checklist.items)), k=t.number(len(areas)),
                areas=", ".join(a[:1].lower() + a[1:] for a in areas),
                m=t.number(len(checklist.instruments)))]
    if assessment.reviewer:
        paras.append(_t(t, "legal_m_reviewed", date=assessment.review_date or "–"))
    return Block(_t(t, "legal_m_h"), paras, id="methods-legal")


def _le_method_block(analysis, inputs, t) -> Block | None:
    """How the law-enforcement capacity assessment was done: the questionnaire's size and
    topics, and how many questions are restricted (counted from the questionnaire, never
    from restricted answers)."""
    study = getattr(inputs, "study", None)
    if study is None or not list((study.dir / "legal").glob("le-capacity-*.yaml")):
        return None
    from dhkit.legal.capacity import is_public, load_questionnaire

    q = load_questionnaire()
    public = sum(is_public(x) for x in q.questions)
    chapter = next((t.label(s.title) for s in analysis.plan.sections if s.id == "reporting"),
                   "")
    topics = [t.label(v) for v in q.sections.values()]
    return Block(_t(t, "le_m_h"), [_t(t, "le_m", n=t.number(len(q.questions)),
                                      topics=", ".join(x[:1].lower() + x[1:] for x in topics),
                                      r=t.number(len(q.questions) - public),
                                      p=t.number(public), chapter=chapter)],
                 id="methods-le")


def _ethics_block(inputs, t, fw) -> Block:
    hh = fw.households if fw is not None else inputs.main
    res = pd.to_numeric(hh.get("interview_result"), errors="coerce") \
        if "interview_result" in hh else pd.Series(1, index=hh.index)
    done = res == 1
    n_consent = int((done & (pd.to_numeric(hh.get("consent_caregiver"), errors="coerce") == 1))
                    .sum()) if "consent_caregiver" in hh else int(done.sum())
    n_assent = int((done & (pd.to_numeric(hh.get("assent_child"), errors="coerce") == 1)).sum()) \
        if "assent_child" in hh else int(done.sum())
    paras = [_t(t, "consent", n_consent=t.number(n_consent), n_assent=t.number(n_assent))]
    if fw is not None:
        paras += [x for x in (_lang_text(fw.notes.ethics, t),
                              _lang_text(fw.notes.safeguarding, t)) if x]
    return Block(_t(t, "ethics_h"), paras, id="methods-ethics")


def _limits_block(analysis, inputs, t, fw) -> Block:
    bullets = []
    if fw is not None:
        r = response_rates(fw)
        if r.overall is not None:
            bullets.append(_t(t, "lim_response", rate=t.percent(r.overall, 0)))
    bullets += [_t(t, "lim_self"), _t(t, "lim_cross")]
    flags = analysis.estimates["flag"].astype(str)
    from dhkit.disclosure import CAUTION, SUPPRESSED

    th = analysis.thresholds
    bullets.append(_t(t, "lim_small", n_all=t.number(len(flags)),
                      n_caution=t.number(int((flags == CAUTION).sum())),
                      n_suppressed=t.number(int((flags == SUPPRESSED).sum())),
                      low=th.suppress_below, high=th.caution_below - 1, n=th.suppress_below))
    if fw is not None and len(fw.participants):
        bullets.append(_t(t, "lim_qual"))
        bullets += [_lang_text(x, t) for x in fw.notes.limitations if _lang_text(x, t)]
    return Block(_t(t, "limits_h"), [], [], bullets, id="methods-limits")


# ------------------------------------------------------------------------- chapters
@dataclass(frozen=True)
class HouseholdRate:
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_households: int


def household_internet_rate(inputs) -> HouseholdRate | None:
    """Internet users among the 12-17-year-olds on the rosters of screened households: a
    ratio estimator over households, weighted by the household's inverse selection
    probability (PSU × household), with the study's strata and PSUs."""
    from dhkit.survey import Design

    fw = getattr(inputs, "fieldwork", None)
    if fw is None or "teens" not in fw.households or "p_psu" not in fw.households:
        return None
    hh = fw.households
    hh = hh[(hh["teens"] > 0) & hh["p_psu"].notna() & hh["p_hh"].notna()].copy()
    if len(hh) < 2:
        return None
    hh["_hw"] = 1.0 / (hh["p_psu"].astype(float) * hh["p_hh"].astype(float))
    spec = inputs.design
    design = Design(hh, weights="_hw", strata=spec.strata if spec.strata in hh else None,
                    psu=spec.psu if spec.psu in hh else None, lonely_psu=spec.lonely_psu)
    row = design.ratio("teens_online", "teens", deff=False).table.iloc[0]
    return HouseholdRate(float(row["estimate"]), float(row["se"]), float(row["ci_low"]),
                         float(row["ci_high"]), len(hh))


def internet_block(inputs, t) -> Block | None:
    r = household_internet_rate(inputs)
    if r is None:
        return None
    pct = t.percent
    table = SimpleTable(_t(t, "hh_rate_caption"), ["", "%", _t(t, "ci95")],
                        [[_t(t, "hh_rate_row"), t.number(100 * r.estimate, 1),
                          f"{t.number(100 * r.ci_low, 1)}–{t.number(100 * r.ci_high, 1)}"]],
                        [_t(t, "hh_rate_base", n=t.number(r.n_households))])
    # the chapter opens with it, as the seed's internet-use chapter opens with the rate
    return Block(_t(t, "hh_rate_h"), [_t(t, "hh_rate", rate=pct(r.estimate),
                                         low=pct(r.ci_low), high=pct(r.ci_high))], [table],
                 id="hh-internet-rate", lead=True)


def overlap_ratio(analysis, inputs):
    """The prevalence ratio of any TF-CSEA, in-person sexual violence (1) against none (2),
    on the design every other child figure uses: strata, PSUs and — when the study's
    weights were calibrated — the calibrated design, whose covariance carries the
    calibration residuals (R: ``rake``/``calibrate`` then ``svycontrast`` on log; the
    fixture test ``apiclus1_raked``). Without a calibration record the final weights are
    the design's (R ``svydesign`` on the stored weights)."""
    from dhkit.report.build import _calibrated
    from dhkit.report.ratio import prevalence_ratio
    from dhkit.survey import Design

    if "any_tfcsea" not in inputs.main.columns or "inperson_sv" not in inputs.main.columns:
        return None
    cal = getattr(inputs, "calibration", None)
    extra = (cal.variables + [cal.before]) if cal is not None else []
    frame = _child_frame(inputs, extra)
    if frame is None or frame["_sv"].dropna().nunique() < 2:
        return None
    spec = inputs.design
    design = Design(frame, weights=spec.weights, **spec.options())
    if cal is not None and set(extra) <= set(frame.columns):
        design = _calibrated(design, frame, cal, spec)
    try:
        return prevalence_ratio(design, "_any", "_sv", exposed="1", reference="2")
    except DhkitError:      # a prevalence of 0 in either group: no ratio to report
        return None


def _child_frame(inputs, extra: list[str] | tuple = ()) -> pd.DataFrame | None:
    spec = inputs.design
    main = inputs.main
    cols = [c for c in (spec.weights, spec.strata, spec.psu, spec.fpc) if c]
    if not set(cols) <= set(main.columns):
        return None
    cols += [c for c in dict.fromkeys(extra) if c in main.columns and c not in cols]
    frame = main[cols].copy()
    frame["_any"] = pd.to_numeric(main["any_tfcsea"], errors="coerce").astype(float)
    sv = pd.to_numeric(main["inperson_sv"], errors="coerce")
    frame["_sv"] = sv.where(sv.isin([1, 2])).astype("Int64").astype("string")
    return frame


def overlap_block(analysis, inputs, t) -> Block | None:
    pr = overlap_ratio(analysis, inputs)
    if pr is None or not np.isfinite(pr.se_log):
        return None
    pct = t.percent
    kw = dict(ratio=t.number(pr.ratio, 1), p1=pct(pr.p_exposed), p0=pct(pr.p_reference),
              low=t.number(pr.ci_low, 1), high=t.number(pr.ci_high, 1))
    paras = [_t(t, "overlap" if pr.ci_low > 1 or pr.ci_high < 1 else "overlap_ns", **kw)]
    th = inputs.thresholds
    if pr.n_exposed < th.caution_below:
        paras.append(_t(t, "overlap_caution", n=t.number(pr.n_exposed)))
    table = SimpleTable(_t(t, "overlap_caption"), ["", _t(t, "pr"), _t(t, "ci95"), "n"],
                        [[t.label(analysis.catalogue.indicators["any_tfcsea"].label),
                          t.number(pr.ratio, 2),
                          f"{t.number(pr.ci_low, 2)}–{t.number(pr.ci_high, 2)}",
                          f"{t.number(pr.n_exposed)} / {t.number(pr.n_reference)}"]],
                        [_t(t, "pr_method", df=t.number(pr.df))])
    return Block(_t(t, "overlap_h"), paras, [table], id="overlap-ratio")


def capacity_block(inputs, t) -> Block | None:
    """Public law-enforcement capacity answers only: read through the capacity stage's
    one gate (:func:`dhkit.legal.capacity.load_public`), never the encrypted store."""
    study = getattr(inputs, "study", None)
    if study is None:
        return None
    from dhkit.legal.capacity import is_public, load_public, load_questionnaire

    from dhkit.errors import DhkitError
    from dhkit.legal.study import open_legal_study

    q = load_questionnaire()
    try:
        answers = load_public(open_legal_study(study.dir), q)
    except DhkitError:
        return Block(_t(t, "le_h"), [_t(t, "le_none")], id="le-capacity")
    answers = [a for a in answers if is_public(q.question(a.question))]
    if not answers:
        return Block(_t(t, "le_h"), [_t(t, "le_none")], id="le-capacity")
    words = {k: _t(t, k) for k in ("yes", "no", "partly", "national", "regional", "city",
                                   "none")}
    order = {qq.id: i for i, qq in enumerate(q.questions)}
    rows = []
    for a in sorted(answers, key=lambda a: (order[a.question], a.year or 0)):
        qq = q.question(a.question)
        text = t.label(qq.question)
        value = words.get(a.value.lower(), a.value)
        if a.year:
            text = f"{text} ({a.year})"
        rows.append([text, value])
    table = SimpleTable(_t(t, "le_caption"), [_t(t, "question"), _t(t, "answer")], rows)
    return Block(_t(t, "le_h"), [_t(t, "le_intro")], [table], id="le-capacity")


def _assessment(inputs):
    """(checklist, the study's public legal assessment), or None when it has none."""
    study = getattr(inputs, "study", None)
    if study is None or not (study.dir / "legal").is_dir():
        return None
    files = sorted((study.dir / "legal").glob("assessment-*.yaml"))
    if not files:
        return None
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.checklist import load_checklist

    checklist = load_checklist()
    return checklist, load_assessment(files[0], checklist)


ANSWERS = ("met", "partly_met", "not_met", "unknown", "not_applicable")


def _answer_counts(answers) -> dict[str, int]:
    counts = dict.fromkeys(ANSWERS, 0)
    for a in answers:
        counts[a.answer if a.answer in counts else "unknown"] += 1
    return counts


def checklist_block(inputs, t: Translator, topics) -> Block | None:
    """The checklist items of the given topics (a section's ``checklist:``) with the
    country's answer and provision: what law and policy already do for the chapter's
    theme (the prevention chapter: strategy, education, training, early warning...)."""
    pair = _assessment(inputs) if topics else None
    if pair is None:
        return None
    checklist, assessment = pair
    answers = {a.item: a for a in assessment.answers}
    wanted = set(topics)           # checklist topics, or single item ids
    items = [i for i in checklist.items if (i.topic in wanted or i.id in wanted)
             and i.id in answers]
    if not items:
        return None
    rows = [[i.id, i.text(t.lang), _t(t, answers[i.id].answer)
             if answers[i.id].answer in ANSWERS else answers[i.id].answer,
             answers[i.id].provision or "–"] for i in items]
    c = _answer_counts(answers[i.id] for i in items)
    table = SimpleTable(_t(t, "prev_policy_caption"),
                        [_t(t, "item"), _t(t, "question"), _t(t, "answer"), _t(t, "provision")],
                        rows, numeric_from=99)
    text = _t(t, "prev_policy", n=t.number(len(items)), met=t.number(c["met"]),
              partly=t.number(c["partly_met"]), not_met=t.number(c["not_met"]),
              unknown=t.number(c["unknown"]))
    return Block(_t(t, "prev_policy_h"), [text], [table], id="prevention-policy")


def legal_summary_paragraph(inputs, t: Translator) -> str:
    """One sentence counting the whole assessment's answers (the conclusion's legal block)."""
    pair = _assessment(inputs)
    if pair is None:
        return ""
    c = _answer_counts(pair[1].answers)
    n = sum(v for k, v in c.items() if k != "not_applicable")
    return _t(t, "legal_sum", n=t.number(n), met=t.number(c["met"]),
              partly=t.number(c["partly_met"]), not_met=t.number(c["not_met"]),
              unknown=t.number(c["unknown"]))


def consultation_block(inputs, t: Translator) -> Block | None:
    """The national consultation on the recommendations, counted from the comments the
    study holds (:mod:`dhkit.legal.consultation`): who commented, how they stood on the
    recommendations, and what was decided. Comments' texts are not shown."""
    study = getattr(inputs, "study", None)
    if study is None:
        return None
    from dhkit.errors import DhkitError
    from dhkit.legal.consultation import load_comments
    from dhkit.legal.study import open_legal_study

    try:
        comments = load_comments(open_legal_study(study.dir))
    except DhkitError:
        return None
    if not comments:
        return None
    stand = {e: sum(c.endorsement == e for c in comments) for e in
             ("endorse", "endorse_with_changes", "do_not_endorse", "no_position")}
    n = t.number
    paras = [_t(t, "consult", n=n(len(comments)),
                orgs=n(len({c.organisation for c in comments})),
                sectors=n(len({c.sector for c in comments})), endorse=n(stand["endorse"]),
                changes=n(stand["endorse_with_changes"]), against=n(stand["do_not_endorse"]),
                none=n(stand["no_position"]),
                proposed=n(sum(bool(c.proposed_change) for c in comments)))]
    decided = {d: sum(c.decision == d for c in comments) for d in ("accepted", "noted",
                                                                    "rejected")}
    if any(decided.values()):
        paras.append(_t(t, "consult_decided", accepted=n(decided["accepted"]),
                        noted=n(decided["noted"]), rejected=n(decided["rejected"]),
                        open=n(len(comments) - sum(decided.values()))))
    return Block(_t(t, "consult_h"), paras, id="consultation")


def chapter_blocks(analysis, inputs, t: Translator) -> dict[str, list[Block]]:
    """Blocks shown at the end of a planned section, by section id; a section's
    ``checklist:`` topics add the matching legal checklist items."""
    out: dict[str, list[Block]] = {}
    # the prevalence ratio stands with the overlap table, wherever the plan puts it (the
    # seed: among the drivers of abuse, "exposure to in-person violence")
    overlap_at = next((s.id for s in analysis.plan.sections
                       if any(tb.id == "overlap" for tb in s.tables)), "abuse")
    for sid, block in (("internet", internet_block(inputs, t)),
                       (overlap_at, overlap_block(analysis, inputs, t)),
                       ("reporting", capacity_block(inputs, t))):
        if block is not None:
            out.setdefault(sid, []).append(block)
    for s in analysis.plan.sections:
        block = checklist_block(inputs, t, s.checklist) if s.checklist else None
        if block is not None:
            out.setdefault(s.id, []).append(block)
    consultation = consultation_block(inputs, t)
    if consultation is not None and "recommendations" in {s.id for s in analysis.plan.sections}:
        out.setdefault("recommendations", []).append(consultation)
    return out


# ------------------------------------------------------------------------- annexes
def gap_annex(inputs, t: Translator) -> Block | None:
    """The legal item-level gap table (not met and partly met items) from the study's
    public legal assessment."""
    found = _assessment(inputs)
    if found is None:
        return None
    from dhkit.legal.gap import build_gap

    checklist, assessment = found
    registry = None
    recs = sorted((inputs.study.dir / "legal").glob("recommendations-*.yaml"))
    if recs:
        from dhkit.legal.recommendations import load_registry

        registry = load_registry(recs[0])
    gap = build_gap(checklist, assessment, lang=t.lang, registry=registry)
    labels = {a.area: a.label for a in gap.areas}
    rows = []
    for status, items in (("not_met", gap.not_met), ("partly_met", gap.partly_met)):
        for g in items:
            rows.append([g.item.id, labels.get(g.item.area, g.item.area), g.question,
                         g.answer.provision or "–", _t(t, status),
                         ", ".join(g.recommendations) or "–"])
    table = SimpleTable(_t(t, "gap_caption"),
                        [_t(t, "item"), _t(t, "area"), _t(t, "question"), _t(t, "provision"),
                         _t(t, "answer"), _t(t, "recs")], rows, numeric_from=99)
    return Block(_t(t, "gap_h"), [_t(t, "gap_intro")], [table], id="annex-gaps")


def definitions_annex(t: Translator) -> Block:
    return Block(_t(t, "defs_h"), id="annex-definitions",
                 terms=[(t(k), t(v)) for k, v in DEFINITIONS.items()])


def annex_blocks(inputs, t: Translator) -> list[Block]:
    return [b for b in (weights_annex(inputs, t), gap_annex(inputs, t), definitions_annex(t))
            if b is not None]
