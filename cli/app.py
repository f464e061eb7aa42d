"""The `prognos` command group and its error boundary.

Every user mistake leaves here as one line on stderr: refusals exit 1, unreadable
input and usage errors exit 2. Heavy modules are imported inside the commands
so that `prognos --help` starts fast.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup


class PrognosGroup(TyperGroup):
    def main(  # type: ignore[override]  # every option but these two is typer's own
        self, args: Any = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        from prognos.events.errors import LedgerError

        extra["standalone_mode"] = False
        try:
            result = super().main(args=args, prog_name=prog_name or "prognos", **extra)
        except LedgerError as e:
            _fail(str(e), e.exit_code)
        except (typer.Abort, EOFError, KeyboardInterrupt):
            _fail("aborted", 1)
        except UnicodeEncodeError:
            # Text typed in a terminal with another encoding reached a store or a file
            # name: Python keeps its bytes as lone surrogates, which neither can hold.
            # (The argument is not repeated: it may be part of a store URL's password.)
            _fail("an argument is not valid UTF-8 text (check the terminal's encoding)", 2)
        except Exception as e:
            if _is_storage_error(e):
                # A locked or damaged store is not a bug in prognos: say so in one line.
                _fail(f"store error: {e}", 1)
            if type(e).__name__ == "NoArgsIsHelpError":
                # A group called without a command: its help, as written, not squeezed.
                typer.echo(e.format_message(), err=True)  # type: ignore[attr-defined]
                sys.exit(2)
            # Typer's usage errors (its own click, vendored or not) carry their
            # exit code (2 for usage) and message; anything else is a bug and
            # keeps its traceback.
            if not (hasattr(e, "format_message") and hasattr(e, "exit_code")):
                raise
            _fail(e.format_message(), e.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


def _is_storage_error(error: Exception) -> bool:
    import sqlite3

    from eventsourcing.persistence import PersistenceError

    kinds: tuple[type[BaseException], ...] = (sqlite3.Error, PersistenceError)
    psycopg = sys.modules.get("psycopg")  # only where a PostgreSQL store was opened
    if psycopg is not None:
        kinds += (psycopg.Error,)
    return isinstance(error, kinds)


def _fail(message: str, code: int) -> None:
    first = " ".join(message.split())  # one line, whatever the message held
    typer.echo(f"prognos: error: {first}", err=True)
    sys.exit(code)


def new_app(help_text: str | None = None) -> typer.Typer:
    return typer.Typer(
        cls=PrognosGroup,
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


def sub_app(help_text: str) -> typer.Typer:
    return typer.Typer(
        help=help_text, no_args_is_help=True, add_completion=False, rich_markup_mode=None
    )
