"""The stretch of days a dashboard or a report covers, and the one before it to compare with."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Figures start with the program's records: nothing earlier can be asked for.
EARLIEST = date(2000, 1, 1)
LONGEST = timedelta(days=5 * 366)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (local dates)."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends after it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one: for a calendar quarter or
        year, the calendar quarter or year before."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = _months_between(self.start, self.end + timedelta(days=1))
            start = _add_months(self.start, -months)
            return Period(start, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def starts_at(self) -> datetime:
        """The first moment of the first day, in the site's time zone."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        """The first moment after the last day."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def months(self) -> list[date]:
        """The first day of each month the period touches, in order."""
        month, months = self.start.replace(day=1), []
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months

    def __str__(self) -> str:
        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(self.start, "DATE_FORMAT"),
            "end": formats.date_format(self.end, "DATE_FORMAT"),
        }

    def query(self) -> str:
        """The query string that asks for this period again."""
        return f"period=custom&start={self.start.isoformat()}&end={self.end.isoformat()}"


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s (before it when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter(year: int, number: int) -> Period:
    """A calendar quarter (1 to 4)."""
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(start, _add_months(start, 3) - timedelta(days=1))


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def presets(today: date) -> dict[str, Period]:
    """The periods people ask for most, as of `today`."""
    this_quarter = quarter_of(today)
    last_quarter = quarter_of(this_quarter.start - timedelta(days=1))
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    return {
        "last_12_months": Period(_add_months(month_start, -11), today),
        "this_month": Period(month_start, today),
        "last_month": Period(last_month_end.replace(day=1), last_month_end),
        "this_quarter": Period(this_quarter.start, today),
        "last_quarter": last_quarter,
        "this_year": Period(date(today.year, 1, 1), today),
        "last_year": Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }


DEFAULT = "last_12_months"


class PeriodForm(forms.Form):
    """The period of a dashboard: a usual one, or two dates (kept as typed when refused)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("last_12_months", _("The last 12 months")),
            ("this_month", _("This month")),
            ("last_month", _("Last month")),
            ("this_quarter", _("This quarter")),
            ("last_quarter", _("Last quarter")),
            ("this_year", _("This year")),
            ("last_year", _("Last year")),
            ("custom", _("Dates of my choice")),
        ],
        initial=DEFAULT,
        required=False,
    )
    start = forms.DateField(
        label=pgettext_lazy("period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        choice = data.get("period") or DEFAULT
        if choice != "custom":
            data["chosen"] = presets(today)[choice]
            return data
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            return data
        if start is None:
            self.add_error("start", _("Give the first day of the period."))
        elif start < EARLIEST:
            self.add_error("start", _("The period cannot start before 2000."))
        if end is None:
            self.add_error("end", _("Give the last day of the period."))
        elif end > today:
            self.add_error("end", _("The period cannot end after today."))
        if self.errors:
            return data
        if end < start:
            self.add_error("end", _("The period must end on or after its first day."))
        elif end - start >= LONGEST:
            self.add_error("end", _("A period covers five years at most."))
        else:
            data["chosen"] = Period(start, end)
        return data


def period_from(query) -> tuple[PeriodForm, Period | None]:
    """The form bound to the query string and the period it asks for (None when refused)."""
    form = PeriodForm(query or {"period": DEFAULT})
    period = form.cleaned_data.get("chosen") if form.is_valid() else None
    return form, period
