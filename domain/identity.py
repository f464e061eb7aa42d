"""Who is at the keyboard: the login name, for a command that names no user."""

from __future__ import annotations

import getpass


def login_name(fallback: str) -> str:
    """The operating system's name for the user, or `fallback` where it has none (some
    containers run as a user id without a name)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError, KeyError or ImportError by platform
        return fallback
