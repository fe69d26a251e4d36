"""Rich consoles: messages and progress on stderr, results on stdout (DESIGN.md CLI rules)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

err_console = Console(stderr=True)
out_console = Console()


@contextmanager
def progress(transient: bool = False) -> Iterator[Progress]:
    """A progress bar on stderr for work longer than a second.

    >>> with progress() as p:
    ...     task = p.add_task("work", total=2)
    ...     p.advance(task); p.advance(task)
    """
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=transient,
    ) as bar:
        try:
            yield bar
        except BaseException:
            bar.live.transient = True  # an error stays one line: the unfinished bar goes
            raise
