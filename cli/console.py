"""The rich console every human-readable output goes through."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

WIDE = 200


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    out = Console(stderr=stderr)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        # A file or a pipe has no width: lay tables out wide rather than cut figures.
        out.width = WIDE
    return out


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while a long command runs (none when stderr is not a
    terminal); yields the function that advances it."""
    from rich.progress import Progress

    out = console(stderr=True)
    with Progress(console=out, transient=True, disable=not out.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.advance(task, done)
