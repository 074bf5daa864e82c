"""Exports prepared by the worker: a list too long to build while the person waits.

The file is kept in the database, not on a disk: several web machines serve the site, and the
one that answers the download is not the worker's. It is kept a day, for the person who asked
only, then deleted (ipv.figures.tasks.remove_expired_exports).
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
    content = models.BinaryField(null=True, blank=True, editable=False)
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
