"""A file written whole or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def written_whole(out: Path) -> Iterator[Path]:
    """The path to write `out` through: a hidden file beside it, moved into place when the
    block ends and removed if it fails, so that a failed command leaves no half file."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        yield partial
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
