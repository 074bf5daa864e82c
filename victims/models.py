"""The confidential store: the victims, partners and family or community members named in a
court order, and (as the partner-contact work grows) consent, outreach and safety plans.

Names and contact details are encrypted at rest. Nothing here has a reverse accessor on the
case models (`related_name="+"`): a template or a serializer of a referral cannot reach it.
Only partner-contact workers of the agency read these rows, each read audited.
"""

import pghistory
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.core.fields import EncryptedCharField, EncryptedEmailField, EncryptedTextField
from ipv.core.validators import validate_name


class Relationship(models.TextChoices):
    VICTIM = "victim", _("Victim named in the order")
    CURRENT_PARTNER = "current_partner", _("Current partner")
    FORMER_PARTNER = "former_partner", _("Former partner")
    FAMILY = "family", _("Family member")
    COMMUNITY = "community", _("Community member")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Victim(models.Model):
    """A person the agency reaches out to about a participant's referral."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referral"),
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship)
    full_name = EncryptedCharField(_("full name"), max_length=200, validators=[validate_name])
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedEmailField(_("email"), max_length=254, blank=True)
    address = EncryptedTextField(_("address"), max_length=500, blank=True)
    safe_contact_notes = EncryptedTextField(
        _("when and how it is safe to make contact"), max_length=2000, blank=True
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("victim or partner")
        verbose_name_plural = _("victims and partners")
        ordering = ["referral", "pk"]
        indexes = [models.Index(fields=["agency", "referral"], name="victims_by_referral")]

    def __str__(self):
        # Never the name: this string can end up in logs, the admin's history, error reports.
        return _("Person #%(number)s named in a referral") % {"number": self.pk}
