"""YearMonth: the business period, a calendar month of a budget year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from prognos.events.errors import InvalidMonthError, MonthOutsideYearError

_PATTERN = re.compile(r"^\s*(\d{4})-(\d{2})\s*$", re.ASCII)


@total_ordering
@dataclass(frozen=True, slots=True)
class YearMonth:
    """A month such as 2024-05. Ordered, hashable, and written `YYYY-MM`."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidMonthError(f"month must be 01..12: {self.year}-{self.month:02d}")
        if not 1900 <= self.year <= 9999:
            raise InvalidMonthError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        m = _PATTERN.match(text or "")
        if m is None:
            raise InvalidMonthError(f"not a month (want YYYY-MM): {text!r}")
        return cls(int(m[1]), int(m[2]))

    @classmethod
    def first_of(cls, year: int) -> YearMonth:
        return cls(year, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, YearMonth):
            return NotImplemented
        return (self.year, self.month) < (other.year, other.month)

    @property
    def index(self) -> int:
        """Months since year 0: a single integer that orders like the month."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        return cls(index // 12, index % 12 + 1)

    def require_in(self, year: int, option: str) -> YearMonth:
        """Refuse a month that lies outside the budget year it is given with."""
        if self.year != year:
            raise MonthOutsideYearError(f"{option} {self} is not in year {year}")
        return self


def parse_year(text: str | int) -> int:
    try:
        year = int(text)
    except (TypeError, ValueError):
        raise InvalidMonthError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 9999:
        raise InvalidMonthError(f"year out of range: {year}")
    return year
