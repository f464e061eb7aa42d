"""What a person reads, in Swedish (the default) and in English (`--lang en`,
`PROGNOS_LANG=en`): labels, titles, messages, the names of the kinds of event, and
amounts in each language's notation.

JSON never goes through here: its keys are English and its amounts decimal strings in
kronor, whatever the language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from prognos.domain.money import MINUS, Unit, format_display, format_figure
from prognos.events import kinds

if TYPE_CHECKING:
    from prognos.domain.state import Check

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
    "report.budget_ytd": ("Budget t.o.m.", "Budget YTD"),
    "report.actual_ytd": ("Utfall t.o.m.", "Actual YTD"),
    "report.deviation_ytd": ("Avvikelse t.o.m.", "Dev. YTD"),
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
    "history.role": ("databasroll", "database role"),
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
    # a reconciliation (demo, reconcile)
    "findings.title": ("{causes} fel i de publicerade siffrorna: {discrepancies} siffror "
                       "stämmer inte, {consequences} av dem bara som följd av ett annat fel; "
                       "{rounding} skiljer sig bara genom avrundning",
                       "{causes} errors in the published figures: {discrepancies} figures "
                       "do not add up, {consequences} of them only because another is "
                       "wrong; {rounding} differ only by rounding"),
    "findings.none": ("Inga fel i de publicerade siffrorna: {rounding} skiljer sig bara "
                      "genom avrundning",
                      "No errors in the published figures: {rounding} differ only by "
                      "rounding"),
    "findings.reading": ("Störst först, i kronor. Skillnad = tryckt − beräknat.",
                         "Largest first, in kronor. Difference = printed − computed."),
    "findings.figure": ("Tabell {table}, {row}, {column}: tryckt {printed}",
                        "Table {table}, {row}, {column}: printed {printed}"),
    "findings.gives": ("{what} ger {computed} (skillnad {difference})",
                       "from {what}: {computed} (difference {difference})"),
    "findings.and": (" och ", " and "),
    "findings.consequences": ("Följer av felet:", "Follows from it:"),
    "rule.total": ("summan av tabellens tryckta rader", "the sum of its printed rows"),
    "rule.total_of_totals": ("summan av de tryckta delsummorna",
                             "the sum of its printed subtotals"),
    "rule.row_deviation": ("{plus} − {minus}", "{plus} − {minus}"),
    "rule.periodisation": ("{months}/12 av {annual}", "{months}/12 of {annual}"),
    "rule.cross_table": ("tabell {fine}:s rader", "the rows of table {fine}"),
    "cause.total_not_sum_of_rows": ("Trolig orsak: en tryckt summa som inte är summan av "
                                    "sina tryckta rader.",
                                    "Likely cause: a printed total that is not the sum of "
                                    "its printed rows."),
    "cause.sign_lost": ("Trolig orsak: tecknet har fallit bort (rätt belopp, fel tecken).",
                        "Likely cause: a lost sign (the right amount, the wrong sign)."),
    "cause.deviation_not_from_its_columns": ("Trolig orsak: avvikelsen följer inte av "
                                             "radens egna kolumner.",
                                             "Likely cause: the deviation does not follow "
                                             "from its own columns."),
    "cause.not_the_annual_share": ("Trolig orsak: beloppet till och med perioden är inte "
                                   "årsbeloppets andel.",
                                   "Likely cause: the amount to date is not the annual "
                                   "amount's share."),
    "cause.not_as_the_finer_table": ("Orsaken syns inte i siffrorna: raden stämmer inte med "
                                     "den finare tabellen.",
                                     "The figures do not show the cause: the row does not "
                                     "follow from the finer table."),
    "rounding.title": ("Avrundning ({count}): tryckt och beräknat skiljer sig inom den "
                       "tryckta precisionen",
                       "Rounding ({count}): printed and computed differ within the printed "
                       "precision"),
    "rounding.hint": ("De {count} avrundningarna listas av --json (rounding).",
                      "The {count} rounding differences are listed by --json (rounding)."),
    "rounding.table": ("Tabell", "Table"),
    "rounding.row": ("Rad", "Row"),
    "rounding.column": ("Kolumn", "Column"),
    "rounding.printed": ("Tryckt", "Printed"),
    "rounding.computed": ("Beräknat", "Computed"),
    "rounding.difference": ("Skillnad", "Difference"),
    # the printed tables' columns, as the reconcile spec names them
    "column.budget": ("budget", "budget"),
    "column.forecast": ("prognos", "forecast"),
    "column.forecast_deviation": ("avvikelse prognos", "forecast deviation"),
    "column.budget_ytd": ("budget t.o.m.", "budget YTD"),
    "column.actual_ytd": ("utfall t.o.m.", "actual YTD"),
    "column.actual_deviation": ("avvikelse t.o.m.", "deviation YTD"),
    # the demo
    "demo.intro": ("prognos demo: delårsrapporten augusti 2024 som en liggare med {events} "
                   "händelser i {store} ({notes} skriftliga förklaringar som kommentarer).",
                   "prognos demo: the interim report of August 2024 as a ledger of {events} "
                   "events in {store} ({notes} written explanations as notes)."),
    "demo.tables": ("Tabellerna återskapade ur liggaren, i rapportens egna enheter och "
                    "teckenkonventioner:",
                    "The tables reproduced from the ledger, in the report's own units and "
                    "sign conventions:"),
    "demo.table": ("{title}, {unit}, per {as_of} · {signs}", "{title}, {unit}, as of {as_of} · "
                   "{signs}"),
    "demo.next": ("Prova sedan:", "Try next:"),
    # export: the workbook's sheets and columns, and what was written
    "export.code": ("Kod", "Code"),
    "export.name": ("Namn", "Name"),
    "export.parent": ("Överordnad", "Parent"),
    "export.sheet.report": ("Rapport", "Report"),
    "export.sheet.history": ("Historik", "History"),
    "export.sheet.notes": ("Kommentarer", "Notes"),
    "export.sheet.about": ("Om exporten", "About"),
    "export.position": ("Position", "Position"),
    "export.recorded_at": ("Registrerad (UTC)", "Recorded at (UTC)"),
    "export.user": ("Användare", "User"),
    "export.kind": ("Händelse", "Kind"),
    "export.line": ("Rad", "Line"),
    "export.month": ("Månad", "Month"),
    "export.amount": ("Belopp, kr", "Amount, kr"),
    "export.ref": ("Referens", "Reference"),
    "export.reason": ("Orsak / text", "Reason / text"),
    "export.corrects": ("Rättar händelse", "Corrects event"),
    "export.event_id": ("Händelse-id", "Event id"),
    "export.note": ("Kommentar", "Note"),
    "export.what": ("Uppgift", "Item"),
    "export.value": ("Värde", "Value"),
    "export.year": ("År", "Year"),
    "export.as_of": ("Per månad", "As of"),
    "export.known_at": ("Liggaren så som den var känd", "The ledger as known at"),
    "export.known_now": ("när exporten gjordes", "the time of export"),
    "export.store": ("Liggare", "Ledger"),
    "export.head_seal": ("Huvud (sigill@position)", "Head (seal@position)"),
    "export.head_position": ("Huvudsigillets position", "Head seal's position"),
    "export.no_seal": ("inget sigill", "no seal"),
    "export.version": ("prognos-version", "prognos version"),
    "export.exported_at": ("Exporterad (UTC)", "Exported at (UTC)"),
    "export.unit": ("Enhet", "Unit"),
    "export.sign": ("Avvikelse", "Deviation"),
    "export.lines": ("Rader", "Lines"),
    "export.events": ("Händelser i historiken", "Events in the history"),
    "exported": ("exporterade {year} per {as_of} till {path} ({lines} rader)",
                 "exported {year} as of {as_of} to {path} ({lines} lines)"),
    "exporting": ("exporterar", "exporting"),
    # charts
    "chart.title": ("Prognos för helåret {year}: {name} ({code})",
                    "Full-year forecast {year}: {name} ({code})"),
    "chart.budget": ("Budget", "Budget"),
    "chart.forecast": ("Prognos för helåret", "Full-year forecast"),
    "chart.actual": ("Utfall t.o.m.", "Actual to date"),
    "chart.step": ("Ändring av prognosen (orsak vid hovring)", "Change of forecast (reason on hover)"),
    "chart.bridge.title": ("Prognosbrygga för {code} {year}: {from_month} → {to_month}",
                           "Forecast bridge of {code} {year}: {from_month} → {to_month}"),
    "chart.bridge.from": ("Prognos per {month}", "Forecast as of {month}"),
    "chart.bridge.to": ("Prognos per {month}", "Forecast as of {month}"),
    "charted": ("skrev diagrammet till {path}", "wrote the chart to {path}"),
    # the HTML audit report
    "html.skip": ("Hoppa till rapporten", "Skip to the report"),
    "html.unit": ("belopp i", "amounts in"),
    "html.contents": ("Innehåll", "Contents"),
    "html.report": ("Rapport", "Report"),
    "html.notes": ("Kommentarer", "Notes"),
    "html.charts": ("Diagram", "Charts"),
    "html.check": ("Kontroll av liggaren", "Check of the ledger"),
    "html.made": ("Underlag", "Made from"),
    "html.made_at": ("Skapad", "Made at"),
    "html.expand_all": ("Expandera allt", "Expand all"),
    "html.collapse_all": ("Fäll ihop allt", "Collapse all"),
    "html.hint": ("Klicka på en summarad (eller välj den och tryck Enter) för att visa raderna "
                  "under den; ≡ visar radens prognosbrygga, historik och kommentarer.",
                  "Click a roll-up (or focus it and press Enter) to show the lines below it; "
                  "≡ shows a line's forecast bridge, history and notes."),
    "html.legend": ("* prognosen reviderad · tom cell: inget utfall bokfört",
                    "* forecast revised · empty cell: no actual booked"),
    "html.details_of": ("Prognosbrygga, historik och kommentarer för {name}",
                        "Forecast bridge, history and notes of {name}"),
    "html.check_ok": ("Alla kontroller godkända.", "Every check passed."),
    "html.check_fail": ("En eller flera kontroller misslyckades.", "One or more checks failed."),
    "html.result": ("Resultat", "Result"),
    "html.check_name": ("Kontroll", "Check"),
    "html.found": ("Vad som hittades", "What was found"),
    "html.bridge": ("Prognosbrygga", "Forecast bridge"),
    "html.history": ("Historik", "History"),
    "html.no_history": ("Inga händelser under året.", "No events in the year."),
    "html.no_steps": ("Prognosen har inte ändrats under året.",
                      "The forecast has not changed in the year."),
    "html.no_notes": ("Inga kommentarer.", "No notes."),
    "html.show_all": ("Visa alla", "Show all"),
    "html.change_total": ("Förändring totalt", "Total change"),
    "html.opening": ("Prognos i januari", "Forecast in January"),
    "html.closing": ("prognos per", "forecast as of"),
    "html.position": ("#", "#"),
    "html.recorded_at": ("Registrerad (UTC)", "Recorded (UTC)"),
    "html.user": ("Användare", "User"),
    "html.kind": ("Händelse", "Kind"),
    "html.line": ("Rad", "Line"),
    "html.month": ("Månad", "Month"),
    "html.amount": ("Belopp, kr", "Amount, kr"),
    "html.ref": ("Ref.", "Ref"),
    "html.reason": ("Orsak / text", "Reason / text"),
    "html.before": ("Före", "Before"),
    "html.delta": ("Förändring", "Change"),
    "html.after": ("Efter", "After"),
    "htmled": ("skrev rapporten till {path} ({lines} rader)",
               "wrote the report to {path} ({lines} lines)"),
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
    "imported.skipped_booked": ("{rows} rader hoppades över: de bokför det som redan är bokfört",
                                "{rows} rows skipped: they book what is already booked"),
    "imported.skipped_row": ("rad {row}: {line} {month} {amount} ref {ref}, som rad {earlier} i "
                             "{file} (#{position})",
                             "row {row}: {line} {month} {amount} ref {ref}, as row {earlier} of "
                             "{file} (#{position})"),
    "imported.skipped": ("{skipped} rader med beloppet noll bokförde inget",
                         "{skipped} rows with a zero amount booked nothing"),
    "importing": ("importerar {name}", "importing {name}"),
    "check.ok": ("ok ", "ok  "),
    # what `check` found, by `Check.said` (a fault found deep in a replay is shown as found)
    "check.views_at": ("loggen når position {last}, vyerna {tracked}",
                       "log at position {last}, views at {tracked}"),
    "check.views_ok": ("alla {events} händelser stämmer med sina rader i vyerna",
                       "{events} events match their view rows"),
    "check.decisions_ok": ("{lines} rader och stängningarna stämmer med loggen",
                           "{lines} lines and the closings match"),
    "check.times_ok": ("registreringstiden minskar aldrig; en tid per kommando, satt när det "
                       "är klart", "recorded-at never decreases; one time per command, marked "
                       "at its end"),
    "check.rules_ok": ("alla {events} händelser följer reglerna i loggens ordning",
                       "all {events} events obey the ledger's rules in log order"),
    "check.reports_ok": ("{years} år, 12 månader vart och ett, lika med en ny uppspelning",
                         "{years} year(s), 12 months each"),
    "check.rollups_ok": ("varje summarad är summan av sina underrader",
                         "every roll-up equals the sum of its children"),
    "check.transfers_ok": ("varje överföring har två sidor som tar ut varandra",
                           "every transfer has two sides summing to zero"),
    "check.transfer_off": ("överföringen {transfer} tar inte ut sig själv",
                           "transfer {transfer} does not net to zero"),
    "check.reversals_ok": ("varje återföring motsvarar en bokning, en gång",
                           "every reversal opposes one booking, once"),
    "check.no_events": ("inga händelser än", "no events yet"),
    "check.not_sealed_yet": ("inget sigill än: de {events} händelserna skyddas först när nästa "
                             "skrivning förseglar dem", "no seal yet: the {events} events are "
                             "not protected until the next write seals them"),
    "check.unsealed": ("de {events} händelserna efter position {after} saknar sigill: tillagda "
                       "efter den senaste skrivningen, vid sidan av prognos",
                       "the {events} events after position {after} have no seal: added after "
                       "the last write, behind prognos's back"),
    "check.sealed": ("{events} händelser förseglade, senaste sigillet {head} på position "
                     "{events}", "{events} events sealed, head seal {head} at position "
                     "{events}"),
    "check.changed": ("händelserna på position {first}–{last} skiljer sig från sitt sigill: "
                      "ändrade, tillagda eller borttagna efter att de registrerades",
                      "the events at positions {first}-{last} differ from their seal: changed, "
                      "added or removed after they were recorded"),
    "check.fail": ("FEL", "FAIL"),
    "copying": ("kopierar till {store}", "copying to {store}"),
    "copied": ("kopierade {events} händelser till {to}", "copied {events} events to {to}"),
    "copied.verified": ("kopian är kontrollerad: check godkänd, samma huvud som liggaren",
                        "the copy is verified: check passes, the same head as the ledger"),
    "check.head": ("huvud (sigill@position): {head}", "head (seal@position): {head}"),
    "check.no_head": ("inget sigill än", "no seal yet"),
    "check.head_same": ("loggen slutar i det sparade huvudet på position {position}",
                        "the log ends at the kept head at position {position}"),
    "check.head_grown": ("loggen bygger vidare på det sparade huvudet på position {position} "
                         "(och har vuxit till position {last})",
                         "the log extends the kept head at position {position} (and has grown "
                         "to position {last})"),
    "check.head_differs": ("loggen bygger inte vidare på det sparade huvudet: händelserna till "
                           "och med position {position} har skrivits om",
                           "the log no longer extends the kept head: the events up to position "
                           "{position} were rewritten"),
    "check.head_truncated": ("loggen bygger inte vidare på det sparade huvudet: den slutar på "
                             "position {last}, före huvudets position {position}",
                             "the log no longer extends the kept head: it ends at position "
                             "{last}, before the head's position {position}"),
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

    def figure(self, value: Decimal, most: int | None = None) -> str:
        """A printed or computed figure with its own digits, in the language's notation."""
        return format_figure(value, MINUS if self.swedish else "-", most)

    def column(self, name: str) -> str:
        """A printed table's column as a person calls it (a spec's own name otherwise)."""
        key = f"column.{name}"
        return self(key) if key in CATALOGUE else name

    def check(self, found: Check) -> str:
        """What `check` found, in the language's words where it has them."""
        key = f"check.{found.said}"
        if not self.swedish or not found.said or key not in CATALOGUE:
            return found.detail  # English: the detail as found
        return self(key, **dict(found.values))

    def kronor(self, value: Decimal) -> str:
        """An amount to the öre, as a write command says what it recorded."""
        return f"{self.amount(value, 'kr', decimals=2)} kr"


def texts(lang: str) -> Texts:
    return Texts("en" if lang == "en" else "sv")
