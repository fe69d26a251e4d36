"""The legal and policy checklist: items as data, validated on load.

The checklist (``data/checklist.yaml``) holds 140+ items in six areas, each with its
question (English and Spanish), the international instruments it rests on, guidance for
the analyst, and the answer scale. It is versioned (semantic versioning); assessments
record the version they were made against. Validation lists every problem with its
line (JSON Schema for shape, then cross-checks: unique ids, id prefix matching the area,
known instruments).

>>> cl = load_checklist()
>>> len(cl.items) >= 140, cl.item("CRM-06").area
(True, 'criminalization')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from dhkit.errors import ValidationError
from dhkit.legal import yamlio
from dhkit.validation import ValidationReport

SCALE = ("met", "partly_met", "not_met", "not_applicable", "unknown")
AREA_PREFIX = {"definitions": "DEF", "criminalization": "CRM", "jurisdiction": "JUR",
               "justice": "JUS", "private_sector": "PSD", "policy": "POL"}
ITEM_ID = re.compile(r"^(DEF|CRM|JUR|JUS|PSD|POL)-\d{2,3}$")
MIN_ITEMS = 140

_TEXT = {"type": "object", "required": ["en", "es"], "additionalProperties": False,
         "properties": {"en": {"type": "string", "minLength": 1},
                        "es": {"type": "string", "minLength": 1}}}

SCHEMA = {
    "type": "object",
    "required": ["checklist", "version", "scale", "areas", "instruments", "items"],
    "additionalProperties": False,
    "properties": {
        "checklist": {"type": "string"},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "released": {"type": "string"},
        "scale": {"type": "object", "required": list(SCALE), "additionalProperties": False,
                  "properties": {k: _TEXT for k in SCALE}},
        "areas": {"type": "object", "required": list(AREA_PREFIX),
                  "additionalProperties": False,
                  "properties": {k: _TEXT for k in AREA_PREFIX}},
        "instruments": {"type": "object", "minProperties": 1,
                        "additionalProperties": {"type": "string", "minLength": 3}},
        "items": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["id", "area", "topic", "question", "standards", "guidance"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": ITEM_ID.pattern},
                "area": {"enum": list(AREA_PREFIX)},
                "topic": {"type": "string", "pattern": r"^[a-z][a-z_]*$"},
                "question": _TEXT,
                "standards": {"type": "array", "minItems": 1,
                              "items": {"type": "string", "minLength": 2}},
                "guidance": {"type": "string", "minLength": 3},
            }}},
    },
}


@dataclass(frozen=True)
class Item:
    """One checklist item."""

    id: str
    area: str
    topic: str
    question: dict
    standards: tuple[str, ...]
    guidance: str

    def text(self, lang: str = "en") -> str:
        return self.question.get(lang) or self.question["en"]


@dataclass(frozen=True)
class Checklist:
    """The whole checklist: metadata, labels and items in order."""

    name: str
    version: str
    scale: dict
    areas: dict
    instruments: dict
    items: tuple[Item, ...]
    source: str = ""

    def item(self, item_id: str) -> Item:
        return self._index()[item_id]

    def has(self, item_id: str) -> bool:
        return item_id in self._index()

    def _index(self) -> dict:
        idx = self.__dict__.get("_idx")
        if idx is None:
            idx = {i.id: i for i in self.items}
            object.__setattr__(self, "_idx", idx)
        return idx

    def area_label(self, area: str, lang: str = "en") -> str:
        return self.areas[area].get(lang, self.areas[area]["en"])

    def scale_label(self, answer: str, lang: str = "en") -> str:
        return self.scale[answer].get(lang, self.scale[answer]["en"])

    def items_in(self, area: str) -> list[Item]:
        return [i for i in self.items if i.area == area]

    def instrument_name(self, standard: str) -> str:
        """'LAN art. 23' -> the Lanzarote Convention's full name, with the article."""
        key, _, ref = standard.partition(" ")
        name = self.instruments.get(key, key)
        return f"{name}, {ref}" if ref else name


def instrument_key(standard: str) -> str:
    """The instrument id at the start of a standard reference ('LAN art. 23' -> 'LAN')."""
    return standard.split(" ", 1)[0]


def validate_checklist(doc, file: str) -> ValidationReport:
    """Every problem in a parsed checklist document (schema, ids, instruments, size)."""
    report = ValidationReport()
    yamlio.check_schema(doc, SCHEMA, file, report, "LEG-002")
    if not isinstance(doc, dict):
        return report
    instruments = doc.get("instruments") or {}
    seen: dict[str, int] = {}
    items = doc.get("items") or []
    for it in items if isinstance(items, list) else []:
        if not isinstance(it, dict):
            continue
        line = getattr(it, "line", None)
        iid, area = it.get("id"), it.get("area")
        if isinstance(iid, str):
            if iid in seen:
                report.add("LEG-003", f"item id {iid} is used twice (first on line "
                           f"{seen[iid]})", file=file, line=line, field="id", value=iid,
                           hint="Give each item its own id")
            seen.setdefault(iid, line)
            prefix = AREA_PREFIX.get(area)
            if prefix and ITEM_ID.match(iid) and not iid.startswith(prefix + "-"):
                report.add("LEG-005", f"item {iid} is in area {area} but its id does not "
                           f"start with {prefix}-", file=file, line=line, field="id",
                           hint=f"Rename it {prefix}-NN or move it to the right area")
        for std in it.get("standards") or []:
            if isinstance(std, str) and instrument_key(std) not in instruments:
                report.add("LEG-004", f"item {iid}: standard {std!r} names an instrument "
                           "that is not listed under 'instruments'", file=file,
                           line=it.key_line("standards") if hasattr(it, "key_line") else line,
                           field="standards", value=std,
                           hint="Add the instrument to 'instruments' or fix the id")
    if isinstance(items, list) and len(items) < MIN_ITEMS:
        report.add("LEG-006", f"the checklist has {len(items)} items; at least {MIN_ITEMS} "
                   "are expected", file=file, hint="Add items before using it for a study")
    return report


def parse_checklist(doc, source: str = "") -> Checklist:
    items = tuple(Item(id=i["id"], area=i["area"], topic=i["topic"],
                       question=dict(i["question"]), standards=tuple(i["standards"]),
                       guidance=i["guidance"]) for i in doc["items"])
    return Checklist(name=doc["checklist"], version=str(doc["version"]),
                     scale={k: dict(v) for k, v in doc["scale"].items()},
                     areas={k: dict(v) for k, v in doc["areas"].items()},
                     instruments=dict(doc["instruments"]), items=items, source=source)


def default_checklist_path() -> Path:
    return Path(str(resources.files("dhkit.legal") / "data" / "checklist.yaml"))


def load_checklist(path: str | Path | None = None) -> Checklist:
    """Load and validate a checklist (the shipped one by default).

    Raises :class:`~dhkit.errors.ValidationError` (LEG-002) with the full report when
    anything is wrong.

    >>> load_checklist().version
    '1.0.0'
    """
    path = Path(path) if path else default_checklist_path()
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int) -> Checklist:
    doc = yamlio.load(path)
    report = validate_checklist(doc, path)
    if not report.ok:
        raise ValidationError("LEG-002", f"{path}: the checklist has {len(report)} "
                              "problem(s); see the table above.", report)
    return parse_checklist(doc, source=path)
