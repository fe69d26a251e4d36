"""Written findings: an executive summary and one paragraph per chapter, in every report
language, as text a team can edit — and re-checked against the estimates at every build.

The text lives in ``findings.<lang>.md``. The build uses ``DIR/findings.<lang>.md`` when
the study has one (the team's edited version), else it writes a first draft from the
estimates with fixed wording rules; either way the text used is saved next to the
report as ``findings.<lang>.md``, so a team can copy it into the study folder and edit.

Numbers and differences are placeholders bound to estimates, so they follow the data::

    {{pct any_tfcsea}}             overall per cent (caution bases in parentheses, with a note)
    {{pct any_tfcsea sex=1}}       per cent in one domain level
    {{n any_tfcsea}}               unweighted base of the overall estimate
    {{pop any_tfcsea}}             population equivalent (rounded to 10,000)
    {{diff any_tfcsea area}}       the planned contrast, worded by the design-based test
    {{pr overlap}}                 the prevalence ratio of the overlap chapter

Wording rules: a difference is called one only when the design-based test of the planned
contrast is significant; otherwise the text says it is not. An estimate on a base of 25–49
carries "interpret with caution"; a suppressed one cannot be cited.

Checks (every problem listed, with file and line; the build fails on any): FND-001 a
placeholder names an unknown indicator, domain or level; FND-002 a number typed as a
literal that the report does not support — a per cent no estimate equals, a count ("205
victims", "n = 999", "810,000 children") that is no base, design count or rounded
population equivalent, a ratio ("3.1 times", "prevalence ratio 3.1") other than the
report's prevalence ratio or its interval, "none of the {{n X}}" while X is not 0; FND-003 a sentence claims a
difference ("significant", "more likely", "times as") without a significant ``diff`` or
``pr`` placeholder in it; FND-004 a placeholder cites a suppressed estimate.

>>> parse_findings("## summary\\nA {{pct x}}.\\n")["summary"]
[(2, 'A {{pct x}}.')]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.disclosure import CAUTION, SUPPRESSED
from dhkit.errors import ValidationError
from dhkit.report.i18n import Translator
from dhkit.validation import ValidationReport

PLACEHOLDER = re.compile(r"\{\{\s*(pct|n|pop|diff|pr)\s+([^}]*?)\s*\}\}")
LITERAL_PCT = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)\s?(?:%|per cent|por ciento)")
#: A whole number as typed in either language: 1,309 / 1.309 / 1 309 / 810000.
_WHOLE = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+"
#: What a typed count counts (up to two words may stand between, e.g. "205 internet-using
#: children"); or "n = 205".
COUNT_NOUNS = (r"children|child|girls|boys|adolescents|victims|instances|cases|households|"
               r"caregivers|parents|interviews|people|respondents|professionals|workers|"
               r"niñas|niños|niño|adolescentes|víctimas|casos|hogares|cuidadores|cuidadoras|"
               r"madres|padres|entrevistas|personas|jóvenes|profesionales")
LITERAL_COUNT = re.compile(
    rf"(?<![\w.,/-])(?<!\bin )(?<!\bde cada )(?<!\bout of )({_WHOLE})(?![\w.,]?\d)"
    rf"(?=\s+(?:(?!(?:in|of|de|en|out)\b)[^\W\d][\w-]*\s+){{0,2}}?(?:{COUNT_NOUNS})\b)"
    rf"|\bn\s?=\s?({_WHOLE})(?!\d)", re.I)
#: A typed relative likelihood: "3.1 times", "3,1 veces", "prevalence ratio 3.1".
LITERAL_RATIO = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(?:times|veces)\b"
    r"|\b(?:prevalence ratio|razón de prevalencias?)(?: of| de)?\s(\d+(?:[.,]\d+)?)", re.I)
#: "none of the {{n X}} …": a typed zero of indicator X, true only while X's estimate is 0.
LITERAL_NONE = re.compile(
    r"\b(?:none of the|ninguno de los|ninguna de las|0 de)\s+\{\{\s*n\s+([\w.]+)\s*\}\}",
    re.I)
CLAIMS = {
    "en": re.compile(r"\b(significant(ly)?|more likely|less likely|times as|times more|"
                     r"higher (than|among)|lower (than|among))\b", re.I),
    "es": re.compile(r"\b(significativ\w*|más probab\w*|menos probab\w*|veces más|"
                     r"mayor que|menor que)\b", re.I),
}

TEXT = {
    "header": "dhkit findings ({lang}). Edit the wording freely and save the file as "
              "findings.{lang}.md in the study folder; keep numbers and differences as "
              "placeholders so that every build re-checks them against the estimates.",
    "summary_h": "Executive summary",
    "caution": "interpret with caution: n = {n}",
    # a difference is a whole clause, so that it reads as a sentence wherever it stands
    # ("{{diff any_tfcsea sex}}." or "Label: {{diff ...}}."); {hi}/{lo} are the groups as
    # named in a sentence (catalogue domain ``groups``), the higher one first
    "diff_sig": "the share was higher among {hi} ({phi}) than among {lo} ({plo}), a "
                "statistically significant difference of {pp} percentage points ({p})",
    "diff_ns": "the share among {a} ({pa}) and among {b} ({pb}) does not differ "
               "significantly ({p})",
    "diff_na": "the share among {a} cannot be compared with that among {b}: too few "
               "interviews",
    "diff_fixed": "the share was {pa} among {a} and {pb} among {b}, by definition (there "
                  "is no sampling variation to test)",
    "versions_only": "asked in form version(s) {asked} only",
    "versions_not": "not asked in form version(s) {missing}",
    "pr_sig": "{ratio} times as likely (prevalence ratio {ratio}, 95% CI {low} to {high})",
    "pr_ns": "not statistically more likely (prevalence ratio {ratio}, 95% CI {low} to "
             "{high})",
    # first-draft sentences
    "s_any": "In the past year, {pct} of internet-using children aged 12–17 were subjected "
             "to at least one form of TF-CSEA, equivalent to an estimated {pop} children.",
    "s_diff_of": "{label}: {diff}.",
    "s_top": "The most common form was “{label}” ({pct}).",
    "s_told": "Among children subjected to TF-CSEA, {told} told someone about it and {none} "
              "told no one; {formal} reported it to the police, a helpline or a social "
              "worker.",
    "s_told_none": "Among children subjected to TF-CSEA, {told} told someone about it and "
                   "{none} told no one; none of the {n} children who were subjected to it "
                   "reported it to the police, a helpline or a social worker.",
    "s_pr": "Children subjected to in-person sexual violence were {pr} to be subjected to "
            "TF-CSEA.",
    # the answer is quoted as the questionnaire words it: an answer label ("Police", "A
    # friend", "Did not know where or whom to tell") is not a phrase a sentence can take
    # as it stands (it may lack its article, or be a clause), but a quotation always fits
    "s_top_of": "{label}: the answer given most often was “{level}” ({pct}).",
    "s_value": "{label}: {pct}.",
    "s_value_none": "{label}: none of the {n} {unit} in the base.",
    # the conclusion: the chapters' findings brought together (section ``conclusion``)
    "c_scale": "Taken together, the chapters of this report describe one picture. In a "
               "single year, {pct} of "
               "internet-using children aged 12–17 were subjected to TF-CSEA.",
    "c_offline": "The abuse does not stay online: {pct} of the instances involved a "
                 "perpetrator the child first met in person.",
    "c_offline_pr": "The abuse does not stay online: {pct} of the instances involved a "
                    "perpetrator the child first met in person, and children subjected to "
                    "in-person sexual violence were {pr} to be subjected to TF-CSEA.",
    "c_silence": "Of the children subjected to it, {none} told no one and {formal} reported "
                 "it to the police, a helpline or a social worker.",
    "c_silence_zero": "Of the children subjected to it, {none} told no one, and none of the "
                      "{n} children reported it to the police, a helpline or a social worker.",
}
STRINGS = list(TEXT.values())


def _t(t: Translator, key: str, **kw) -> str:
    return t(TEXT[key], **kw)


@dataclass
class FindingsText:
    """Rendered findings: the summary paragraphs and one list of paragraphs per section."""

    summary: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    source: str = ""                 # the template text used (saved next to the report)
    origin: str = "draft"            # "draft" (written by the build) or the study file


def parse_findings(text: str) -> dict[str, list[tuple[int, str]]]:
    """``## key`` headings → paragraphs with the line they start on (HTML comments and
    blank lines separate paragraphs and are dropped)."""
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    out: dict[str, list[tuple[int, str]]] = {}
    key, buf, start = None, [], 0

    def flush():
        if key is not None and buf:
            out.setdefault(key, []).append((start, " ".join(buf)))

    for i, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("## "):
            flush()
            key, buf = s[3:].strip(), []
            out.setdefault(key, [])
        elif not s:
            flush()
            buf = []
        else:
            if not buf:
                start = i
            buf.append(s)
    flush()
    return out


# ----------------------------------------------------------------- binding
class _Binder:
    """Looks up estimates and contrasts for placeholders, recording problems."""

    def __init__(self, analysis, t: Translator, ratio, thresholds, file: str,
                 report: ValidationReport):
        self.a, self.t, self.ratio, self.file, self.report = analysis, t, ratio, file, report
        self.th = thresholds
        pub = analysis.public
        self.est = pub.set_index(["indicator", "category", "domain", "level"]).sort_index()
        ctr = analysis.contrasts
        self.ctr = ctr
        self.cited: list[float] = []      # per cent values rendered (for literal checks)
        self.counts: set[int] = set()     # other counts the report prints (interviews...)

    def problem(self, code: str, line: int, msg: str, hint: str) -> str:
        self.report.add(code, msg, file=self.file, line=line, hint=hint)
        return "[?]"

    def _row(self, ind: str, dom: str = "", lvl: str = "", line: int = 0):
        ind, _, cat = ind.partition(".")
        if ind not in self.a.catalogue.indicators:
            return None, self.problem("FND-001", line, f"placeholder names unknown indicator "
                                      f"'{ind}'", "Use an indicator id of the catalogue.")
        key = (ind, cat, dom, lvl)
        if key not in self.est.index:
            return None, self.problem("FND-001", line, f"no estimate of '{ind}"
                                      f"{'.' + cat if cat else ''}'{f' for {dom}={lvl}' if dom else ''}"
                                      " in this report", "Use a domain and level the plan "
                                      "tabulates for that indicator.")
        return self.est.loc[key].iloc[0] if isinstance(self.est.loc[key], pd.DataFrame) \
            else self.est.loc[key], ""

    def pct(self, args: list[str], line: int) -> str:
        dom, lvl = (args[1].split("=", 1) if len(args) > 1 and "=" in args[1] else ("", ""))
        r, err = self._row(args[0], dom, lvl, line)
        if r is None:
            return err
        if r["flag"] == SUPPRESSED or pd.isna(r["estimate"]):
            return self.problem("FND-004", line, f"'{args[0]}' is suppressed (base under "
                                f"{self.th.suppress_below}) and cannot be cited",
                                "Remove the figure or cite a larger group.")
        self.cited.append(round(100 * float(r["estimate"]), 1))
        text = self.t.percent(float(r["estimate"]))
        if r["flag"] == CAUTION:
            text = f"({text}; {_t(self.t, 'caution', n=self.t.number(int(r['n_unweighted'])))})"
        return text

    def n(self, args: list[str], line: int) -> str:
        r, err = self._row(args[0], line=line)
        return err if r is None else self.t.number(int(r["n_unweighted"]))

    def pop(self, args: list[str], line: int) -> str:
        r, err = self._row(args[0], line=line)
        if r is None:
            return err
        if pd.isna(r.get("population")):
            return self.problem("FND-004", line, f"'{args[0]}' has no population equivalent",
                                "Cite the per cent instead.")
        return self.t.number(round(float(r["population"]), -4))

    def diff(self, args: list[str], line: int) -> tuple[str, bool]:
        if len(args) < 2:
            return self.problem("FND-001", line, "diff needs an indicator and a domain",
                                "Write {{diff INDICATOR DOMAIN}}."), False
        ind, dom = args[0], args[1]
        ind_id, _, cat = ind.partition(".")
        c = self.ctr[(self.ctr["indicator"] == ind_id) & (self.ctr["category"].fillna("") == cat)
                     & (self.ctr["domain"] == dom)] if len(self.ctr) else self.ctr
        if not len(c):
            return self.problem("FND-001", line, f"no planned contrast of '{ind}' by '{dom}'",
                                "Add the contrast to the plan or cite the levels with pct."), False
        c = c.iloc[0]
        domain = self.a.catalogue.domains[dom]
        a, b = str(c["level_a"]), str(c["level_b"])
        ga, gb = self.group(domain, a), self.group(domain, b)
        if bool(c.get("suppressed", False)) or pd.isna(c.get("difference", 0.0)):
            return _t(self.t, "diff_na", a=ga, b=gb), False     # no figures: a side is hidden
        if pd.isna(c["p_value"]):            # no sampling variance: nothing to test
            return _t(self.t, "diff_fixed", a=ga, b=gb,
                      pa=self.pct([ind, f"{dom}={a}"], line),
                      pb=self.pct([ind, f"{dom}={b}"], line)), False
        # inside the sentence's own parentheses: "(29.0%; interpret with caution: n = 38)"
        pa = _unwrap(self.pct([ind, f"{dom}={a}"], line))
        pb = _unwrap(self.pct([ind, f"{dom}={b}"], line))
        p = float(c["p_value"])
        ptext = (f"p < {self.t.number(0.001, 3)}" if p < 0.001
                 else f"p = {self.t.number(p, 3)}")
        if bool(c["significant"]):
            ea, eb = self._value(ind, dom, a), self._value(ind, dom, b)
            diff = c.get("difference")
            diff = abs(float(diff)) if diff is not None and not pd.isna(diff) else abs(eb - ea)
            hi, phi, lo, plo = (gb, pb, ga, pa) if eb >= ea else (ga, pa, gb, pb)
            return _t(self.t, "diff_sig", hi=hi, phi=phi, lo=lo, plo=plo,
                      pp=self.t.number(100 * diff, 1), p=ptext), True
        return _t(self.t, "diff_ns", a=ga, b=gb, pa=pa, pb=pb, p=ptext), False

    def overall(self, ind: str) -> float | None:
        """The overall estimate of ``ind`` (None when there is none)."""
        ind_id, _, cat = ind.partition(".")
        key = (ind_id, cat, "", "")
        if key not in self.est.index:
            return None
        r = self.est.loc[key]
        r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
        return None if pd.isna(r["estimate"]) else float(r["estimate"])

    def group(self, domain, level: str) -> str:
        """A domain level as named inside a sentence ("girls", "children in rural areas");
        without a ``groups`` entry in the catalogue, its label with a lower-case first
        letter."""
        phrase = domain.groups.get(level)
        if phrase:
            return self.t.label(phrase)
        return _lower_first(self.t.label(domain.levels[level]))

    def _value(self, ind: str, dom: str, level: str) -> float:
        ind_id, _, cat = ind.partition(".")
        r = self.est.loc[(ind_id, cat, dom, level)]
        r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
        return float(r["estimate"])

    def version_note(self, ind: str) -> str:
        return version_note(self.a, self.t, ind)

    def pr(self, args: list[str], line: int) -> tuple[str, bool]:
        pr = self.ratio
        if pr is None or not math.isfinite(pr.se_log):
            return self.problem("FND-001", line, "no prevalence ratio in this report "
                                "(the overlap items are missing)", "Remove {{pr overlap}}."), False
        sig = pr.ci_low > 1 or pr.ci_high < 1
        kw = dict(ratio=self.t.number(pr.ratio, 1), low=self.t.number(pr.ci_low, 1),
                  high=self.t.number(pr.ci_high, 1))
        return _t(self.t, "pr_sig" if sig else "pr_ns", **kw), sig


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚÑ¿]|\{\{)", text) if s]


def render_paragraph(text: str, line: int, binder: _Binder) -> str:
    """Substitute the placeholders of one paragraph, checking claims sentence by sentence."""
    out = []
    claims = CLAIMS.get(binder.t.lang, CLAIMS["en"])
    for sentence in _sentences(text):
        supported = False
        literal = PLACEHOLDER.sub(" ", sentence)

        noted: set[str] = set()     # indicators whose version note this sentence gave

        def sub(m: re.Match) -> str:
            nonlocal supported
            kind, args = m.group(1), m.group(2).split()
            if not args and kind != "pr":
                return binder.problem("FND-001", line, f"placeholder '{m.group(0)}' has no "
                                      "indicator", "Write e.g. {{pct any_tfcsea}}.")
            if kind in ("diff", "pr"):
                txt, sig = getattr(binder, kind)(args, line)
                supported |= sig
            else:
                txt = getattr(binder, kind)(args, line)
            if kind in ("pct", "diff"):
                # a figure resting on only some form versions says so, briefly, right
                # after it (once a sentence), so it is never read as another figure's
                ind = args[0].partition(".")[0]
                note = "" if ind in noted else binder.version_note(ind)
                if note:
                    noted.add(ind)
                    txt = _with_note(txt, note)
            if m.start() == 0 and txt[:1].islower():   # a sentence starts with a capital
                txt = txt[:1].upper() + txt[1:]
            return txt

        rendered = PLACEHOLDER.sub(sub, sentence)
        if claims.search(literal) and not supported:
            binder.problem("FND-003", line, f"the sentence claims a difference the estimates "
                           f"do not support: \"{_short(literal)}\"",
                           "Bind it to a significant {{diff ...}} or {{pr overlap}}, or "
                           "reword it.")
        for m in LITERAL_NONE.finditer(sentence):
            value = binder.overall(m.group(1))
            if value is not None and value != 0:
                binder.problem("FND-002", line, f"the sentence says none of the base for "
                               f"'{m.group(1)}', whose estimate is "
                               f"{binder.t.percent(value)}", "Cite the figure with "
                               "{{pct ...}} instead of 'none'.")
        out.append((rendered, literal))
    for _, literal in out:
        for m in LITERAL_PCT.finditer(literal):
            value = float(m.group(1).replace(",", "."))
            if not _supported(value, binder.a.public):
                binder.problem("FND-002", line, f"'{m.group(0)}' is typed as a number and no "
                               "estimate of this report equals it", "Use a {{pct ...}} "
                               "placeholder so the figure follows the data.")
        for m in LITERAL_COUNT.finditer(literal):
            typed = m.group(1) or m.group(2)
            if not _supported_count(int(re.sub(r"\D", "", typed)), binder):
                binder.problem("FND-002", line, f"the count '{typed}' is typed as a number and "
                               "no base, count or population equivalent of this report "
                               "equals it", "Use {{n ...}} or {{pop ...}} so the figure "
                               "follows the data.")
        for m in LITERAL_RATIO.finditer(literal):
            typed = m.group(1) or m.group(2)
            if not _supported_ratio(typed, binder.ratio):
                binder.problem("FND-002", line, f"the ratio '{m.group(0)}' is typed as a number "
                               "and the report's prevalence ratio (or its interval) does not "
                               "equal it", "Use {{pr overlap}} so the figure follows the data.")
    return " ".join(r for r, _ in out)


def version_note(analysis, t: Translator, ind: str) -> str:
    """"asked in form version(s) 2 only" when the indicator's estimate rests on only some
    versions of the form (``flag_versions``, :mod:`dhkit.indicators.versions`); "" when it
    rests on all, or the study holds one version (the column is then absent)."""
    from dhkit.indicators.versions import VERSIONS

    est = getattr(analysis, "estimates", None)
    if est is None or "flag_versions" not in getattr(est, "columns", ()):
        return ""
    rows = est[(est["indicator"] == ind.partition(".")[0]) & (est["flag_versions"] == VERSIONS)]
    if not len(rows):
        return ""
    r = rows.iloc[0]
    asked = ", ".join(str(r["versions_asked"]).split(";")) if r["versions_asked"] else ""
    if asked:
        return _t(t, "versions_only", asked=asked)
    return _t(t, "versions_not", missing=", ".join(str(r["versions_not_asked"]).split(";")))


def _unwrap(text: str) -> str:
    """A figure without its own outer parentheses (a caution figure carries them)."""
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _with_note(figure: str, note: str) -> str:
    """``note`` after a figure: "2.0% (asked in …)", or inside a caution figure's own
    parentheses: "(2.0%; interpret with caution: n = 38; asked in …)"."""
    if figure.startswith("(") and figure.endswith(")"):
        return f"{figure[:-1]}; {note})"
    return f"{figure} ({note})"


def _supported_count(value: int, binder: "_Binder") -> bool:
    """A typed count is supported when it is an unweighted base of an estimate, one of the
    design's counts (children, victims, instances, strata, PSUs), a base of the prevalence
    ratio, a count the methods chapter prints (interviews, households), or a population
    equivalent rounded as typed, at most to 10,000 (810,000 ↔ 806,208)."""
    pub = binder.a.public
    counts = set(pd.to_numeric(pub.get("n_unweighted", pd.Series(dtype=float)),
                               errors="coerce").dropna().astype(int))
    summary = getattr(binder.a, "design_summary", None) or {}
    counts |= {int(v) for k, v in summary.items()
               if k in ("n_children", "n_victims", "n_instances", "n_strata", "n_psu")}
    if binder.ratio is not None:
        counts |= {int(binder.ratio.n_exposed), int(binder.ratio.n_reference)}
    counts |= binder.counts
    if value in counts:
        return True
    zeros = len(str(value)) - len(str(value).rstrip("0"))
    if zeros < 3:                      # only a rounded figure can be a population equivalent
        return False
    pops = pd.to_numeric(pub.get("population", pd.Series(dtype=float)),
                         errors="coerce").dropna().to_numpy(dtype=float)
    # rounded as typed, but never coarser than {{pop}} rounds (10,000): 900,000 is not 861,000
    return bool((np.round(pops, -min(zeros, 4)) == value).any())


def _fieldwork_counts(fw) -> set[int]:
    """Counts the methods chapter prints: interviews (all and by group), submissions."""
    if fw is None:
        return set()
    out: set[int] = set()
    p = getattr(fw, "participants", None)
    if p is not None and len(p):
        out |= {len(p), *p.groupby("group").size().astype(int).tolist()}
    hh = getattr(fw, "households", None)
    if hh is not None and len(hh):
        out.add(len(hh))
        if "teens" in hh:
            out.add(int((pd.to_numeric(hh["teens"], errors="coerce") > 0).sum()))
    return out


def _supported_ratio(typed: str, ratio) -> bool:
    """The report's prevalence ratio or a bound of its interval, at the typed decimals."""
    if ratio is None:
        return False
    text = typed.replace(",", ".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = float(text)
    return any(round(float(v), decimals) == round(value, decimals)
               for v in (ratio.ratio, ratio.ci_low, ratio.ci_high))


def _short(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 1] + "…"


def _supported(value: float, public: pd.DataFrame) -> bool:
    est = public["estimate"].dropna().to_numpy(dtype=float) * 100
    decimals = 1 if value != int(value) else 0
    return bool(((est.round(decimals) == round(value, decimals))).any())


# ----------------------------------------------------------------- first draft
def draft(analysis, t: Translator, ratio=None) -> str:
    """The first draft of ``findings.<lang>.md`` from the estimates, with placeholders."""
    cat = analysis.catalogue
    pub = analysis.public
    overall = pub[(pub["domain"] == "")]
    lines = [f"<!-- {_t(t, 'header', lang=t.lang)} -->", "", "## summary"]
    if _citable(overall, "any_tfcsea"):
        # the headline and its differences in one paragraph: each difference is a
        # sentence of its own ("The share was higher among girls (…) than among boys …")
        para = [_t(t, "s_any", pct="{{pct any_tfcsea}}", pop="{{pop any_tfcsea}}")]
        first = next((tb for s in analysis.plan.sections for tb in s.tables
                      if "any_tfcsea" in tb.indicators), None)
        for dom in (first.domains if first is not None else ()):
            if _has_contrast(analysis, "any_tfcsea", dom):
                para.append(f"{{{{diff any_tfcsea {dom}}}}}.")
        lines += ["", " ".join(para)]
    forms = [i for i in cat.indicators if i.startswith("ab_")]
    shown = overall[overall["indicator"].isin(forms) & overall["estimate"].notna()
                    & (overall["flag"] != SUPPRESSED)]
    if len(shown):
        top = shown.sort_values("estimate", ascending=False).iloc[0]
        label = _lower_first(t.label(cat.indicators[top["indicator"]].label))
        lines += ["", _t(t, "s_top", label=label, pct=f"{{{{pct {top['indicator']}}}}}")]
    if all(_citable(overall, i) for i in ("told_anyone", "told_no_one", "reported_formal")):
        if _is_zero(overall, "reported_formal"):   # "0.0% reported it" reads as a fault
            lines += ["", _t(t, "s_told_none", told="{{pct told_anyone}}",
                             none="{{pct told_no_one}}", n="{{n reported_formal}}")]
        else:
            lines += ["", _t(t, "s_told", told="{{pct told_anyone}}",
                             none="{{pct told_no_one}}", formal="{{pct reported_formal}}")]
    if ratio is not None and math.isfinite(ratio.se_log):
        lines += ["", _t(t, "s_pr", pr="{{pr overlap}}")]
    given: set[str] = set()          # a finding is given once, in the first chapter
    for s in analysis.plan.sections:
        para = _conclusion_draft(analysis, t, ratio) if s.id == CONCLUSION and not s.tables \
            else [f for f in _section_draft(analysis, t, s, ratio) if f not in given]
        given.update(para)
        if para:
            lines += ["", f"## {s.id}"]
            for finding in para:          # one paragraph each: the box lists them
                lines += ["", finding]
    return "\n".join(lines) + "\n"


#: The section whose draft brings the chapters together (when it has no tables).
CONCLUSION = "conclusion"


def _conclusion_draft(analysis, t: Translator, ratio=None) -> list[str]:
    """The conclusion's first draft: the headline, how far abuse reaches beyond the
    internet, and how little of it reaches anyone — each sentence only when its figures
    can be cited, every number a placeholder."""
    overall = analysis.public[analysis.public["domain"] == ""]
    out = []
    if _citable(overall, "any_tfcsea"):
        out.append(_t(t, "c_scale", pct="{{pct any_tfcsea}}"))
    if _citable(overall, "inst_met_in_person") and not _is_zero(overall, "inst_met_in_person"):
        if ratio is not None and math.isfinite(ratio.se_log):
            out.append(_t(t, "c_offline_pr", pct="{{pct inst_met_in_person}}",
                          pr="{{pr overlap}}"))
        else:
            out.append(_t(t, "c_offline", pct="{{pct inst_met_in_person}}"))
    if _citable(overall, "told_no_one") and _citable(overall, "reported_formal"):
        if _is_zero(overall, "reported_formal"):
            out.append(_t(t, "c_silence_zero", none="{{pct told_no_one}}",
                          n="{{n reported_formal}}"))
        else:
            out.append(_t(t, "c_silence", none="{{pct told_no_one}}",
                          formal="{{pct reported_formal}}"))
    return out


def _lower_first(label: str) -> str:
    """A label inside a sentence: first letter lower case, unless it is an acronym (TF-CSEA)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _is_zero(overall: pd.DataFrame, ind: str) -> bool:
    """The overall estimate is exactly zero (no child in the base said yes)."""
    r = overall[(overall["indicator"] == ind) & (overall["category"].fillna("") == "")]
    return bool(len(r)) and bool((r["estimate"] == 0).all())


def _citable(overall: pd.DataFrame, ind: str) -> bool:
    """The overall estimate exists and is not suppressed (a draft never cites a hidden cell)."""
    r = overall[(overall["indicator"] == ind) & (overall["category"].fillna("") == "")]
    return bool(len(r)) and r["estimate"].notna().all() and (r["flag"] != SUPPRESSED).all()


def _has_contrast(analysis, ind: str, dom: str) -> bool:
    c = analysis.contrasts
    return bool(len(c)) and bool(((c["indicator"] == ind) & (c["domain"] == dom)).any())


#: Answer codes that are catch-alls: never named as the answer given most often.
CATCH_ALL = ("other", "refused", "dont_know", "prefer_not")

#: At most this many key findings in a chapter's box.
MAX_KEY_FINDINGS = 6


def _section_draft(analysis, t: Translator, section, ratio=None) -> list[str]:
    """A chapter's key findings, one paragraph each (the box shows them as a list): for each
    of its first two tables, the first indicators' values (the largest level of a
    multi-level indicator) and the first indicator's statistically significant differences.
    A finding already listed (an indicator in both tables) is not repeated. The chapter
    holding the overlap table (:data:`OVERLAP_TABLE`) states the prevalence ratio, its
    finding, first."""
    findings: list[str] = []
    if ratio is not None and math.isfinite(ratio.se_log) and \
            any(tb.id == OVERLAP_TABLE for tb in section.tables):
        findings.append(_t(t, "s_pr", pr="{{pr overlap}}"))
    for table in section.tables[:2]:
        for sentence in _table_sentences(analysis, t, table):
            if sentence not in findings:
                findings.append(sentence)
    return findings[:MAX_KEY_FINDINGS]


#: The plan's table of TF-CSEA by in-person sexual violence (its chapter states the ratio).
OVERLAP_TABLE = "overlap"


def _table_sentences(analysis, t: Translator, table) -> list[str]:
    cat = analysis.catalogue
    pub = analysis.public
    sentences = []
    for ind_id in table.indicators[:3]:
        ind = cat.indicators[ind_id]
        rows = pub[(pub["indicator"] == ind_id) & (pub["domain"] == "")
                   & pub["estimate"].notna() & (pub["flag"] != SUPPRESSED)]
        if not len(rows):
            continue
        if ind.levels:
            # the answer named most often, leaving out catch-alls ("Other reason", "Preferred
            # not to say"), which say nothing a reader can act on
            named = rows[~rows["category"].isin(CATCH_ALL)]
            if not len(named):
                continue
            top = named.sort_values("estimate", ascending=False).iloc[0]
            level = t.label(ind.level_labels.get(top["category"], {"en": top["category"]}))
            sentences.append(_t(t, "s_top_of", label=t.label(ind.label), level=level,
                                pct=f"{{{{pct {ind_id}.{top['category']}}}}}"))
        elif bool((rows["estimate"] == 0).all()):     # "0.0%" reads as a fault
            unit = cat.units[cat.bases[ind.base].unit].label
            sentences.append(_t(t, "s_value_none", label=t.label(ind.label),
                                n=f"{{{{n {ind_id}}}}}", unit=t.label(unit)))
        else:
            sentences.append(_t(t, "s_value", label=t.label(ind.label),
                                pct=f"{{{{pct {ind_id}}}}}"))
    first = table.indicators[0]
    for dom in table.domains:
        if _has_significant_contrast(analysis, first, dom):
            sentences.append(_t(t, "s_diff_of", label=t.label(cat.indicators[first].label),
                                diff=f"{{{{diff {first} {dom}}}}}"))
    return sentences


def _has_significant_contrast(analysis, ind: str, dom: str) -> bool:
    c = analysis.contrasts
    if not len(c) or "significant" not in c:
        return False
    rows = c[(c["indicator"] == ind) & (c["domain"] == dom)]
    return bool(len(rows)) and bool(rows["significant"].fillna(False).astype(bool).any())


# ----------------------------------------------------------------- build step
def findings_for(analysis, inputs, t: Translator, ratio=None) -> FindingsText:
    """Read the study's findings file (or draft one), render and check it; raise
    ValidationError (FND-000) with every problem when the text is not supported."""
    study = getattr(inputs, "study", None)
    path = Path(study.dir) / f"findings.{t.lang}.md" if study is not None else None
    if path is not None and path.exists():
        source, origin, file = path.read_text(encoding="utf-8"), str(path), str(path)
    else:
        source, origin, file = draft(analysis, t, ratio), "draft", f"findings.{t.lang}.md"
    report = ValidationReport()
    binder = _Binder(analysis, t, ratio, inputs.thresholds, file, report)
    binder.counts = _fieldwork_counts(getattr(inputs, "fieldwork", None))
    parsed = parse_findings(source)
    known = {"summary"} | {s.id for s in analysis.plan.sections}
    out = FindingsText(source=source, origin=origin)
    for key, paras in parsed.items():
        if key not in known:
            report.add("FND-001", f"unknown heading '## {key}'", file=file,
                       hint=f"Use one of: {', '.join(sorted(known))}.")
            continue
        rendered = [render_paragraph(p, line, binder) for line, p in paras]
        if key == "summary":
            out.summary = rendered
        else:
            out.sections[key] = rendered
    if not report.ok:
        raise ValidationError("FND-000", f"{file}: {len(report)} finding(s) the estimates do "
                              "not support", report)
    return out
