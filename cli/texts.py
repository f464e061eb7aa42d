"""What a person reads, in Swedish (the default) and in English (`--lang en`,
`PROGNOS_LANG=en`): labels, titles, messages, the names of the kinds of event, and
amounts in each language's notation.

JSON never goes through here: its keys are English and its amounts decimal strings in
kronor, whatever the language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from prognos.domain.money import MINUS, Unit, format_display
from prognos.events import kinds

Lang = Literal["sv", "en"]

# Every text, as (Swedish, English). `{name}` fields are filled by `Texts.__call__`.
CATALOGUE: dict[str, tuple[str, str]] = {
    # report
    "report.title": ("Budgetuppföljning {year} per {as_of}{known}, {unit}",
                     "{year} as of {as_of}{known} ({unit})"),
    "report.known": (", så som den var känd {at}", ", as known at {at}"),
    "report.sign.own": ("avvikelse = prognos − budget", "deviation = forecast − budget"),
    "report.sign.published": ("avvikelse = budget − prognos", "deviation = budget − forecast"),
    "report.line": ("Rad", "Line"),
    "report.budget": ("Budget", "Budget"),
    "report.forecast": ("Prognos", "Forecast"),
    "report.deviation": ("Avvikelse", "Dev."),
    "report.budget_ytd": ("Budget\nt.o.m.", "Budget YTD"),
    "report.actual_ytd": ("Utfall\nt.o.m.", "Actual YTD"),
    "report.deviation_ytd": ("Avvikelse\nt.o.m.", "Dev. YTD"),
    "report.revised": ("Rev.", "Rev."),
    "report.total": ("Totalt", "Total"),
    "report.legend": ("* prognosen reviderad · [n] kommentar nedan · tom cell: inget utfall bokfört",
                      "* forecast revised · [n] note below · empty cell: no actual booked"),
    "notes.title": ("Kommentarer", "Notes"),
    "notes.entry": ("[{n}] {line}, {period}: {text} ({user}, #{position})",
                    "[{n}] {line}, {period}: {text} ({user}, #{position})"),
    # history
    "history.title": ("Historik för {code}", "History of {code}"),
    "history.position": ("#", "Pos"),
    "history.recorded_at": ("Registrerad", "Recorded at"),
    "history.user": ("Användare", "User"),
    "history.kind": ("Händelse", "Kind"),
    "history.line": ("Rad", "Line"),
    "history.month": ("Månad", "Month"),
    "history.amount": ("Belopp, kr", "Amount"),
    "history.ref": ("Ref.", "Ref"),
    "history.reason": ("Orsak / text", "Reason / text"),
    "history.reversed_by": ("återförd av {ref}", "reversed by {ref}"),
    "history.reverses": ("återför {ref}", "reverses {ref}"),
    # why
    "why.title": ("Prognosen för {code} {year}: {from_month} → {to_month} "
                  "({before} → {after} kr, förändring {change} kr)",
                  "Forecast of {code} {year}: {from_month} -> {to_month} "
                  "({before} -> {after}, change {change} kr)"),
    "why.month": ("Månad", "Month"),
    "why.line": ("Rad", "Line"),
    "why.kind": ("Händelse", "Kind"),
    "why.before": ("Före", "Before"),
    "why.delta": ("Förändring", "Delta"),
    "why.after": ("Efter", "After"),
    "why.user": ("Användare", "User"),
    "why.recorded_at": ("Registrerad", "Recorded at"),
    "why.reason": ("Orsak", "Reason"),
    # note list
    "notes.list.title": ("Kommentarer {year}{period}{code}", "Notes {year}{period}{code}"),
    "notes.month": ("Månad", "Month"),
    "notes.line": ("Rad", "Line"),
    "notes.text": ("Kommentar", "Note"),
    "notes.user": ("Användare", "User"),
    "notes.recorded_at": ("Registrerad", "Recorded at"),
    # the write commands, and the rest
    "recorded": ("{what} (#{position})", "recorded {kind}{where} at position "
                 "{position} (event {event_id})"),
    "init": ("liggaren {store} är klar, {events} händelser", "store {store} ready, {events} events"),
    "rebuilt": ("vyerna byggda på nytt av {count} händelser",
                "rebuilt the views from {count} events"),
    "rebuilding": ("bygger vyerna på nytt", "rebuilding views"),
    "imported": ("importerade {name}: {rows} rader, {events} händelser på #{first}–#{last} "
                 "(sha256 {sha256})",
                 "imported {name}: {rows} rows, {events} events at positions {first}-{last} "
                 "(sha256 {sha256})"),
    "imported.already": ("{name} (sha256 {sha256}) är redan importerad: inget tillagt",
                         "{name} (sha256 {sha256}) was already imported: nothing added"),
    "imported.skipped": ("{skipped} rader med beloppet noll bokförde inget",
                         "{skipped} rows with a zero amount booked nothing"),
    "importing": ("importerar {name}", "importing {name}"),
    "check.ok": ("ok ", "ok  "),
    "check.fail": ("FEL", "FAIL"),
}

# What a person calls each kind of event (`tests/unit/test_texts.py`: every kind has both).
KIND_NAMES: dict[str, tuple[str, str]] = {
    kinds.LineAdded.kind: ("ny rad", kinds.LineAdded.kind),
    kinds.BudgetSet.kind: ("budget", kinds.BudgetSet.kind),
    kinds.BudgetTransferred.kind: ("överföring", kinds.BudgetTransferred.kind),
    kinds.ForecastRevised.kind: ("prognos", kinds.ForecastRevised.kind),
    kinds.ActualBooked.kind: ("utfall", kinds.ActualBooked.kind),
    kinds.ActualReversed.kind: ("återföring", kinds.ActualReversed.kind),
    kinds.NoteAdded.kind: ("kommentar", kinds.NoteAdded.kind),
    kinds.PeriodClosed.kind: ("stängning", kinds.PeriodClosed.kind),
    kinds.SourceImported.kind: ("import", kinds.SourceImported.kind),
}


class Texts:
    """The texts of one language."""

    def __init__(self, lang: Lang):
        self.lang = lang
        self._index = 0 if lang == "sv" else 1

    @property
    def swedish(self) -> bool:
        return self.lang == "sv"

    def __call__(self, key: str, **values: object) -> str:
        return CATALOGUE[key][self._index].format(**values)

    def kind(self, kind: str) -> str:
        names = KIND_NAMES.get(kind)
        return kind if names is None else names[self._index]

    def amount(self, value: Decimal, unit: Unit = "kr", decimals: int | None = None) -> str:
        """An amount rounded for a table, in the language's notation (Swedish: `−6,5`)."""
        return format_display(value, unit, decimals, minus=MINUS if self.swedish else "-")

    def kronor(self, value: Decimal) -> str:
        """An amount to the öre, as a write command says what it recorded."""
        return f"{self.amount(value, 'kr', decimals=2)} kr"


def texts(lang: str) -> Texts:
    return Texts("en" if lang == "en" else "sv")
