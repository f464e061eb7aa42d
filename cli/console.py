"""The rich console every human-readable output goes through."""

from __future__ import annotations

import os
from typing import Any

WIDE = 200


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    out = Console(stderr=stderr)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        # A file or a pipe has no width: lay tables out wide rather than cut figures.
        out.width = WIDE
    return out
