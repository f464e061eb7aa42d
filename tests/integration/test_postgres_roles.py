"""The least-privilege setup the README documents (issue 13), run as written: an owner
role makes the store and may rebuild it; a writer role may only read and append to the
log and its seals, and every other command works under it. Events record the role that
wrote them, and `history` shows it where it is not the user."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from backends import POSTGRES
from typer.testing import CliRunner

from prognos.cli.main import app

pytestmark = pytest.mark.postgres_only

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## PostgreSQL\n", 1)[1].split("\n## ", 1)[0]
AS_SUPERUSER, AS_OWNER = re.findall(r"```sql\n(.*?)```", SECTION, re.S)


@pytest.fixture
def roles() -> Iterator[dict[str, str]]:
    """The README's roles and schema under names of this test's own (roles are the
    server's, not the database's)."""
    tag = uuid.uuid4().hex[:8]
    names = {"prognos_owner": f"p_owner_{tag}", "prognos_writer": f"p_writer_{tag}",
             "ledger": f"ledger_{tag}"}
    admin = psycopg.connect(POSTGRES, autocommit=True)
    try:
        admin.execute(_named(AS_SUPERUSER, names))
        yield names
    finally:
        admin.execute(f'DROP SCHEMA IF EXISTS "{names["ledger"]}" CASCADE')
        for role in ("prognos_writer", "prognos_owner"):
            admin.execute(f'DROP OWNED BY "{names[role]}"')
            admin.execute(f'DROP ROLE "{names[role]}"')
        admin.close()


def _named(sql: str, names: dict[str, str]) -> str:
    for name, ours in names.items():
        sql = re.sub(rf"\b{name}\b", ours, sql)
    return sql


def _url(role: str, schema: str) -> str:
    return re.sub(r"//[^@/]+@", f"//{role}@", POSTGRES.split("?")[0]) + f"?schema={schema}"


def _run(store: str, *args: str, user: str = "karin") -> Any:
    return CliRunner().invoke(app, list(args), env={"PROGNOS_STORE": store, "PROGNOS_USER": user})


def test_every_command_but_rebuild_works_as_the_writer_and_the_log_cannot_be_changed(
    roles, tmp_path: Path
):
    owner = _url(roles["prognos_owner"], roles["ledger"])
    writer = _url(roles["prognos_writer"], roles["ledger"])
    assert _run(owner, "init").exit_code == 0
    with psycopg.connect(owner.split("?")[0], autocommit=True) as con:
        con.execute(_named(AS_OWNER, roles))
    csv = tmp_path / "mars.csv"
    csv.write_text("code;amount;ref\nskola;75;V2\n", encoding="utf-8")
    commands = [
        ("line", "add", "it", "--name", "IT"),
        ("line", "add", "it-sak", "--name", "Säk", "--parent", "it"),
        ("line", "add", "skola", "--name", "Skola"),
        ("budget", "set", "it-sak", "1000", "--year", "2024", "--reason", "r"),
        ("budget", "set", "skola", "1000", "--year", "2024", "--reason", "r"),
        ("budget", "transfer", "skola", "it-sak", "10", "--year", "2024", "--reason", "r"),
        ("forecast", "set", "skola", "900", "--year", "2024", "--as-of", "2024-02",
         "--reason", "r"),
        ("actual", "book", "skola", "50", "--period", "2024-02", "--request-id", "a-1"),
        ("actual", "book", "skola", "50", "--period", "2024-02", "--request-id", "a-1"),
        ("actual", "reverse", "#9", "--reason", "fel"),
        ("note", "add", "skola", "n", "--year", "2024", "--period", "2024-02"),
        ("import", "actual", str(csv), "--period", "2024-03"),
        ("period", "close", "2024-01"),
        ("report", "--year", "2024", "--as-of", "2024-03"),
        ("history", "skola"),
        ("why", "it", "--year", "2024", "--from", "2024-01", "--to", "2024-03"),
        ("check",),
        ("check", "--head-only"),
        ("export", "--year", "2024", "--as-of", "2024-03", "-o", str(tmp_path / "r.xlsx")),
        ("copy", "--to", str(tmp_path / "arkiv.db")),
    ]
    for args in commands:
        done = _run(writer, *args)
        assert done.exit_code == 0, (args, done.stdout, done.stderr)
    refused = _run(writer, "rebuild")  # the owner's
    assert refused.exit_code == 1 and "must be owner" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert _run(owner, "rebuild").exit_code == 0
    # Recorded by the writer role, told the user karin: history says both.
    shown = _run(writer, "history", "skola", "--json")
    assert shown.exit_code == 0, shown.stderr
    events = json.loads(shown.stdout)["events"]
    assert {e["db_role"] for e in events} == {roles["prognos_writer"]}
    assert f"karin (databasroll {roles['prognos_writer']})" in _run(
        writer, "history", "skola").stdout
    with psycopg.connect(writer.split("?")[0], autocommit=True) as con:
        con.execute(f'SET search_path = "{roles["ledger"]}"')
        for sql in ("UPDATE stored_events SET topic = topic", "DELETE FROM prognos_seals",
                    "TRUNCATE stored_events"):
            with pytest.raises(psycopg.Error, match="permission denied"):
                con.execute(sql)
    with psycopg.connect(owner.split("?")[0], autocommit=True) as con:  # and not the owner
        con.execute(f'SET search_path = "{roles["ledger"]}"')
        with pytest.raises(psycopg.Error, match="append-only"):
            con.execute("DELETE FROM stored_events")
