"""The report's introduction: what the study is and why it was done, whom it covers, the
research activities the study actually holds, and how the report is organised.

The research questions are the plan's (``research_questions``, validated on load like
every label). It stands where the seed's country report has it, after the methods and before the first
findings chapter (the plan's built-in part ``introduction``). Nothing study-specific is
typed in: the country's name comes from ``study.toml`` (``country``, named in the report's
language by Babel's territory names), the ages from ``[import] age_range``, the sample
from the submissions, the fieldwork period from the submissions' own dates, the
interviews from the participants, and the other activities from the study's legal folder
(checklist assessment, law-enforcement capacity, consultation comments). The list of
parts is the report's own, in the plan's order, each with the line the plan's ``about``
gives its section.

Texts are English source strings of the report's ``.po`` catalogue (:data:`STRINGS`).

>>> from dhkit.report.i18n import Translator
>>> country_name("CO", Translator("es")), country_name("XX", Translator("en"))
('Colombia', 'XX')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dhkit.report.chapters import Block, response_rates
from dhkit.report.i18n import Translator

TEXT = {
    "intro_h": "Introduction",
    "about_h": "About this study",
    "about": "This report brings together what the study “{title}” found about "
             "technology-facilitated child sexual exploitation and abuse (TF-CSEA) in "
             "{country}: how many children are subjected to it, in what forms and by whom, "
             "what happens afterwards, and how families, services, the justice system and the "
             "law respond. Its purpose is to give government, law enforcement, services, "
             "schools, families and technology companies one body of evidence from which to "
             "decide where action is most needed.",
    "definition": "TF-CSEA stands here for any sexual exploitation or abuse of a child in "
                  "which technology plays a part: the internet, social media, messaging and "
                  "gaming apps, or the devices used to make and pass on images and videos. "
                  "Whether an experience counts depends neither on who the offender was nor "
                  "on how the abuse was done, nor on whether the child saw it as abuse at the "
                  "time, nor on anything the child did before, during or after it. The abuse "
                  "may stay online, may add to abuse already happening in person, or may "
                  "begin online and lead to a meeting in person.",
    "caveat": "Every child's experience is their own, and much of what shapes it (the power "
              "an offender holds over a child, gender and social norms, poverty, violence at "
              "home or at school) is hard to measure. Children told the survey and the "
              "interviewers what they felt able to share at that moment, so the true extent "
              "of abuse is likely to be larger than this report can show.",
    "questions_h": "Research questions",
    "questions": "The study set out to answer {n} questions, the same in every country "
                 "where this research is carried out:",
    "scope_h": "Whom the study covers",
    "scope": "The household survey represents the children aged {ages} in {country} who had "
             "used the internet in the three months before the interview and live in a "
             "private household, together with one parent or caregiver of each. Questions "
             "about abuse refer to the year before the interview.",
    "scope_qual": "The interviews add what no survey can measure: the experiences of young "
                  "people who were abused as children and of the professionals who work with "
                  "such cases. They describe; they do not count.",
    "activities_h": "Research activities",
    "activities": "The evidence comes from the following research activities; the methods "
                  "chapter describes how each was carried out.",
    "act_survey": "A nationally representative household survey: {children} children aged "
                  "{ages} and {caregivers} of their parents or caregivers were interviewed in "
                  "{n_psu} sampling areas across {n_strata} regions.",
    "act_survey_period": "Survey fieldwork: {period}.",
    "act_interviews": "In-depth interviews with {n} people: {groups}.",
    "act_interviews_period": "Interviews: {period}.",
    "g_YP": "{n} young people subjected to abuse as children",
    "g_FW": "{n} front-line workers",
    "g_JP": "{n} justice professionals",
    "and": "{a} and {b}",
    "ages": "{low}–{high}",
    "act_legal": "A review of the country's laws and policies against a checklist of {n} "
                 "items drawn from international standards.",
    "act_le": "An assessment of the capacity of national law enforcement to respond, "
              "through a questionnaire of {n} questions; the answers classed as restricted "
              "are shared only with the national authorities.",
    "act_consult": "A national consultation on the draft recommendations: {n} comments from "
                   "{orgs} organisations.",
    "org_h": "How this report is organised",
    "org": "After this introduction the findings follow, one chapter per theme. Every "
           "percentage is of the base named beneath its table or figure, and quotes from the "
           "interviews end with the group the speaker belongs to: (YP) young people, (FW) "
           "front-line workers, (JP) justice professionals. The report's parts are:",
    "org_item": "{title} — {about}",
    "org_key": "the headline figures at a glance",
    "org_summary": "the main findings in brief",
    "org_methods": "how the survey, the interviews and the reviews were carried out, who took "
                   "part, and the limits of the data",
    "org_appendix": "the standard error, confidence interval and design effect of each "
                    "headline estimate",
    "annex-weights": "the spread of the weights at each weighting step",
    "annex-gaps": "every legal checklist item the country does not meet, or meets in part",
    "annex-definitions": "the key terms as this report uses them",
}
STRINGS = list(dict.fromkeys(TEXT.values()))

GROUPS = ("YP", "FW", "JP")


def _t(t: Translator, key: str, **kw) -> str:
    return t(TEXT[key], **kw)


def country_name(code: str, t: Translator) -> str:
    """The ISO 3166-1 country code's name in the report's language (the code itself when
    Babel does not know it)."""
    return t.locale.territories.get(str(code or "").upper(), code or "")


def period_text(period: tuple[date, date] | None, t: Translator) -> str:
    """A fieldwork period as the locale writes a month range ("March – July 2024",
    "marzo–julio de 2024"); empty without dates.

    >>> period_text((date(2024, 3, 5), date(2024, 7, 2)), Translator("en")).replace("\u2009", " ")
    'March – July 2024'
    """
    if period is None:
        return ""
    from babel.dates import format_interval

    return format_interval(period[0], period[1], "yMMMM", locale=t.locale)


@dataclass(frozen=True)
class Activities:
    """The research activities a study holds, counted from its data and legal folder."""

    children: int
    caregivers: int
    n_psu: int
    n_strata: int
    survey_period: tuple[date, date] | None
    interviews: dict[str, int]           # group -> people interviewed
    interview_period: tuple[date, date] | None
    checklist_items: int | None          # the legal checklist, when assessed
    le_questions: int | None             # the law-enforcement questionnaire, when held
    consultation: tuple[int, int] | None  # (comments, organisations), when held


def study_activities(analysis, inputs) -> Activities:
    """What the study holds: the survey's sample and fieldwork period, the interviews by
    group and their dates, and which of the legal, law-enforcement and consultation
    activities have files in the study folder."""
    fw = getattr(inputs, "fieldwork", None)
    s = analysis.design_summary
    if fw is not None:
        r = response_rates(fw)
        children, caregivers = r.child, r.caregiver
    else:
        children = caregivers = len(inputs.main)
    interviews: dict[str, int] = {}
    interview_period = None
    p = fw.participants if fw is not None else None
    if p is not None and len(p):
        interviews = {g: int((p["group"] == g).sum()) for g in GROUPS if (p["group"] == g).any()}
        if "interview_date" in p:
            days = [d for d in p["interview_date"] if isinstance(d, date)]
            interview_period = (min(days), max(days)) if days else None
    return Activities(children, caregivers, int(s["n_psu"]), int(s["n_strata"]),
                      fw.survey_period if fw is not None else None, interviews,
                      interview_period, *legal_activities(inputs))


def legal_activities(inputs) -> tuple[int | None, int | None, tuple[int, int] | None]:
    """(checklist items assessed, law-enforcement questions, (consultation comments,
    organisations)); None for an activity the study folder does not hold."""
    from dhkit.report.chapters import _assessment

    study = getattr(inputs, "study", None)
    if study is None:
        return None, None, None
    pair = _assessment(inputs)
    items = len(pair[0].items) if pair is not None else None
    le = None
    if list((study.dir / "legal").glob("le-capacity-*.yaml")):
        from dhkit.legal.capacity import load_questionnaire

        le = len(load_questionnaire().questions)
    consultation = None
    try:
        from dhkit.legal.consultation import load_comments
        from dhkit.legal.study import open_legal_study

        comments = load_comments(open_legal_study(study.dir))
    except Exception:           # no legal study: the consultation is simply not held
        comments = []
    if comments:
        consultation = (len(comments), len({c.organisation for c in comments}))
    return items, le, consultation


def _ages(inputs, t: Translator) -> str:
    study = getattr(inputs, "study", None)
    low, high = (12, 17)
    rng = getattr(getattr(study, "imports", None), "age_range", None)
    if rng and len(rng) == 2:
        low, high = rng
    return _t(t, "ages", low=t.number(low), high=t.number(high))


#: Numbers a sentence spells out (as style guides ask below eleven), by language; the
#: Spanish forms agree with a feminine noun ("seis preguntas", "una pregunta").
NUMBER_WORDS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten"),
    "es": ("cero", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
           "diez"),
}


def small_number(n: int, t: Translator) -> str:
    """``n`` in words up to ten in the report's language, else in figures.

    >>> [small_number(n, Translator(lang)) for n, lang in ((6, "en"), (6, "es"), (12, "en"))]
    ['six', 'seis', '12']
    """
    words = NUMBER_WORDS.get(t.lang)
    return words[n] if words and 0 <= n < len(words) else t.number(n)


def joined(items: list[str], t: Translator) -> str:
    """Items as a sentence lists them: "a, b and c" / "a, b y c".

    >>> joined(["a", "b", "c"], Translator("es"))
    'a, b y c'
    """
    if len(items) < 2:
        return "".join(items)
    return _t(t, "and", a=", ".join(items[:-1]), b=items[-1])


def introduction_blocks(analysis, inputs, t: Translator, parts, annexes) -> list[Block]:
    """The introduction's blocks; ``parts`` are the report's parts in reading order
    (:func:`dhkit.report.render.report_parts`), ``annexes`` its annex blocks."""
    from dhkit.report.render import study_title

    country = country_name(getattr(inputs, "country", ""), t)
    ages = _ages(inputs, t)
    a = study_activities(analysis, inputs)
    about = Block(_t(t, "about_h"), [_t(t, "about", title=study_title(inputs, t),
                                        country=country),
                                     _t(t, "definition"), _t(t, "caveat")], id="intro-study")
    scope = [_t(t, "scope", ages=ages, country=country)]
    if a.interviews:
        scope.append(_t(t, "scope_qual"))
    questions = _questions_block(analysis.plan, t)
    return [about, *([questions] if questions else []),
            Block(_t(t, "scope_h"), scope, id="intro-scope"),
            _activities_block(a, ages, t), _organisation_block(analysis, parts, annexes, t)]


def _questions_block(plan, t: Translator) -> Block | None:
    """The plan's research questions as a numbered list (none when the plan names none)."""
    questions = [t.label(q) for q in getattr(plan, "research_questions", ())]
    if not questions:
        return None
    return Block(_t(t, "questions_h"), [_t(t, "questions", n=small_number(len(questions), t))],
                 bullets=questions, ordered=True, id="intro-questions")


def _activities_block(a: Activities, ages: str, t: Translator) -> Block:
    n = t.number
    survey = _t(t, "act_survey", children=n(a.children), ages=ages, caregivers=n(a.caregivers),
                n_psu=n(a.n_psu), n_strata=n(a.n_strata))
    if a.survey_period:
        survey += " " + _t(t, "act_survey_period", period=period_text(a.survey_period, t))
    bullets = [survey]
    if a.interviews:
        groups = [_t(t, f"g_{g}", n=n(k)) for g, k in a.interviews.items()]
        text = _t(t, "act_interviews", n=n(sum(a.interviews.values())), groups=joined(groups, t))
        if a.interview_period:
            text += " " + _t(t, "act_interviews_period", period=period_text(a.interview_period, t))
        bullets.append(text)
    if a.checklist_items:
        bullets.append(_t(t, "act_legal", n=n(a.checklist_items)))
    if a.le_questions:
        bullets.append(_t(t, "act_le", n=n(a.le_questions)))
    if a.consultation:
        bullets.append(_t(t, "act_consult", n=n(a.consultation[0]), orgs=n(a.consultation[1])))
    return Block(_t(t, "activities_h"), [_t(t, "activities")], bullets=bullets,
                 id="intro-activities")


def _organisation_block(analysis, parts, annexes, t: Translator) -> Block:
    """One line per part of the report, in its order: built-in parts with their own line,
    planned sections with the plan's ``about``, annexes by their title."""
    about = {s.id: t.label(s.about) for s in analysis.plan.sections if s.about}
    builtin = {"key": ("Key figures", "org_key"), "summary": ("Executive summary", "org_summary"),
               "methods": ("Methods", "org_methods"),
               "appendix": ("Sampling-error appendix", "org_appendix")}
    lines = []
    for part in parts:
        if part.kind in builtin:
            title, key = builtin[part.kind]
            lines.append(_t(t, "org_item", title=t(title), about=_t(t, key)))
        elif part.kind in ("section", "extra"):
            text = about.get(part.id)
            lines.append(_t(t, "org_item", title=part.title, about=text) if text
                         else part.title)
        elif part.kind == "annexes":
            lines += [_t(t, "org_item", title=b.title, about=_t(t, b.id)) if b.id in TEXT
                      else b.title for b in annexes]
    return Block(_t(t, "org_h"), [_t(t, "org")], bullets=lines, id="intro-organisation")
