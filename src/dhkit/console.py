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


def unwrap_doc(doc: str) -> str:
    r"""A command's docstring as ``--help`` should print it: the source's line breaks inside
    a paragraph undone (Typer's rich help keeps them, so a docstring wrapped at 100 columns
    broke mid-sentence on the terminal); blank lines and indented (example) paragraphs kept.

    >>> unwrap_doc("One\n    two.\n\n        dhkit x \\\n            --y\n\n    Three.")
    'One two.\n\n    dhkit x \\\n        --y\n\nThree.'
    """
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(p if p[:1].isspace() else " ".join(line.strip() for line in
                                                           p.splitlines())
                       for p in paragraphs)


def unwrap_all_help(app) -> None:
    """Give every command of a Typer ``app`` (and of its groups) its docstring unwrapped
    (:func:`unwrap_doc`), unless the command sets its own ``help``."""
    for info in app.registered_commands:
        if info.help is None and info.callback is not None and info.callback.__doc__:
            info.help = unwrap_doc(info.callback.__doc__)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            unwrap_all_help(group.typer_instance)
