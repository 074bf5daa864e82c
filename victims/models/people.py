"""The people the agency reaches out to, their consent, and the rules of contacting them
safely."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.audit.models import APPEND_ONLY
from ipv.core.choices import Language
from ipv.core.fields import (
    ChoiceArrayField,
    EncryptedCharField,
    EncryptedEmailField,
    EncryptedTextField,
    within_bounds,
)
from ipv.core.history import track_sealed
from ipv.core.validators import validate_name


class Relationship(models.TextChoices):
    VICTIM = "victim", _("Victim named in the order")
    CURRENT_PARTNER = "current_partner", _("Current partner")
    FORMER_PARTNER = "former_partner", _("Former partner")
    FAMILY = "family", _("Family member")
    COMMUNITY = "community", _("Community member")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ConsentState(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked yet")
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OutreachState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ClosedBecause(models.TextChoices):
    FOLLOW_UP_DONE = "follow_up_done", _("Follow-up done after the program ended")
    DECLINED = "declined", _("Declined the service")
    UNREACHABLE = "unreachable", _("Could not be reached")


# Until the worker records the person's own rules: a phone call, no message left.
DEFAULT_CHANNELS = [Channel.PHONE.value]


def _default_channels():
    return list(DEFAULT_CHANNELS)


def _every_day():
    return list(Weekday.values)


@track_sealed
class Victim(models.Model):
    """A person the agency reaches out to about a participant's referral: who they are, how
    to reach them safely, what they consented to, and whether outreach is open."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referral"),
    )

    class Source(models.TextChoices):
        ORDER = "order", _("Named in the order")
        NAMED_LATER = "named_later", _("Named by the participant to the case team")
        OUTREACH = "outreach", _("Added by outreach")

    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship)
    full_name = EncryptedCharField(_("full name"), max_length=200, validators=[validate_name])
    # Who made the record known: the case team may count those it recorded, never those
    # outreach found.
    source = models.CharField(
        _("recorded from"),
        max_length=12,
        choices=Source,
        default=Source.ORDER,
        db_default=Source.ORDER,
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.ENGLISH
    )
    interpreter = models.CharField(
        _("interpreter needed (language)"), max_length=60, blank=True, validators=[validate_name]
    )
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedEmailField(_("email"), max_length=254, blank=True)
    address = EncryptedTextField(_("address"), max_length=500, blank=True)
    # The safe-contact rules, checked on every contact and every message prepared.
    channels = ChoiceArrayField(
        models.CharField(max_length=10, choices=Channel),
        verbose_name=_("channels allowed"),
        default=_default_channels,
        blank=True,
    )
    safe_days = ChoiceArrayField(
        models.PositiveSmallIntegerField(choices=Weekday),
        verbose_name=_("safe days"),
        default=_every_day,
        blank=True,
    )
    safe_from = models.TimeField(_("safe from"), null=True, blank=True)
    safe_until = models.TimeField(_("safe until"), null=True, blank=True)
    voicemail_ok = models.BooleanField(_("a voicemail may be left"), default=False)
    message_ok = models.BooleanField(_("a text or email may be left"), default=False)
    code_word = EncryptedCharField(_("code word"), max_length=100, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    # Off until the person says so: a message that names the program tells whoever reads
    # their phone what it is about.
    may_name_program = models.BooleanField(
        _("messages may say they come from the program"),
        default=False,
        db_default=False,
        help_text=_(
            "Only when the person said it is safe. Otherwise a text or email asks them to call "
            "the agency, and names neither the program nor the participant."
        ),
    )
    safe_contact_notes = EncryptedTextField(
        _("when and how it is safe to make contact"), max_length=2000, blank=True
    )
    rules_updated_at = models.DateTimeField(_("rules updated"), null=True, blank=True)
    # The present state of consent; ConsentRecord keeps how and when each answer was given.
    consent_contact = models.CharField(
        _("consent to be contacted"),
        max_length=10,
        choices=ConsentState,
        default=ConsentState.UNKNOWN,
    )
    consent_updates = models.CharField(
        _("consent to updates on the program"),
        max_length=10,
        choices=ConsentState,
        default=ConsentState.UNKNOWN,
    )
    outreach = models.CharField(
        _("outreach"), max_length=10, choices=OutreachState, default=OutreachState.OPEN
    )
    closed_because = models.CharField(
        _("closed because"), max_length=20, choices=ClosedBecause, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    # The record this one was handed over from, on a transfer.
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("victim or partner")
        verbose_name_plural = _("victims and partners")
        ordering = ["referral", "pk"]
        indexes = [models.Index(fields=["agency", "referral"], name="victims_by_referral")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outreach="open", closed_because="", closed_at__isnull=True)
                | Q(outreach="closed", closed_at__isnull=False) & ~Q(closed_because=""),
                name="victims_closed_with_reason",
            ),
            # Hours may run past midnight (22:00 until 02:00), never start and end together.
            models.CheckConstraint(
                condition=Q(safe_from__isnull=True, safe_until__isnull=True)
                | Q(safe_from__isnull=False, safe_until__isnull=False)
                & ~Q(safe_from=models.F("safe_until")),
                name="victims_safe_hours_in_order",
                violation_error_message=_("The safe hours cannot start and end at the same time."),
            ),
            models.UniqueConstraint(
                fields=["referral", "copied_from"],
                condition=Q(copied_from__isnull=False),
                name="victims_copied_once",
            ),
            within_bounds("created_at", "closed_at", name="victims_dates_bounded", moments=True),
        ]

    def __str__(self):
        # Never the name: this string can end up in logs, the admin's history, error reports.
        return _("Person #%(number)s named in a referral") % {"number": self.pk}

    @property
    def reachable(self) -> bool:
        """Whether outreach may ask to contact this person at all."""
        return not self.do_not_contact and self.consent_contact != ConsentState.WITHDRAWN


class ConsentRecord(models.Model):
    """One answer about consent: what, given or withdrawn, how and when. Never changed."""

    class Topic(models.TextChoices):
        CONTACT = "contact", _("To be contacted")
        UPDATES = "updates", _("To receive updates on the participant's program")

    class How(models.TextChoices):
        PHONE = "phone", _("By phone")
        IN_PERSON = "in_person", _("In person")
        WRITING = "writing", _("In writing")
        EMAIL = "email", _("By email or text")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    topic = models.CharField(_("consent"), max_length=10, choices=Topic)
    given = models.BooleanField(_("given"))
    how = models.CharField(_("how"), max_length=10, choices=How)
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-pk"]
        constraints = [within_bounds("on", name="victims_consent_date_bounded")]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.get_topic_display()} #{self.pk}"
