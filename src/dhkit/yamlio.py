"""YAML data files that remember where each value came from, so validation problems can
name the file and line (schema-first data files: catalogues, plans, checklists).

PyYAML gives node positions only during construction; this loader keeps them on the
mappings it builds (:class:`LineDict`), which plain ``yaml.safe_load`` would discard.

>>> d = loads("a: 1\\nb:\\n  c: 2\\n")
>>> d.line_of("b"), d["b"].line_of("c")
(2, 3)
"""

from __future__ import annotations

from pathlib import Path

import yaml

from dhkit.errors import DhkitError


class LineDict(dict):
    """A dict whose keys remember their 1-based line in the source file."""

    line: int | None = None
    lines: dict

    def line_of(self, key: str) -> int | None:
        return getattr(self, "lines", {}).get(key, self.line)

    key_line = line_of


class LineList(list):
    line: int | None = None
    lines: list


class _Loader(yaml.SafeLoader):
    pass


def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    """PyYAML constructor that builds a :class:`LineDict` (other loaders reuse it)."""
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [n.start_mark.line + 1 for n in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def unknown_keys(node, allowed) -> list[tuple[str, int | None]]:
    """(key, line) of every key of a mapping that the schema does not know; ``[]`` for a
    non-mapping (its type is checked elsewhere).

    >>> unknown_keys(loads("id: a\nlable: x\n"), {"id", "label"})
    [('lable', 2)]
    """
    if not isinstance(node, dict):
        return []
    line_of = getattr(node, "line_of", lambda k: None)
    return [(str(k), line_of(k)) for k in node if k not in allowed]


def loads(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def load(path: str | Path):
    """Load a YAML file with line numbers; a syntax error names the file and line."""
    path = Path(path)
    try:
        return loads(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise DhkitError("YAML-001", f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}). "
                         "Fix the syntax at that line.") from None
