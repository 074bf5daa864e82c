"""Exports prepared by the worker: a list too long to build while the person waits.

The file is kept in the database or in S3-compatible storage (ipv.core.files), never on a disk:
several web machines serve the site, and the one that answers the download is not the worker's.
It is kept a day, for the person who asked only, then deleted with its stored file
(ipv.figures.tasks.remove_expired_exports).
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEPT_FOR = timedelta(days=1)


def _expiry():
    return timezone.now() + KEPT_FOR


class Export(models.Model):
    class Kind(models.TextChoices):
        CASES = "cases", _("Cases behind a figure")
        REPORT = "report", _("Quarterly statistical report")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # None for the province's figures.
    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("asked by")
    )
    kind = models.CharField(_("export"), max_length=20, choices=Kind)
    # What it was asked for: the figure, its row, the period (ISO dates) — never data.
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format)
    language = models.CharField(_("language"), max_length=5)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    # The file is in `content`, or in the file storage under the name `content_file`.
    content = models.BinaryField(null=True, blank=True, editable=False)
    content_file = models.CharField(max_length=200, blank=True, default="", editable=False)
    filename = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=_expiry)
    # A worker holds the export until then; if it dies, another takes it again after.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="figures_export_requested"),
            models.Index(fields=["expires_at"], name="figures_export_expires"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class Snapshot(models.Model):
    """A section's results for one scope and one period (and the period it is compared with),
    computed by the worker for the periods people ask for most (ipv.figures.snapshots): the
    summary a dashboard reads instead of counting years of files while the person waits.

    A section drawn from the confidential store (Section.one_agency: outreach) is
    `confidential`: row-level security admits it only inside `victims.rls.confidential` for its
    agency, as the store's own rows (ipv.figures.security)."""

    # Scope.key: "agency:12", "courts:3,7" or "province".
    scope = models.CharField(max_length=1000)
    # The agency of an agency's scope (None beyond one agency).
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    section = models.CharField(max_length=40)
    confidential = models.BooleanField(default=False)
    start = models.DateField()
    end = models.DateField()
    previous_start = models.DateField()
    previous_end = models.DateField()
    # The moment the counting began: what the results say is true as of then.
    computed_at = models.DateTimeField()
    # The stored form's version (snapshots.FORMAT): another one is not read.
    format = models.PositiveSmallIntegerField()
    results = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "start", "end", "previous_start", "previous_end", "section"],
                name="figures_snapshot_one_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end"))
                & models.Q(previous_start__lte=models.F("previous_end")),
                name="figures_snapshot_periods_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(confidential=False) | models.Q(agency__isnull=False),
                name="figures_snapshot_confidential_has_agency",
            ),
            # Outreach's figures come from the confidential store: never stored in the clear.
            models.CheckConstraint(
                condition=~models.Q(section="outreach") | models.Q(confidential=True),
                name="figures_snapshot_outreach_is_confidential",
            ),
        ]

    def __str__(self):
        return f"{self.scope} {self.section} {self.start}–{self.end}"


class WatchedScope(models.Model):
    """A scope whose dashboard was read lately: the worker keeps its snapshots fresh while
    people read it, and stops after a while when nobody does."""

    scope = models.CharField(max_length=1000, unique=True)
    read_at = models.DateTimeField()
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # The last refresh begun: one that failed is not tried again for a while.
    attempted_at = models.DateTimeField(null=True, blank=True)
    # A worker refreshing it holds it until then; if it dies, another takes it after.
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.scope
