"""The layers hold: every import of prognos's own modules points the allowed way.

- `events` imports nothing else of prognos; `domain` imports only `events`;
- a store never imports the reports, and the reports never import a store: they read
  through `reports.source`;
- the demo may import the stores and the reports; nothing outside `cli` imports `cli`.

The imports are read from the source with `ast` (inside functions and TYPE_CHECKING
blocks too; relative imports resolved), so a new arrow the wrong way fails here.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("events", "domain", "projections", "cli")

# Each layer (a package prefix) and the prefixes it may import; the longest prefix wins.
ALLOWED = {
    "prognos.events": ("prognos.events",),
    "prognos.domain": ("prognos.domain", "prognos.events"),
    "prognos.projections.store": ("prognos.projections.store", "prognos.domain",
                                  "prognos.events"),
    "prognos.projections.reports": ("prognos.projections.reports", "prognos.domain",
                                    "prognos.events"),
    "prognos.projections.demo": ("prognos.projections", "prognos.domain", "prognos.events"),
    "prognos.projections": ("prognos.projections", "prognos.domain", "prognos.events"),
    "prognos.cli": ("prognos",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["prognos", *parts])


def imports_of(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every prognos import in a module's source, relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from prognos.projections import store` imports the module prognos.projections.store
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            found.append((node.lineno, target))
    return [(line, name) for line, name in found if name == "prognos" or name.startswith("prognos.")]


def _layer(module: str) -> str:
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")),
               key=len)


def wrong_arrows(module: str, source: str, is_package: bool = False) -> list[str]:
    allowed = ALLOWED[_layer(module)]
    return [
        f"{module}:{line} imports {name}"
        for line, name in imports_of(source, module, is_package)
        if not any(name == prefix or name.startswith(prefix + ".") for prefix in allowed)
        and _is_module_or_package(name)
    ]


def _is_module_or_package(name: str) -> bool:
    """`from x import y` names y, a module or a name in x: only modules and packages of
    prognos count (a name is checked by its module's own entry)."""
    parts = name.split(".")[1:]
    path = ROOT.joinpath(*parts) if parts else ROOT
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists() or not parts


def sources() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def test_every_import_of_prognos_follows_the_layers() -> None:
    wrong = []
    for path in sources():
        wrong += wrong_arrows(module_name(path), path.read_text(encoding="utf-8"),
                              path.name == "__init__.py")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("prognos.events.kinds", "from prognos.domain import money"),
        ("prognos.events.kinds", "from ..domain.money import to_ore"),
        ("prognos.domain.rules", "import prognos.projections.store.views"),
        ("prognos.domain.rules", "def f():\n    from prognos.cli import main\n"),
        ("prognos.projections.reports.report", "from ..store import views"),
        ("prognos.projections.reports.report", "from prognos.projections import store"),
        ("prognos.projections.store.views", "from prognos.projections.reports.rollup import Row"),
        ("prognos.projections.store.base",
         "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from prognos.cli import app\n"),
    ],
)
def test_an_arrow_the_wrong_way_is_found(module: str, source: str) -> None:
    assert wrong_arrows(module, source), f"{source!r} in {module} was let through"


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("prognos.domain.rules", "from ..events.errors import LedgerError"),
        ("prognos.projections.reports.figures", "from .source import Snapshot"),
        ("prognos.projections.store.views", "from prognos.domain.money import to_ore"),
        ("prognos.cli.main", "from prognos.projections.store import open_store"),
    ],
)
def test_an_arrow_the_right_way_is_let_through(module: str, source: str) -> None:
    assert not wrong_arrows(module, source)


def test_every_package_is_installed() -> None:
    """The wheel holds what pyproject.toml lists: a package left out would be missing from a
    plain install though the tests, run from the source tree, pass."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {module_name(p) for p in sources() if p.name == "__init__.py"}
    assert packages == listed


def test_every_package_says_what_it_holds_and_may_import() -> None:
    for path in sources():
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert "import" in doc and len(doc.splitlines()) >= 3, f"{path}: {doc!r}"
