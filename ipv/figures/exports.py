"""What the figures export: the quarterly statistical report and the list of cases behind a
figure, as CSV or XLSX (ipv.core.spreadsheets: typed cells, never a formula).

The report is the dashboard itself (`selectors.dashboard`), one table per section, so the two
cannot disagree. The list of cases names nobody: a referral number, dates and codes worded.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipv.core import spreadsheets
from ipv.core.choices import Language
from ipv.core.spreadsheets import Formatted, Sheet
from ipv.figures import selectors, snapshots
from ipv.figures.catalogue import FIGURES, SECTIONS
from ipv.figures.definitions import COUNT, DAYS, MONEY, SHARE, Figure, Result
from ipv.figures.periods import EARLIEST, Period, quarter, quarter_of
from ipv.figures.rollup import rollup_figures
from ipv.figures.scope import Scope
from referrals.models import Milestone
from referrals.models.milestones import MilestoneKind
from sessions_app.completion import progress_for
from sessions_app.models import MODULE_COUNT

# Every audience: a report is read by the agency's managers (or the platform's
# administrators), who may read every section.
EVERY_AUDIENCE = frozenset(section.audience for section in SECTIONS)
# The list is built and its progress written this many rows at a time.
CHUNK = 1000

FORMATS = {COUNT: None, DAYS: spreadsheets.ONE_DECIMAL, SHARE: spreadsheets.PERCENT}


class ReportForm(forms.Form):
    """Which quarter, in which format and language. The quarter is "2026-3" (year-number)."""

    quarter = forms.RegexField(
        label=gettext_lazy("Quarter"),
        regex=r"^\d{4}-[1-4]$",
        max_length=6,
        error_messages={"invalid": gettext_lazy("Give a quarter as year-number, e.g. 2026-3.")},
        widget=forms.TextInput(attrs={"placeholder": "2026-3", "inputmode": "numeric"}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")]
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # The last quarter ended: the one a report is usually asked for.
            last = quarter_of(quarter_of(timezone.localdate()).start - timedelta(days=1))
            self.initial.setdefault("quarter", f"{last.start.year}-{(last.start.month + 2) // 3}")
            self.initial.setdefault("language", translation.get_language())

    def clean_quarter(self):
        year, number = (int(part) for part in self.cleaned_data["quarter"].split("-"))
        if year < EARLIEST.year:
            raise forms.ValidationError(_("The quarter cannot be before 2000."))
        chosen = quarter(year, number)
        if chosen.start < EARLIEST:
            raise forms.ValidationError(_("The quarter cannot be before 2000."))
        if chosen.start > timezone.localdate():
            raise forms.ValidationError(_("The quarter cannot be after the current one."))
        return chosen


@dataclass
class Report:
    filename: str
    content: bytes
    content_type: str
    rows: int


def _typed(value, figure: Figure):
    """A value as a cell: numbers as numbers (money as money, shares as percentages); "< 5"
    and the like stay text."""
    if value is None:
        return None
    if not isinstance(value, int | float | Decimal):
        return str(value)
    if figure.unit == MONEY:
        return Decimal(value)
    number_format = FORMATS.get(figure.unit)
    return Formatted(value, number_format) if number_format else value


def _report_rows(results: list[Result]) -> Iterator[list]:
    for result in results:
        figure = result.figure
        definition = str(figure.definition)
        yield [
            str(figure.label),
            _typed(result.current, figure),
            _typed(result.previous, figure),
            definition,
        ]
        for row in result.rows:
            yield [
                f"{figure.label} — {row.label}",
                _typed(row.current, figure),
                _typed(row.previous, figure),
                definition,
            ]


def _rollup_rows(period: Period, hidden) -> Iterator[list]:
    """The province's referral counts by region then agency, small counts hidden as on its
    page (ipv.figures.rollup): under each figure, each region's total, then its agencies."""
    figures = list(rollup_figures().values())
    regions = snapshots.rollups(figures, period, period.previous(), hidden)
    for figure in figures:
        definition = str(figure.definition)
        for region in regions[figure.key]:
            total = region.total
            yield [
                f"{figure.label} — {total.label}",
                _typed(total.current, figure),
                _typed(total.previous, figure),
                definition,
            ]
            for agency in region.agencies:
                yield [
                    f"{figure.label} — {total.label} — {agency.label}",
                    _typed(agency.current, figure),
                    _typed(agency.previous, figure),
                    definition,
                ]


def report_filename(name: str, period: Period, file_format: str, language: str) -> str:
    """ipv-riviere-2026-T3.xlsx (T for trimestre in French, Q in English): ASCII only."""
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "agency"
    letter = "T" if language == "fr" else "Q"
    number = (period.start.month + 2) // 3
    return f"ipv-{safe}-{period.start.year}-{letter}{number}.{file_format}"


def quarterly_report(
    *, scope: Scope, name: str, period: Period, file_format: str, language: str
) -> Report:
    """The quarter's report over `scope`: each section's figures and breakdown rows for the
    quarter and the one before, with their definitions, in `language`."""
    with translation.override(language):
        # A download waits for its figures: counted now if no summary has them.
        sections = selectors.dashboard(
            scope=scope, period=period, audiences=set(EVERY_AUDIENCE), now=True
        )
        header = [_("Figure"), _("This quarter"), _("Previous quarter"), _("Definition")]
        tables = [
            (str(section.title), list(_report_rows(results))) for section, results in sections
        ]
        if scope.agencies is None and scope.courts is None:
            rolled = list(_rollup_rows(period, sections.hidden))
            tables.append((str(_("By region and agency")), rolled))
        filename = report_filename(name, period, file_format, language)
        rows = sum(len(table) for _title, table in tables)
        if file_format == "xlsx":
            content = spreadsheets.xlsx_bytes(
                Sheet(title, header, table, {}) for title, table in tables
            )
            return Report(filename, content, spreadsheets.XLSX_TYPE, rows)
        # One file: the table each row belongs to in a first column.
        lines = [[title, *row] for title, table in tables for row in table]
        content = spreadsheets.csv_bytes([_("Table"), *header], lines)
        return Report(filename, content, "text/csv; charset=utf-8", rows)


# The list of cases behind a figure ----------------------------------------------------------


def cases_queryset(*, scope: Scope, params: dict):
    """The referrals an export of `params` lists (figure, row, period), with what each row
    shows read in the same query: the court, the person's language, the day intake was held."""
    figure = FIGURES[params["figure"]]
    period = Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    intake = Milestone.objects.filter(
        referral=OuterRef("pk"), kind=MilestoneKind.INTAKE_DONE
    ).order_by("occurred_at")
    return (
        selectors.cases(scope=scope, figure=figure, period=period, by=params.get("by", ""))
        .select_related("court")
        .only(
            "pk",
            "received_on",
            "source",
            "stream",
            "program",
            "court",
            "status",
            "status_changed_at",
            "first_contact_at",
            "transferred_from",
        )
        .annotate(
            language=F("participant__language"),
            intake_at=Subquery(intake.values("occurred_at")[:1]),
        )
    )


def cases_header() -> list[str]:
    return [
        _("Referral"),
        _("Received"),
        _("Referred by"),
        _("Court stream"),
        _("Program"),
        _("Court"),
        _("Language"),
        _("Status"),
        _("Status since"),
        _("First contact"),
        _("Intake held"),
        _("Modules attended (of %(count)s)") % {"count": MODULE_COUNT},
    ]


def _day(moment):
    return timezone.localdate(moment) if moment else ""


def cases_rows(queryset, progress: Callable[[int], None] | None = None) -> Iterator[list]:
    """One row per referral, no name. Modules attended are read a chunk at a time (one query
    per chunk, and one per transfer in the chunk's longest chain), never one per row."""
    languages = dict(Language.choices)
    done = 0
    chunk = []
    for referral in queryset.iterator(chunk_size=CHUNK):
        chunk.append(referral)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(chunk, languages)
            done += len(chunk)
            chunk = []
            if progress:
                progress(done)
    if chunk:
        yield from _chunk_rows(chunk, languages)
        done += len(chunk)
        if progress:
            progress(done)


def _chunk_rows(referrals, languages) -> Iterator[list]:
    attended = progress_for(referrals=referrals)
    for referral in referrals:
        yield [
            referral.number,
            referral.received_on,
            str(referral.get_source_display()),
            str(referral.get_stream_display()),
            str(referral.get_program_display()),
            str(referral.court),
            str(languages.get(referral.language, referral.language or "")),
            str(referral.get_status_display()),
            _day(referral.status_changed_at),
            _day(referral.first_contact_at),
            _day(referral.intake_at),
            attended[referral.pk].done,
        ]


def cases_filename(name: str, figure_key: str, file_format: str) -> str:
    safe = re.sub(r"[^a-z0-9-]+", "-", f"{name}-{figure_key}".lower()).strip("-")
    return f"ipv-{safe}.{file_format}"


def cases_file(queryset, *, title: str, file_format: str, progress=None) -> bytes:
    """The list as CSV or XLSX bytes."""
    header = cases_header()
    rows = cases_rows(queryset, progress)
    if file_format == "xlsx":
        return spreadsheets.xlsx_bytes([Sheet(title, header, rows, {})])
    return spreadsheets.csv_bytes(header, rows)


def content_type(file_format: str) -> str:
    return spreadsheets.XLSX_TYPE if file_format == "xlsx" else "text/csv; charset=utf-8"
