"""Integration tests run on real SQLite files on disk (the shared `cli` fixture's tmp_path)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="module")
def _build_the_click_command_once() -> Iterator[None]:
    """Typer rebuilds the click command from the app on every in-process `invoke`; the app
    never changes, so build it once per module (the console-script tests are unaffected)."""
    import typer.testing

    from prognos.cli.main import app

    original = getattr(typer.testing, "_get_command", None)
    if original is None:  # a typer without this seam: run uncached
        yield
        return
    command = original(app)

    def cached(candidate: object) -> object:
        return command if candidate is app else original(candidate)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", cached)
        yield
