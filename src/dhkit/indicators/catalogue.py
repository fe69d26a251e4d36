"""The indicator catalogue and the tabulation plan: data files, validated on load.

The catalogue (``data/catalogue.yaml``) says what each indicator is — its unit (child,
caregiver, instance), its base (the universe, with the sentence shown under a figure),
its numerator as a DuckDB SQL expression over the instrument's variables, its type
(proportion, mean, total, multiple-response, distribution of a categorical) — with labels
in every report language. The plan (``data/plan.yaml``) arranges indicators into the
report's sections, tables and charts, names the domains and the significance contrasts.

Both are checked as a whole before any computation: every problem is listed with file
and line (:class:`~dhkit.validation.ValidationReport`), in the style of MICS/DHS
tabulation plans kept as data rather than code.

>>> cat = load_catalogue()
>>> cat.indicators["any_tfcsea"].base
'children'
>>> plan = load_plan(catalogue=cat)
>>> plan.sections[0].id
'internet'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dhkit import yamlio
from dhkit.errors import ValidationError
from dhkit.validation import ValidationReport

DATA = Path(__file__).parent / "data"
TYPES = ("proportion", "mean", "total", "multiple_response", "distribution")
CHART_KINDS = ("bars", "grouped")
#: Language keys a label may carry besides the languages being checked.
LABEL_LANGUAGES = ("en", "es", "fr", "pt")
#: The keys each kind of mapping may hold (anything else is reported, CAT-010).
CATALOGUE_KEYS = {"version", "units", "derived", "bases", "domains", "indicators"}
UNIT_KEYS = {"table", "label"}
DERIVED_KEYS = {"name", "unit", "sql", "from_instances"}
BASE_KEYS = {"unit", "where", "label"}
DOMAIN_KEYS = {"variable", "label", "levels", "groups"}
INDICATOR_KEYS = {"id", "type", "base", "label", "numerator", "variable", "levels",
                  "level_labels", "headline", "ordinal"}
PLAN_KEYS = {"version", "significance", "callouts", "sections", "appendix", "parts",
             "research_questions"}
SIGNIFICANCE_KEYS = {"level", "contrasts"}
CONTRAST_KEYS = {"domain", "levels"}
CALLOUT_KEYS = {"indicator", "population"}
SECTION_KEYS = {"id", "title", "about", "quotes", "tables", "charts", "checklist"}
TABLE_KEYS = {"id", "title", "indicators", "domains"}
CHART_KEYS = {"id", "title", "kind", "indicators", "by"}
APPENDIX_KEYS = {"sampling_errors"}
#: The report's parts that are not planned sections (``parts`` in the plan).
BUILTIN_PARTS = ("key", "summary", "methods", "introduction", "appendix", "annexes")


def default_parts(section_ids) -> tuple[str, ...]:
    """The order of a Disrupting Harm country report: key figures and summary, then the
    methods and the introduction, then the findings chapters (the plan's sections, in
    their order), then the sampling-error appendix and the annexes.

    >>> default_parts(["internet", "abuse"])
    ('key', 'summary', 'methods', 'introduction', 'internet', 'abuse', 'appendix', 'annexes')
    """
    return ("key", "summary", "methods", "introduction", *section_ids, "appendix", "annexes")
Label = dict  # language code -> text


@dataclass(frozen=True)
class Unit:
    id: str
    table: str
    label: Label


@dataclass(frozen=True)
class Derived:
    name: str
    unit: str
    sql: str | None = None              # a row-level expression
    from_instances: str | None = None   # an aggregate over the child's instance rows


@dataclass(frozen=True)
class Base:
    id: str
    unit: str
    where: str
    label: Label


@dataclass(frozen=True)
class Domain:
    id: str
    variable: str
    label: Label
    levels: dict[str, Label]            # level code (as text) -> label
    #: level code -> the group named inside a sentence ("girls", "children in rural
    #: areas"), used by the written findings; a level without one falls back to its label
    groups: dict[str, Label] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    id: str
    type: str
    base: str
    label: Label
    numerator: str | None = None
    variable: str | None = None
    levels: tuple[str, ...] = ()
    level_labels: dict[str, Label] = field(default_factory=dict)
    headline: bool = False
    line: int | None = None
    #: the levels are an ordered scale: tables and charts keep them in catalogue order
    #: (nominal answers are shown largest first, catch-alls last)
    ordinal: bool = False

    def columns(self) -> list[tuple[str, str]]:
        """(column id, level) pairs this indicator expands to in the estimates."""
        if self.type in ("multiple_response", "distribution"):
            return [(f"{self.id}.{lvl}", lvl) for lvl in self.levels]
        return [(self.id, "")]


@dataclass
class Catalogue:
    units: dict[str, Unit]
    derived: list[Derived]
    bases: dict[str, Base]
    domains: dict[str, Domain]
    indicators: dict[str, Indicator]
    source: str = ""

    def unit_of(self, indicator_id: str) -> str:
        return self.bases[self.indicators[indicator_id].base].unit


@dataclass(frozen=True)
class Table:
    id: str
    title: Label
    indicators: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: Label
    kind: str
    indicators: tuple[str, ...]
    by: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: Label
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    quotes: tuple[str, ...] = ()          # interview code ids (qualitative codebook)
    checklist: tuple[str, ...] = ()       # legal checklist topics the chapter lists
    about: Label = field(default_factory=dict)   # what the chapter covers (the introduction)


@dataclass(frozen=True)
class Contrast:
    domain: str
    levels: tuple[str, str]


@dataclass(frozen=True)
class Callout:
    indicator: str
    population: bool = False


@dataclass
class Plan:
    sections: list[Section]
    contrasts: list[Contrast]
    callouts: list[Callout]
    significance_level: float = 0.05
    appendix: str = "headline"
    source: str = ""
    #: the report's parts in reading order: section ids and BUILTIN_PARTS
    parts: tuple[str, ...] = ()
    #: the questions the study sets out to answer, in order (the introduction lists them)
    research_questions: tuple[Label, ...] = ()

    def order(self) -> tuple[str, ...]:
        """The parts in reading order (the seed's order when the plan names none)."""
        return self.parts or default_parts([s.id for s in self.sections])

    def indicator_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.sections:
            for t in s.tables:
                seen.update(dict.fromkeys(t.indicators))
            for c in s.charts:
                seen.update(dict.fromkeys(c.indicators))
        seen.update(dict.fromkeys(c.indicator for c in self.callouts))
        return list(seen)

    def domain_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.sections:
            for t in s.tables:
                seen.update(dict.fromkeys(t.domains))
            for c in s.charts:
                if c.by:
                    seen[c.by] = None
        seen.update(dict.fromkeys(c.domain for c in self.contrasts))
        return list(seen)


# --- loading ---------------------------------------------------------------------------


class _Checker:
    """Collects problems for one file; every ``need`` records instead of raising."""

    def __init__(self, file: str, languages: tuple[str, ...]) -> None:
        self.file, self.languages, self.report = file, languages, ValidationReport()

    def problem(self, code: str, message: str, node=None, key=None, hint=None) -> None:
        line = node.line_of(key) if (node is not None and key is not None and hasattr(node, "line_of")) \
            else getattr(node, "line", None)
        self.report.add(code, message, file=self.file, line=line, hint=hint)

    def need(self, node, key: str, kind: type, where: str):
        if not isinstance(node, dict) or key not in node:
            self.problem("CAT-001", f"{where}: missing '{key}'", node, hint=f"Add '{key}:'.")
            return None
        value = node[key]
        if not isinstance(value, kind):
            self.problem("CAT-002", f"{where}: '{key}' should be {kind.__name__}", node, key)
            return None
        return value

    def keys(self, node, allowed, where: str) -> None:
        """Every key the schema does not know is a problem (a typo never passes silently)."""
        for key, line in yamlio.unknown_keys(node, allowed):
            self.report.add("CAT-010", f"{where}: unknown key '{key}'", file=self.file,
                            line=line, hint=f"Use one of {', '.join(sorted(allowed))}.")

    def label(self, node, key: str, where: str) -> Label:
        value = self.need(node, key, dict, where) or {}
        known = set(self.languages) | set(LABEL_LANGUAGES)
        for lang, line in yamlio.unknown_keys(value, known):
            self.report.add("CAT-011", f"{where}: '{key}' has an unknown language key '{lang}'",
                            file=self.file, line=line,
                            hint="A text with a comma or colon inside {en: ..., es: ...} must be "
                                 "quoted (\"...\"), or the key is a typo; languages are "
                                 + ", ".join(sorted(known)) + ".")
        for lang in self.languages:
            if not str(value.get(lang) or "").strip():
                self.problem("CAT-003", f"{where}: no '{lang}' text in '{key}'", node, key,
                             hint=f"Add the {lang} translation.")
        return {k: str(v) for k, v in value.items() if k in known and v is not None}


def load_catalogue(path: str | Path | None = None,
                   languages: tuple[str, ...] = ("en", "es")) -> Catalogue:
    """Load and validate the indicator catalogue; raise ``ValidationError`` listing every problem.

    Reference: UNICEF MICS tabulation plans (indicator definitions with numerator and
    denominator kept apart from the tables that show them).
    """
    path = Path(path) if path else DATA / "catalogue.yaml"
    raw = yamlio.load(path)
    c = _Checker(str(path), languages)
    if not isinstance(raw, dict):
        c.problem("CAT-002", "the catalogue should be a mapping with units, bases, domains, indicators")
        raise ValidationError("CAT-000", f"{path}: not a catalogue", c.report)
    c.keys(raw, CATALOGUE_KEYS, "catalogue")
    units = {}
    for k, v in (c.need(raw, "units", dict, "catalogue") or {}).items():
        c.keys(v, UNIT_KEYS, f"unit {k}")
        units[k] = Unit(k, str(v.get("table", "")), c.label(v, "label", f"unit {k}"))
    derived = [_derived(c, d, units) for d in raw.get("derived", []) or []]
    bases = {k: _base(c, k, v, units) for k, v in (c.need(raw, "bases", dict, "catalogue") or {}).items()}
    domains = {k: _domain(c, k, v) for k, v in (c.need(raw, "domains", dict, "catalogue") or {}).items()}
    indicators: dict[str, Indicator] = {}
    for node in c.need(raw, "indicators", list, "catalogue") or []:
        ind = _indicator(c, node, bases)
        if ind is None:
            continue
        if ind.id in indicators:
            c.problem("CAT-004", f"indicator '{ind.id}' defined twice", node, "id")
        indicators[ind.id] = ind
    if not c.report.ok:
        raise ValidationError("CAT-000", f"{path}: {len(c.report)} problem(s) in the catalogue",
                              c.report)
    return Catalogue(units, derived, bases, domains, indicators, source=str(path))


def _derived(c: _Checker, node, units) -> Derived:
    name = c.need(node, "name", str, "derived variable") or "?"
    c.keys(node, DERIVED_KEYS, f"derived {name}")
    unit = c.need(node, "unit", str, f"derived {name}") or ""
    if unit and unit not in units:
        c.problem("CAT-005", f"derived {name}: unknown unit '{unit}'", node, "unit")
    sql, agg = node.get("sql"), node.get("from_instances")
    if (sql is None) == (agg is None):
        c.problem("CAT-006", f"derived {name}: give exactly one of 'sql' or 'from_instances'", node)
    return Derived(name, unit, sql, agg)


def _base(c: _Checker, key: str, node, units) -> Base:
    unit = c.need(node, "unit", str, f"base {key}") or ""
    c.keys(node, BASE_KEYS, f"base {key}")
    if unit and unit not in units:
        c.problem("CAT-005", f"base {key}: unknown unit '{unit}'", node, "unit",
                  hint=f"Use one of {', '.join(units)}.")
    where = str(node.get("where", "TRUE")) if isinstance(node, dict) else "TRUE"
    return Base(key, unit, where, c.label(node, "label", f"base {key}"))


def _domain(c: _Checker, key: str, node) -> Domain:
    variable = c.need(node, "variable", str, f"domain {key}") or ""
    c.keys(node, DOMAIN_KEYS, f"domain {key}")
    levels_node = c.need(node, "levels", dict, f"domain {key}") or {}
    levels = {str(k): c.label(levels_node, k, f"domain {key} level {k}") for k in levels_node}
    groups_node = node.get("groups") if isinstance(node, dict) else None
    groups: dict[str, Label] = {}
    if groups_node is not None:
        if not isinstance(groups_node, dict):
            c.problem("CAT-002", f"domain {key}: 'groups' should be dict", node, "groups")
        else:
            for k in groups_node:
                if str(k) not in levels:
                    c.problem("CAT-009", f"domain {key}: group '{k}' is not a level",
                              groups_node, k, hint=f"Levels are {', '.join(levels)}.")
                groups[str(k)] = c.label(groups_node, k, f"domain {key} group {k}")
    return Domain(key, variable, c.label(node, "label", f"domain {key}"), levels, groups)


def _indicator(c: _Checker, node, bases) -> Indicator | None:
    ident = c.need(node, "id", str, "indicator")
    if ident is None:
        return None
    where = f"indicator {ident}"
    c.keys(node, INDICATOR_KEYS, where)
    kind = c.need(node, "type", str, where) or "proportion"
    if kind not in TYPES:
        c.problem("CAT-007", f"{where}: unknown type '{kind}'", node, "type",
                  hint=f"Use one of {', '.join(TYPES)}.")
    base = c.need(node, "base", str, where) or ""
    if base and base not in bases:
        c.problem("CAT-008", f"{where}: unknown base '{base}'", node, "base",
                  hint=f"Define it under bases: or use one of {', '.join(bases)}.")
    levels: tuple[str, ...] = ()
    level_labels: dict[str, Label] = {}
    if kind in ("multiple_response", "distribution"):
        c.need(node, "variable", str, where)
        levels = tuple(str(x) for x in (c.need(node, "levels", list, where) or []))
        ll = c.need(node, "level_labels", dict, where) or {}
        for lvl in levels:
            if lvl not in ll:
                c.problem("CAT-009", f"{where}: level '{lvl}' has no label", node, "level_labels")
            else:
                level_labels[lvl] = c.label(ll, lvl, f"{where} level {lvl}")
    elif kind in TYPES:
        c.need(node, "numerator", str, where)
    return Indicator(
        id=ident, type=kind, base=base, label=c.label(node, "label", where),
        numerator=node.get("numerator"), variable=node.get("variable"), levels=levels,
        level_labels=level_labels, headline=bool(node.get("headline", False)),
        ordinal=bool(node.get("ordinal", False)),
        line=getattr(node, "line", None))


def load_plan(path: str | Path | None = None, *, catalogue: Catalogue,
              languages: tuple[str, ...] = ("en", "es")) -> Plan:
    """Load and validate the tabulation plan against the catalogue (unknown indicators,
    domains, chart kinds and contrast levels are all reported at once)."""
    path = Path(path) if path else DATA / "plan.yaml"
    raw = yamlio.load(path)
    c = _Checker(str(path), languages)
    c.keys(raw, PLAN_KEYS, "plan")
    sections = [_section(c, s, catalogue) for s in (c.need(raw, "sections", list, "plan") or [])]
    sig = raw.get("significance", {}) if isinstance(raw, dict) else {}
    c.keys(sig, SIGNIFICANCE_KEYS, "significance")
    c.keys(raw.get("appendix") if isinstance(raw, dict) else None, APPENDIX_KEYS, "appendix")
    contrasts = []
    for node in sig.get("contrasts", []) or []:
        c.keys(node, CONTRAST_KEYS, "contrast")
        dom = str(node.get("domain", ""))
        lv = tuple(str(x) for x in node.get("levels", []))
        if dom not in catalogue.domains:
            c.problem("PLAN-002", f"contrast: unknown domain '{dom}'", node, "domain")
        elif len(lv) != 2 or any(x not in catalogue.domains[dom].levels for x in lv):
            c.problem("PLAN-004", f"contrast on {dom}: give two known levels", node, "levels",
                      hint=f"Levels are {', '.join(catalogue.domains[dom].levels)}.")
        contrasts.append(Contrast(dom, lv if len(lv) == 2 else ("", "")))
    callouts = []
    for node in (raw.get("callouts", []) if isinstance(raw, dict) else []) or []:
        c.keys(node, CALLOUT_KEYS, "callout")
        ind = str(node.get("indicator", ""))
        if ind not in catalogue.indicators:
            c.problem("PLAN-001", f"callout: unknown indicator '{ind}'", node, "indicator")
        callouts.append(Callout(ind, bool(node.get("population", False))))
    parts = _parts(c, raw, sections)
    questions = _research_questions(c, raw)
    if not c.report.ok:
        raise ValidationError("PLAN-000", f"{path}: {len(c.report)} problem(s) in the plan", c.report)
    appendix = (raw.get("appendix") or {}).get("sampling_errors", "headline")
    # sections in reading order, so tables and figures are numbered as the reader meets them
    rank = {p: i for i, p in enumerate(parts)}
    sections.sort(key=lambda s: rank.get(s.id, len(rank)))
    return Plan(sections, contrasts, callouts, float(sig.get("level", 0.05)), appendix,
                str(path), parts, questions)


def _research_questions(c: _Checker, raw) -> tuple[Label, ...]:
    """``research_questions``: a list of labels, each with a text in every report language
    (CAT-003, CAT-011 as any label); absent, none."""
    node = raw.get("research_questions") if isinstance(raw, dict) else None
    if node is None:
        return ()
    if not isinstance(node, list):
        c.problem("CAT-002", "plan: 'research_questions' should be list", raw,
                  "research_questions")
        return ()
    out = []
    for k, q in enumerate(node, start=1):
        holder = yamlio.LineDict(research_questions=q)   # the label keeps q's line
        holder.line = getattr(q, "line", None) or getattr(node, "line", None)
        out.append(c.label(holder, "research_questions", f"research question {k}"))
    return tuple(out)


def _parts(c: _Checker, raw, sections: list[Section]) -> tuple[str, ...]:
    """``parts``: every section id and built-in part at most once, every section named
    (PLAN-005); absent, the seed's order (:func:`default_parts`)."""
    ids = [s.id for s in sections]
    node = raw.get("parts") if isinstance(raw, dict) else None
    if node is None:
        return default_parts(ids)
    if not isinstance(node, list):
        c.problem("PLAN-005", "parts: give a list of section ids and built-in parts", raw,
                  "parts")
        return default_parts(ids)
    parts = tuple(str(p) for p in node)
    known = set(ids) | set(BUILTIN_PARTS)
    for p in parts:
        if p not in known:
            c.problem("PLAN-005", f"parts: unknown part '{p}'", raw, "parts",
                      hint=f"Use a section id or one of {', '.join(BUILTIN_PARTS)}.")
    for p in dict.fromkeys(parts):
        if parts.count(p) > 1:
            c.problem("PLAN-005", f"parts: '{p}' is named {parts.count(p)} times", raw, "parts",
                      hint="Name each part once.")
    for sid in ids:
        if sid not in parts:
            c.problem("PLAN-005", f"parts: section '{sid}' is not placed", raw, "parts",
                      hint="Add its id where the chapter belongs in the report.")
    return parts


def _section(c: _Checker, node, cat: Catalogue) -> Section:
    sid = c.need(node, "id", str, "section") or "?"
    c.keys(node, SECTION_KEYS, f"section {sid}")
    tables, charts = [], []
    for t in node.get("tables", []) or []:
        tid = c.need(t, "id", str, f"section {sid} table") or "?"
        c.keys(t, TABLE_KEYS, f"table {tid}")
        inds = tuple(t.get("indicators", []) or [])
        doms = tuple(t.get("domains", []) or [])
        _known(c, t, "indicators", inds, cat.indicators, f"table {tid}", "PLAN-001")
        _known(c, t, "domains", doms, cat.domains, f"table {tid}", "PLAN-002")
        tables.append(Table(tid, c.label(t, "title", f"table {tid}"), inds, doms))
    for ch in node.get("charts", []) or []:
        cid = c.need(ch, "id", str, f"section {sid} chart") or "?"
        c.keys(ch, CHART_KEYS, f"chart {cid}")
        kind = str(ch.get("kind", "bars"))
        if kind not in CHART_KINDS:
            c.problem("PLAN-003", f"chart {cid}: unknown kind '{kind}'", ch, "kind",
                      hint=f"Use one of {', '.join(CHART_KINDS)}.")
        inds = tuple(ch.get("indicators", []) or [])
        _known(c, ch, "indicators", inds, cat.indicators, f"chart {cid}", "PLAN-001")
        by = ch.get("by")
        if by is not None:
            _known(c, ch, "by", (by,), cat.domains, f"chart {cid}", "PLAN-002")
        charts.append(Chart(cid, c.label(ch, "title", f"chart {cid}"), kind, inds, by))
    quotes = tuple(str(q) for q in node.get("quotes", []) or [])
    checklist = tuple(str(x) for x in node.get("checklist", []) or [])
    about = c.label(node, "about", f"section {sid}") if isinstance(node, dict) \
        and "about" in node else {}
    return Section(sid, c.label(node, "title", f"section {sid}"), tuple(tables), tuple(charts),
                   quotes, checklist, about)


def _known(c: _Checker, node, key, names, known, where, code) -> None:
    for name in names:
        if name not in known:
            c.problem(code, f"{where}: unknown {key.rstrip('s')} '{name}'", node, key,
                      hint="Check the spelling against the catalogue.")
