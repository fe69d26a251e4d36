"""The hierarchical codebook as data (YAML): code, definition, inclusion and exclusion
criteria, example, children. Checked on load with every problem listed (file, line).

.. code-block:: yaml

    codes:
      - id: disclosure
        name: Disclosure
        definition: Whether, when and to whom the young person told about the abuse.
        children:
          - id: disclosure.shame
            name: Shame and self-blame
            include: Not telling because of shame, guilt or blaming oneself.
            exclude: Fear of the perpetrator (code coercion).
            example: "I thought it was my fault for answering."

Codes get a stable GUID (UUID 5 of the code id) so REFI-QDA exports are reproducible.

Reference: MacQueen et al. (1998) "Codebook development for team-based qualitative
analysis", Cultural Anthropology Methods 10(2) — name, definition, inclusion, exclusion,
example.

>>> [c.code_id for c in parse_codebook("codes:\\n  - id: a\\n    name: A\\n", "x.yaml")]
['a']
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import yaml

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative.model import Code
from dhkit.qualitative.storage import ensure_tables
from dhkit.yamlio import BoundedLoader, YamlLimitError
from dhkit.validation import ValidationReport
from dhkit.workspace.store import Store

NAMESPACE = uuid.UUID("5b0a4d39-3f5e-4a59-9a57-6a0d1f5c2e11")
FIELDS = {"id", "name", "definition", "include", "exclude", "example", "color", "children",
          "guid"}
COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


def code_guid(code_id: str) -> str:
    """Stable GUID of a code id (UUID 5)."""
    return str(uuid.uuid5(NAMESPACE, f"code:{code_id}"))


class _LineLoader(BoundedLoader):   # refuses alias bombs (YAML-002)
    """A YAML loader that records each mapping's line as ``__line__``."""


def _mapping(loader, node):
    data = loader.construct_mapping(node, deep=True)
    data["__line__"] = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_codebook(path: str | Path) -> list[Code]:
    """Read and check a codebook YAML file (QUAL-040 lists every problem)."""
    path = Path(path)
    if not path.exists():
        raise DhkitError("QUAL-040", f"{path}: codebook file not found; check the path.")
    return parse_codebook(path.read_text(encoding="utf-8"), path.name)


def parse_codebook(text: str, file: str) -> list[Code]:
    """Parse codebook YAML text into codes in document order (parents before children)."""
    report = ValidationReport()
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except YamlLimitError as exc:
        raise exc.at(file) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise DhkitError("QUAL-040", f"{file}{f' line {line + 1}' if line is not None else ''}:"
                         " not valid YAML; check indentation and quotes.") from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise DhkitError("QUAL-040", f"{file}: a codebook needs a top-level list 'codes:'.")
    codes: list[Code] = []
    _walk(data["codes"], None, file, report, codes, set())
    if not report.ok:
        raise ValidationError("QUAL-040", f"{file}: {len(report)} problem(s) in the codebook; "
                              "nothing was imported.", report)
    return codes


def _walk(items, parent, file, report, codes, seen) -> None:
    for item in items:
        if not isinstance(item, dict):
            report.add("QUAL-041", "each code must be a mapping with id and name", file=file)
            continue
        line = item.get("__line__")
        unknown = sorted(set(item) - FIELDS - {"__line__"})
        if unknown:
            report.add("QUAL-041", f"unknown field(s) {', '.join(unknown)}", file=file,
                       line=line, hint=f"use {', '.join(sorted(FIELDS))}")
        cid = str(item.get("id") or "").strip()
        if not cid or not ID.match(cid):
            report.add("QUAL-042", f"code id '{cid}' is empty or has characters other than "
                       "letters, digits, '.', '_', '-'", file=file, line=line, field="id")
        elif cid in seen:
            report.add("QUAL-043", f"code id '{cid}' is defined twice", file=file, line=line,
                       field="id")
        seen.add(cid)
        if not str(item.get("name") or "").strip():
            report.add("QUAL-042", f"code '{cid}' has no name", file=file, line=line,
                       field="name")
        color = item.get("color")
        if color and not COLOR.match(str(color)):
            report.add("QUAL-041", f"colour '{color}' is not #RRGGBB", file=file, line=line,
                       field="color")
        codes.append(Code(cid, str(item.get("name") or "").strip(), parent,
                          _s(item.get("definition")), _s(item.get("include")),
                          _s(item.get("exclude")), _s(item.get("example")),
                          str(color) if color else None, item.get("guid") or code_guid(cid)))
        children = item.get("children") or []
        if not isinstance(children, list):
            report.add("QUAL-041", f"children of '{cid}' must be a list", file=file, line=line)
            continue
        _walk(children, cid, file, report, codes, seen)


def _s(value) -> str:
    return str(value).strip() if value is not None else ""


def store_codebook(store: Store, codes: list[Code], replace: bool = False) -> int:
    """Store codes (insert or update by id). With ``replace`` the codebook is replaced, which
    is refused while codings use a code that would disappear (QUAL-044)."""
    ensure_tables(store)
    with store.transaction() as con:
        if replace:
            ids = {c.code_id for c in codes}
            used = [r[0] for r in con.execute("SELECT DISTINCT code_id FROM study.qual_codings"
                                              ).fetchall() if r[0] not in ids]
            if used:
                raise DhkitError("QUAL-044", f"codings use code(s) {', '.join(sorted(used))} "
                                 "that the new codebook lacks; keep them or delete those "
                                 "codings first.")
            con.execute("DELETE FROM study.qual_codes")
        start = con.execute("SELECT coalesce(max(ord), 0) FROM study.qual_codes").fetchone()[0]
        for i, c in enumerate(codes, start=start + 1):
            con.execute("DELETE FROM study.qual_codes WHERE code_id = ?", [c.code_id])
            con.execute("INSERT INTO study.qual_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [c.code_id, c.name, c.parent_id, c.definition, c.inclusion,
                         c.exclusion, c.example, c.color, c.guid or code_guid(c.code_id), i])
        store.audit("codes codebook", rows_accepted=len(codes))
    return len(codes)


def codebook(store: Store) -> list[Code]:
    """The stored codebook in its order."""
    ensure_tables(store)
    rows = store.con.execute("SELECT code_id, name, parent_id, definition, inclusion, "
                             "exclusion, example, color, guid FROM study.qual_codes "
                             "ORDER BY ord").fetchall()
    return [Code(*r) for r in rows]


def descendants(codes: list[Code], code_id: str) -> list[str]:
    """A code and all codes below it.

    >>> descendants([Code("a", "A"), Code("a.b", "B", "a"), Code("c", "C")], "a")
    ['a', 'a.b']
    """
    out, frontier = [code_id], [code_id]
    while frontier:
        parent = frontier.pop()
        kids = [c.code_id for c in codes if c.parent_id == parent]
        out += kids
        frontier += kids
    return out


def dump_codebook(codes: list[Code]) -> str:
    """The codebook as YAML text (the format :func:`load_codebook` reads)."""
    def node(c: Code) -> dict:
        d = {"id": c.code_id, "name": c.name}
        for key, value in (("definition", c.definition), ("include", c.inclusion),
                           ("exclude", c.exclusion), ("example", c.example),
                           ("color", c.color)):
            if value:
                d[key] = value
        kids = [node(k) for k in codes if k.parent_id == c.code_id]
        if kids:
            d["children"] = kids
        return d

    roots = [node(c) for c in codes if c.parent_id is None]
    return yaml.safe_dump({"codes": roots}, allow_unicode=True, sort_keys=False, width=100)
