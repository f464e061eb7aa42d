"""The one source of recording time: tz-aware UTC from the system clock."""

from datetime import datetime, timedelta, timezone

TICK = timedelta(microseconds=1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def next_recorded_at(now: datetime, last: datetime | None) -> datetime:
    """Recording times never go backwards, even if the system clock does.

    Each command gets a time strictly after the previous command's, so "as known
    at T" always cuts the log between whole commands.
    """
    if last is not None and now <= last:
        return last + TICK
    return now


def format_instant(instant: datetime) -> str:
    """Fixed-width ISO 8601 UTC text that sorts like the instant.

    Always with microseconds and `+00:00`, e.g. `2024-05-31T12:00:00.000000+00:00`,
    so it can be given back as `--known-at` and compared as text in SQL.
    """
    return instant.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_instant(text: str) -> datetime:
    """Read an ISO 8601 timestamp that carries its UTC offset (or Z)."""
    from prognos.events.errors import InvalidTimestampError

    raw = (text or "").strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidTimestampError(f"not an ISO 8601 timestamp: {text!r}") from None
    if instant.tzinfo is None:
        raise InvalidTimestampError(f"timestamp needs a UTC offset (e.g. +02:00 or Z): {text!r}")
    try:
        return instant.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidTimestampError(f"timestamp out of range: {text!r}") from None
