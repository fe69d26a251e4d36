"""Problems grouped for the terminal: one line per (code, file, field) with a count and the
first rows, so a file with thousands of identical problems stays readable. The ``--report``
CSV keeps every row (:meth:`ImportResult.write_report`).

>>> from dhkit.validation import Problem
>>> ps = [Problem("IMP-005", '"x" is not a choice', file="a.csv", row=r, field="q")
...       for r in (2, 3, 9, 12)]
>>> g = group_problems(ps)[0]
>>> (g.code, g.count, g.first_rows)
('IMP-005', 4, [2, 3, 9])
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dhkit.validation import Problem

#: how many row numbers each group shows
FIRST_ROWS = 3


@dataclass
class ProblemGroup:
    code: str
    file: str
    field: str
    message: str              # the first row's message
    hint: str | None
    count: int = 0
    first_rows: list[int] = field(default_factory=list)


def group_problems(problems: list[Problem]) -> list[ProblemGroup]:
    """Group by code, file and field, in order of first appearance."""
    groups: dict[tuple[str, str, str], ProblemGroup] = {}
    for p in problems:
        k = (p.code, p.file or "", p.field or "")
        g = groups.get(k)
        if g is None:
            g = groups[k] = ProblemGroup(p.code, p.file or "", p.field or "", p.message, p.hint)
        g.count += 1
        row = p.row if p.row is not None else p.line
        if row is not None and len(g.first_rows) < FIRST_ROWS:
            g.first_rows.append(row)
    return list(groups.values())


def print_grouped(problems: list[Problem], title: str = "Validation problems",
                  limit: int = 60, style: str | None = None) -> None:
    """Print the grouped problems as one table on stderr (values never shown); ``style``
    colours the title (``yellow`` for warnings that keep the data)."""
    from rich.markup import escape
    from rich.table import Table

    from dhkit.console import err_console

    if not problems:
        err_console.print(f"[green]{title}: none[/green]")
        return
    groups = group_problems(problems)
    rows_hit = len({(p.file, p.row) for p in problems if p.row is not None})
    table = Table(title=f"{title}: {len(problems):,} in {rows_hit:,} rows, "
                  f"{len(groups)} kinds", show_lines=False, title_style=style)
    for col in ("code", "file", "field", "rows", "first rows", "problem (first row)"):
        table.add_column(col, overflow="fold", justify="right" if col == "rows" else "left")
    for g in groups[:limit]:
        more = ", ..." if g.count > len(g.first_rows) and g.first_rows else ""
        msg = f"{g.message}. {g.hint}" if g.hint else g.message
        table.add_row(*(escape(c) for c in (
            g.code, g.file, g.field, f"{g.count:,}",
            ", ".join(str(r) for r in g.first_rows) + more, msg)))
    err_console.print(table)
    if len(groups) > limit:
        err_console.print(f"... and {len(groups) - limit} more kinds (see the --report CSV)")
