"""Validation reports that list every problem, not the first (frictionless style).

A :class:`Problem` names the file, row, field and a stable code; a
:class:`ValidationReport` gathers them, prints them as a table and writes them as CSV.

>>> r = ValidationReport()
>>> r.add("CFG-001", "missing setting 'country'", file="study.toml", line=1)
>>> r.ok, len(r)
(False, 1)
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterator

#: problem codes that are warnings: the rows they concern stay in the tables (IMP-022:
#: a repeat's entries against its ``repeat_count``); every other code quarantines or refuses
WARNING_CODES = ("IMP-022",)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str | None = None
    row: int | None = None
    line: int | None = None
    field: str | None = None
    value: str | None = None
    hint: str | None = None

    def location(self) -> str:
        parts = [p for p in (self.file,) if p]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"[{self.code}] {loc + ': ' if loc else ''}{self.message}"
        return f"{text}. {self.hint}" if self.hint else text


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, message: str, **where) -> None:
        self.problems.append(Problem(code, message, **where))

    def extend(self, other: "ValidationReport | list[Problem]") -> None:
        self.problems.extend(other.problems if isinstance(other, ValidationReport) else other)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def write_csv(self, path: str | Path) -> Path:
        from dhkit.safetext import csv_cell

        path = Path(path)
        names = [f.name for f in fields(Problem)]
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=names)
            w.writeheader()
            for p in self.problems:   # values quoted from the input: no formula injection
                w.writerow({k: csv_cell(v) for k, v in asdict(p).items()})
        return path

    def print(self, title: str = "Validation problems", limit: int = 200) -> None:
        """Print the problems as a table on stderr."""
        from rich.markup import escape
        from rich.table import Table

        from dhkit.console import err_console

        if self.ok:
            err_console.print(f"[green]{title}: none[/green]")
            return
        table = Table(title=f"{title}: {len(self)}", show_lines=False)
        for col in ("code", "file", "row", "field", "message"):
            table.add_column(col, overflow="fold")
        for p in self.problems[:limit]:
            row = p.row if p.row is not None else p.line
            msg = f"{p.message}. {p.hint}" if p.hint else p.message
            cells = (p.code, p.file or "", "" if row is None else str(row), p.field or "", msg)
            table.add_row(*(escape(c) for c in cells))  # "[design]", "[1]" are text, not markup
        err_console.print(table)
        if len(self) > limit:
            err_console.print(f"... and {len(self) - limit} more (see the CSV report)")
