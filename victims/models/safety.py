"""What the person says of their own safety, at first contact and at the participant's exit:
the program's outcome in the words of those it is meant to protect."""

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.core.fields import within_bounds
from victims.models.people import Victim


class Moment(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("At first contact")
    EXIT = "exit", _("At the participant's exit from the program")


class FeelsSafe(models.IntegerChoices):
    """A fixed scale of five, stored as 1 to 5 so that two answers can be compared."""

    VERY_UNSAFE = 1, _("Very unsafe")
    UNSAFE = 2, _("Unsafe")
    NEITHER = 3, _("Neither safe nor unsafe")
    SAFE = 4, _("Safe")
    VERY_SAFE = 5, _("Very safe")


class Abuse(models.TextChoices):
    STOPPED = "stopped", _("Stopped")
    REDUCED = "reduced", _("Reduced")
    CONTINUED = "continued", _("Continued")
    NOT_SAID = "not_said", _("Prefers not to say")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SafetyView(models.Model):
    """How safe a person feels and whether the abuse has stopped, as they said it at one
    moment. One per person and moment: recording it again corrects it (the history keeps what
    it said before)."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, related_name="safety_views", verbose_name=_("person")
    )
    moment = models.CharField(_("when"), max_length=15, choices=Moment)
    feels_safe = models.PositiveSmallIntegerField(_("how safe they feel"), choices=FeelsSafe)
    abuse = models.CharField(_("the abuse"), max_length=10, choices=Abuse)
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("the person's view of their safety")
        verbose_name_plural = _("the people's views of their safety")
        ordering = ["victim", "moment"]
        indexes = [
            # The figures read the exit views of a period, one agency at a time.
            models.Index(fields=["agency", "moment", "on"], name="victims_views_by_date")
        ]
        constraints = [
            models.UniqueConstraint(fields=["victim", "moment"], name="victims_view_once"),
            models.CheckConstraint(
                condition=Q(feels_safe__gte=1, feels_safe__lte=5), name="victims_view_scale"
            ),
            within_bounds("on", name="victims_view_date_bounded"),
        ]

    def __str__(self):
        # Never the answer: this string can end up in logs and the admin's history.
        return f"{self._meta.verbose_name} #{self.pk}"
