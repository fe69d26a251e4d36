"""Recommendations registry: insights → recommendations N.M → actors → evidence links.

One YAML file per country (``DIR/legal/recommendations-CO.yaml``). Each recommendation
links its evidence by id: survey indicators (checked against the indicator catalogue when
it can be loaded, else for format), checklist items (checked against the checklist) and
interview codes (format only, as the qualitative codebook writes them: dotted paths
such as ``justice.delays``).
Numbers must read N.M with N the insight's id. After the national consultation,
:func:`finalize` attaches each decided comment to its recommendation's history.

>>> reg = load_registry(colombia_recommendations_path())
>>> len(reg.insights), reg.find("7.5").evidence.items
(7, ('CRM-06',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from dhkit.errors import ValidationError
from dhkit.legal import yamlio
from dhkit.legal.checklist import Checklist, load_checklist
from dhkit.validation import ValidationReport

ACTORS = ("government", "law_enforcement", "justice", "social_services", "educators",
          "industry", "caregivers", "civil_society")
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$")  # as dhkit.qualitative
NUMBER = re.compile(r"^(\d+)\.(\d+)$")

_TEXT = {"type": "object", "required": ["en"], "additionalProperties": False,
         "properties": {"en": {"type": "string", "minLength": 1}, "es": {"type": "string"}}}
_IDS = {"type": "array", "items": {"type": "string"}}
SCHEMA = {
    "type": "object", "required": ["country", "version", "insights"],
    "additionalProperties": False,
    "properties": {
        "recommendations": {"type": "string"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "version": {"type": "integer", "minimum": 1},
        "status": {"enum": ["draft", "consulted", "final"]},
        "source": {"type": "string"},
        "insights": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "title", "recommendation", "recommendations"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "title": _TEXT, "finding": _TEXT, "recommendation": _TEXT,
                "actors": {"type": "array", "items": {"type": "string"}},
                "recommendations": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["number", "text", "actors"],
                    "properties": {
                        "number": {"type": "string"},
                        "text": {"type": "string", "minLength": 3},
                        "text_es": {"type": "string"},
                        "actors": {"type": "array", "minItems": 1,
                                   "items": {"type": "string"}},
                        "evidence": {"type": "object", "additionalProperties": False,
                                     "properties": {"indicators": _IDS, "items": _IDS,
                                                    "codes": _IDS}},
                        "history": {"type": "array", "items": {"type": "object"}},
                    }}},
            }}},
    },
}


@dataclass(frozen=True)
class Evidence:
    indicators: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    number: str
    text: str
    actors: tuple[str, ...]
    evidence: Evidence
    text_es: str = ""
    history: tuple[dict, ...] = ()

    def text_in(self, lang: str) -> str:
        return self.text_es if lang == "es" and self.text_es else self.text


@dataclass(frozen=True)
class Insight:
    id: int
    title: dict
    finding: dict
    recommendation: dict
    actors: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Registry:
    country: str
    version: int
    status: str
    insights: tuple[Insight, ...]
    source: str = ""
    path: str = field(default="", compare=False)

    def all(self) -> list[Recommendation]:
        return [r for i in self.insights for r in i.recommendations]

    def numbers(self) -> set[str]:
        return {r.number for r in self.all()}

    def find(self, number: str) -> Recommendation:
        return next(r for r in self.all() if r.number == number)

    def links_by_item(self) -> dict[str, list[str]]:
        """Checklist item id → numbers of the recommendations that cite it."""
        out: dict[str, list[str]] = {}
        for r in self.all():
            for item in r.evidence.items:
                out.setdefault(item, []).append(r.number)
        return out


def colombia_recommendations_path() -> Path:
    return Path(str(resources.files("dhkit.legal") / "data" / "recommendations-CO.yaml"))


def known_indicators() -> set[str] | None:
    """Indicator ids of the catalogue, or None when it cannot be loaded (format check only)."""
    try:
        from dhkit.indicators.catalogue import load_catalogue

        return set(load_catalogue().indicators)
    except Exception:  # the catalogue is another stage's: absent or invalid → format only
        return None


def validate_registry(doc, file: str, checklist: Checklist,
                      indicators: set[str] | None) -> ValidationReport:
    """Every problem in a parsed recommendations document, with lines."""
    report = ValidationReport()
    yamlio.check_schema(doc, SCHEMA, file, report, "LEG-040")
    if not isinstance(doc, dict) or not isinstance(doc.get("insights"), list):
        return report
    seen: dict[str, int] = {}
    for ins in doc["insights"]:
        if not isinstance(ins, dict):
            continue
        for actor in ins.get("actors") or []:
            _actor(report, file, getattr(ins, "line", None), f"insight {ins.get('id')}", actor)
        for rec in ins.get("recommendations") or []:
            if not isinstance(rec, dict):
                continue
            line, num = getattr(rec, "line", None), str(rec.get("number", ""))
            m = NUMBER.match(num)
            if not m or int(m.group(1)) != ins.get("id"):
                report.add("LEG-041", f"recommendation number {num!r} should read "
                           f"{ins.get('id')}.M under insight {ins.get('id')}", file=file,
                           line=line, field="number", value=num,
                           hint="Number recommendations N.M after their insight")
            if num in seen:
                report.add("LEG-041", f"recommendation {num} appears twice (first on line "
                           f"{seen[num]})", file=file, line=line, field="number", value=num,
                           hint="Give each recommendation its own number")
            seen.setdefault(num, line)
            for actor in rec.get("actors") or []:
                _actor(report, file, line, f"recommendation {num}", actor)
            ev = rec.get("evidence") or {}
            for item in ev.get("items") or []:
                if not checklist.has(item):
                    report.add("LEG-042", f"recommendation {num} links checklist item {item!r}, "
                               "which does not exist", file=file, line=line,
                               field="evidence.items", value=item,
                               hint="Use an id from dhkit legal checklist")
            for ind in ev.get("indicators") or []:
                if not INDICATOR_ID.match(str(ind)):
                    report.add("LEG-043", f"recommendation {num}: {ind!r} is not an indicator "
                               "id (lower-case letters, digits, _)", file=file, line=line,
                               field="evidence.indicators", value=str(ind),
                               hint="Use an id from the indicator catalogue")
                elif indicators is not None and ind not in indicators:
                    report.add("LEG-043", f"recommendation {num} links indicator {ind!r}, "
                               "which is not in the indicator catalogue", file=file, line=line,
                               field="evidence.indicators", value=ind,
                               hint="Use an id from the indicator catalogue")
            for code in ev.get("codes") or []:
                if not CODE_ID.match(str(code)):
                    report.add("LEG-044", f"recommendation {num}: {code!r} is not an interview "
                               "code id (dotted path of letters, digits, _ or -, e.g. justice.delays)",
                               file=file, line=line, field="evidence.codes", value=str(code),
                               hint="Use the code's id from the qualitative codebook")
    return report


def _actor(report, file, line, where, actor) -> None:
    if actor not in ACTORS:
        report.add("LEG-045", f"{where}: actor {actor!r} is not one of {', '.join(ACTORS)}",
                   file=file, line=line, field="actors", value=str(actor),
                   hint="Use one of the listed actor groups")


def parse_registry(doc, path: str = "") -> Registry:
    insights = []
    for ins in doc["insights"]:
        recs = tuple(Recommendation(
            number=r["number"], text=r["text"], actors=tuple(r["actors"]),
            evidence=Evidence(*(tuple((r.get("evidence") or {}).get(k) or ())
                                for k in ("indicators", "items", "codes"))),
            text_es=r.get("text_es", ""),
            history=tuple(dict(h) for h in r.get("history") or ())) for r in ins["recommendations"])
        insights.append(Insight(id=ins["id"], title=dict(ins["title"]),
                                finding=dict(ins.get("finding") or {"en": ""}),
                                recommendation=dict(ins["recommendation"]),
                                actors=tuple(ins.get("actors") or ()), recommendations=recs))
    return Registry(country=doc["country"], version=int(doc["version"]),
                    status=doc.get("status", "draft"), insights=tuple(insights),
                    source=doc.get("source", ""), path=path)


def check_registry_file(path: str | Path, checklist: Checklist | None = None,
                        indicators: set[str] | None | bool = True
                        ) -> tuple[Registry | None, ValidationReport]:
    """Validate a recommendations file. ``indicators=True`` loads the catalogue if it can;
    pass a set to check against it, or None for a format-only check."""
    doc = yamlio.load(path)
    if indicators is True:
        indicators = known_indicators()
    report = validate_registry(doc, str(path), checklist or load_checklist(), indicators)
    return (parse_registry(doc, str(path)) if report.ok else None), report


def load_registry(path: str | Path, checklist: Checklist | None = None,
                  indicators: set[str] | None | bool = True) -> Registry:
    reg, report = check_registry_file(path, checklist, indicators)
    if reg is None:
        raise ValidationError("LEG-040", f"{path}: {len(report)} problem(s) in the "
                              "recommendations; run dhkit recommendations check.", report)
    return reg


def registry_to_doc(reg: Registry) -> dict:
    doc = {"recommendations": "dhkit-recommendations", "country": reg.country,
           "version": reg.version, "status": reg.status, "source": reg.source, "insights": []}
    for ins in reg.insights:
        recs = []
        for r in ins.recommendations:
            d = {"number": r.number, "text": r.text}
            if r.text_es:
                d["text_es"] = r.text_es
            d["actors"] = list(r.actors)
            d["evidence"] = {"indicators": list(r.evidence.indicators),
                             "items": list(r.evidence.items), "codes": list(r.evidence.codes)}
            if r.history:
                d["history"] = [dict(h) for h in r.history]
            recs.append(d)
        doc["insights"].append({"id": ins.id, "title": ins.title, "finding": ins.finding,
                                "recommendation": ins.recommendation,
                                "actors": list(ins.actors), "recommendations": recs})
    return doc


def write_registry(reg: Registry, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dumps(registry_to_doc(reg), f"# Recommendations, {reg.country}, "
                                 f"version {reg.version} ({reg.status}).\n"), encoding="utf-8")
    return path


def render_registry_html(reg: Registry, lang: str = "en") -> str:
    from dhkit.legal.render import render_html
    from dhkit.legal.strings import t

    return render_html("recommendations.html.j2", lang=lang, title=t("recs_title", lang),
                       country=reg.country, reg=reg)
