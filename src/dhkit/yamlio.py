"""YAML data files that remember where each value came from, so validation problems can
name the file and line (schema-first data files: catalogues, plans, checklists).

PyYAML gives node positions only during construction; this loader keeps them on the
mappings it builds (:class:`LineDict`), which plain ``yaml.safe_load`` would discard.

Every dhkit YAML loader derives from :class:`BoundedLoader`: PyYAML's ``SafeLoader`` builds
shared objects for aliases, but anything that walks the result (validation, JSON, copying)
expands them, so a "billion laughs" document of a few hundred bytes becomes billions of
nodes. :class:`BoundedLoader` counts the nodes the document expands to, right after parsing
and before anything is built, and refuses past :data:`MAX_NODES` (``YAML-002``); recursive
aliases and nesting deeper than :data:`MAX_DEPTH` are refused the same way.

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


#: most nodes a data file may expand to once aliases are followed (DHKIT_YAML_MAX_NODES)
MAX_NODES = 1_000_000
#: deepest nesting accepted (PyYAML recurses per level)
MAX_DEPTH = 200


class YamlLimitError(DhkitError):
    """A YAML document that would expand past the limits (YAML-002, exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__("YAML-002", message)

    def at(self, file: str | Path) -> DhkitError:
        """The same error naming the file."""
        return DhkitError("YAML-002", f"{file}: {self.message}")


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses alias bombs, recursive aliases and runaway nesting."""

    def compose_document(self):
        import os

        try:
            node = super().compose_document()
        except RecursionError:
            raise YamlLimitError("nesting too deep to read; a data file needs only a few "
                                 "levels. Is this the right file?") from None
        raw = os.environ.get("DHKIT_YAML_MAX_NODES", "")
        check_expansion(node, int(raw) if raw.isdigit() else MAX_NODES)
        return node


def check_expansion(root, limit: int = MAX_NODES) -> int:
    """How many nodes ``root`` expands to with every alias followed; YAML-002 past ``limit``.

    Counted without expanding: each node's size is computed once (shared by its aliases).
    """
    size: dict[int, int] = {}
    state: dict[int, int] = {}        # 1 = on the stack, 2 = done
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        k = id(node)
        kids = _children(node)
        if state.get(k) == 2:
            continue
        if state.get(k) == 1:         # children done: sum them
            total = 1 + sum(size[id(c)] for c in kids)
            size[k] = total
            state[k] = 2
            if total > limit:
                line = node.start_mark.line + 1
                raise YamlLimitError(f"line {line}: the document expands to more than "
                                     f"{limit:,} values once its aliases (*name) are followed "
                                     "(an alias bomb?); write the values out or use fewer "
                                     "aliases.")
            continue
        if depth > MAX_DEPTH:
            raise YamlLimitError(f"line {node.start_mark.line + 1}: nesting deeper than "
                                 f"{MAX_DEPTH} levels.")
        state[k] = 1
        stack.append((node, depth))
        for c in kids:
            if state.get(id(c)) == 1:
                raise YamlLimitError(f"line {c.start_mark.line + 1}: an alias refers to a "
                                     "value that contains itself (recursive alias).")
            if state.get(id(c)) != 2:
                stack.append((c, depth + 1))
    return size.get(id(root), 0)


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _Loader(BoundedLoader):
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
    except YamlLimitError as exc:
        raise exc.at(path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise DhkitError("YAML-001", f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}). "
                         "Fix the syntax at that line.") from None
