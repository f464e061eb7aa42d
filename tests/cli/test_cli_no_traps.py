"""No traps for a new user (issue 11): a read never creates a store, a negative amount is
typed as it is written, an event is named by its position (#N), and `--version` answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import POSTGRES, is_postgres, postgres_schemas, table_names

Y = ("--year", "2024")

READS = [
    ("report", *Y, "--as-of", "2024-05"),
    ("report", *Y, "--as-of", "2024-05", "--json"),
    ("history", "it"),
    ("why", "it", *Y, "--from", "2024-01", "--to", "2024-05"),
    ("check",),
    ("check", "--json"),
    ("note", "list", *Y),
    ("source", "0" * 64),
    ("rebuild",),
    ("export", *Y, "--as-of", "2024-05", "-o", "never-written.xlsx"),
    ("chart", "it", *Y, "-o", "never-written.svg"),
    ("html", *Y, "--as-of", "2024-05", "-o", "never-written.html"),
]


@pytest.fixture
def missing(cli: Any, backend: str, tmp_path: Path) -> Iterator[Any]:
    """A store that does not exist: a file never made, or a schema never made."""
    if backend == "sqlite":
        yield type(cli)(tmp_path / "never.db")
        return
    schema = f"t_never_{uuid.uuid4().hex[:12]}"
    yield type(cli)(f"{POSTGRES.split('?')[0]}?schema={schema}")
    postgres_schemas().connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_a_read_never_creates_a_store_and_says_how_to_make_one(missing: Any, args: tuple) -> None:
    result = missing(*args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "no store at" in line and "init" in line, line
    if is_postgres(missing.store_path):
        assert table_names(missing.store_path) == []
    else:
        assert not os.path.exists(missing.store_path)


def test_init_and_a_write_create_the_store(cli: Any) -> None:
    assert cli("init").exit_code == 0
    assert cli("report", *Y, "--as-of", "2024-05", "--json").exit_code == 0


def test_a_write_creates_the_store_it_names(missing: Any) -> None:
    assert missing("line", "add", "it", "--name", "IT").exit_code == 0
    assert missing("history", "it", "--json").exit_code == 0


# -- negative amounts as typed --------------------------------------------------------

@pytest.mark.parametrize("amount", ["-1500", "-1 500", "−1 500,00", "-1,5 tkr"])
def test_a_negative_amount_is_typed_as_it_is_written(tree: None, write: Any, amount: str) -> None:
    [event] = write("actual", "book", "it-sak", amount, "--period", "2024-03")
    assert event["kind"] == "actual_booked"


def test_a_negative_amount_after_the_options_and_after_a_double_dash_still_work(
    tree: None, cli: Any
) -> None:
    for args in (("actual", "book", "it-sak", "--period", "2024-03", "-1500"),
                 ("actual", "book", "it-sak", "--period", "2024-03", "--", "-1500"),
                 ("budget", "set", "it-sak", "-200", *Y, "--reason", "Återbetalning"),
                 ("forecast", "set", "it-sak", "-3", *Y, "--as-of", "2024-03", "--reason", "r")):
        result = cli(*args, "--json") if "--" not in args else cli(*args)
        assert result.exit_code == 0, (args, result.stderr)


def test_a_misspelt_option_is_still_a_usage_error(tree: None, usage_error: Any) -> None:
    usage_error("actual", "book", "it-sak", "-1500", "--perio", "2024-03")
    usage_error("actual", "book", "it-sak", "-x", "--period", "2024-03")


# -- events named by their position ---------------------------------------------------

def test_a_booking_is_reversed_by_its_position(tree: None, write: Any, cli: Any) -> None:
    [booking] = write("actual", "book", "it-sak", "500", "--period", "2024-03")
    [reversal] = write("actual", "reverse", f"#{booking['position']}", "--reason", "Fel konto")
    assert reversal["kind"] == "actual_reversed"
    history = cli.json("history", "it-sak")["events"]
    [reversed_entry] = [e for e in history if e["position"] == booking["position"]]
    assert reversed_entry["reversed_by"] == reversal["event_id"]


@pytest.mark.parametrize(
    ("reference", "names"),
    [("#999", ["#999"]), ("#0", ["#0"]), ("#x", ["#x"]), ("#", ["#"])],
)
def test_an_unknown_position_is_refused_as_an_unknown_id_is(
    refused: Any, reference: str, names: list[str]
) -> None:
    refused("actual", "reverse", reference, "--reason", "r", names=names)


def test_a_position_that_is_not_a_booking_is_refused(tree: None, write: Any, refused: Any) -> None:
    [budget] = write("budget", "set", "it-sak", "100", *Y, "--reason", "r")
    refused("actual", "reverse", f"#{budget['position']}", "--reason", "r",
            names=[f"#{budget['position']}", "not an actual booking"])
    [booking] = write("actual", "book", "it-sak", "500", "--period", "2024-03")
    [reversal] = write("actual", "reverse", f"#{booking['position']}", "--reason", "r")
    refused("actual", "reverse", f"#{reversal['position']}", "--reason", "r",
            names=["is a reversal"])
    refused("actual", "reverse", f"#{booking['position']}", "--reason", "r",
            names=["already reversed"])


# -- --version -----------------------------------------------------------------------

def test_version_prints_the_installed_version(cli: Any) -> None:
    from importlib.metadata import version

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"prognos {version('prognos')}"
