"""YAML in and out with line numbers, and schema checks that name the line.

Why not plain ``yaml.safe_load``: validation must say *where* a problem is (file and
line), so mappings are loaded as :class:`LDict`, a dict that remembers the line of
itself and of each key. Schemas are JSON Schema, checked with ``jsonschema`` (installed
with Altair, which dhkit already depends on) so we do not write a schema engine; this
module only maps each error's path back to a line.

>>> d = loads("a: 1\\nb:\\n  c: 2\\n")
>>> d.line, d.key_line("b"), d["b"].line
(1, 2, 3)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from dhkit.errors import DhkitError
from dhkit.yamlio import BoundedLoader, YamlLimitError, construct_mapping
from dhkit.yamlio import LineDict as LDict  # noqa: F401 (re-exported)
from dhkit.validation import ValidationReport


class _Loader(BoundedLoader):   # refuses alias bombs (YAML-002)
    pass


# mappings remember their lines: the loader is shared with dhkit.yamlio
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


def loads(text: str, file: str = "<string>") -> Any:
    """Parse YAML text; a syntax error becomes LEG-001 with the line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except YamlLimitError as exc:
        raise exc.at(file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DhkitError("LEG-001", f"{file}{where}: not valid YAML ({problem}); fix the "
                         "indentation or quoting there.") from None


def load(path: str | Path) -> Any:
    """Read and parse a YAML file (LEG-001 if missing or malformed)."""
    path = Path(path)
    if not path.is_file():
        raise DhkitError("LEG-001", f"{path}: file not found; check the path.")
    return loads(path.read_text(encoding="utf-8"), file=str(path))


def line_of(doc: Any, path: Iterable) -> int | None:
    """The line of the deepest mapping or key reached by ``path`` in ``doc``."""
    line = getattr(doc, "line", None)
    node = doc
    for step in path:
        if isinstance(node, LDict) and step in node:
            line = node.key_line(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
            line = getattr(node, "line", line)
        else:
            break
        line = getattr(node, "line", line) if isinstance(node, LDict) else line
    return line


def check_schema(doc: Any, schema: dict, file: str, report: ValidationReport,
                 code: str) -> None:
    """Add one problem per JSON Schema violation, each with the line it is on."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema, format_checker=None)
    for err in sorted(validator.iter_errors(_plain(doc)), key=lambda e: list(e.absolute_path)):
        path = list(err.absolute_path)
        field = ".".join(str(p) for p in path) or None
        report.add(code, _say(err), file=file, line=line_of(doc, path), field=field,
                   hint="Fix the value to match the format described in docs/legal.md")


def _say(err) -> str:
    if err.validator == "required":
        return err.message.replace("is a required property", "is missing")
    if err.validator == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown field")
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    return err.message


def _plain(obj: Any) -> Any:
    """Dates to ISO strings and LDicts to dicts, for JSON Schema."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    return obj


class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper: yaml.SafeDumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_rep)
_Dumper.add_representer(LDict, _Dumper.represent_dict)


def dumps(doc: Any, header: str = "") -> str:
    """YAML text with keys in the given order, Unicode kept, stable for diffs."""
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return (header + body) if header else body
