"""The people referred, as each agency knows them, and the possible duplicates among them."""

from datetime import date

import pghistory
import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Trim
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from localflavor.ca.models import CAPostalCodeField
from phonenumber_field.modelfields import PhoneNumberField

from ipv.core.choices import Language
from ipv.core.search import Unaccented
from ipv.core.validators import validate_name
from referrals.models.choices import IndigenousIdentity


def folded_name(field: str) -> models.Func:
    """The name as the same person's other records are matched on: lower case, without accents,
    spaces inside collapsed to one and none at the ends ("JEAN-MARC  Tremblay " and
    "Jean-Marc Trémblay" are both "jean-marc tremblay")."""
    return Trim(
        models.Func(
            Unaccented(field),
            models.Value(r"\s+"),
            models.Value(" "),
            models.Value("g"),
            function="regexp_replace",
            output_field=models.TextField(),
        )
    )


PARTICIPANT_NAMES = pgtrigger.Trigger(
    name="referral_names",
    when=pgtrigger.After,
    operation=pgtrigger.UpdateOf("legal_name", "preferred_name"),
    func="""
        UPDATE referrals_referral SET participant_names = '' WHERE participant_id = NEW.id;
        RETURN NULL;
    """,
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["search_text", "name_key"],
)
class Participant(models.Model):
    """A person referred to the program, as one agency knows them."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("agency"),
    )
    legal_name = models.CharField(_("legal name"), max_length=200, validators=[validate_name])
    preferred_name = models.CharField(
        _("preferred name"), max_length=200, blank=True, validators=[validate_name]
    )
    date_of_birth = models.DateField(_("date of birth"))
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    language = models.CharField(
        _("language of service"),
        max_length=2,
        choices=Language,
        help_text=_("The language of the group, and of every letter and certificate."),
    )
    other_languages = models.CharField(_("other languages spoken"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter's language"), max_length=100, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="CA")
    email = models.EmailField(_("email"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = CAPostalCodeField(_("postal code"), blank=True)
    indigenous_identity = models.CharField(
        _("Indigenous identity (self-identified)"),
        max_length=20,
        choices=IndigenousIdentity,
        blank=True,
        help_text=_("Optional. Asked to offer the Indigenous program (IPIV) where it exists."),
    )
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=2000, blank=True)
    consent_sms = models.BooleanField(_("agrees to text message reminders"), default=False)
    consent_email = models.BooleanField(_("agrees to email reminders"), default=False)
    # Set when a worker found this record to be a person the agency already knew.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    # Set when the retention rule removed who the person is (referrals.retention): the record
    # still counts in the figures, and names nobody.
    deidentified_at = models.DateTimeField(_("de-identified"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.GeneratedField(
        expression=Unaccented("legal_name", "preferred_name"),
        output_field=models.TextField(),
        db_persist=True,
    )
    # Who the person is across agencies and files (re-referral, ipv.figures): the folded legal
    # name, kept by the database itself in a generated column so that matching 100,000
    # referrals compares stored text through an index instead of folding every name in each
    # query. f_unaccent (ipv.core.search) is the IMMUTABLE wrapper a generated column needs.
    name_key = models.GeneratedField(
        expression=folded_name("legal_name"),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["legal_name", "pk"]
        indexes = [
            models.Index(fields=["agency", "date_of_birth"], name="referrals_participant_dob"),
            # The same person at any agency: same date of birth, same folded legal name.
            models.Index(fields=["date_of_birth", "name_key"], name="referrals_participant_person"),
            # Possible duplicates: the same words in another person's names.
            GinIndex(
                fields=["search_text"],
                opclasses=["gin_trgm_ops"],
                name="referrals_participant_trgm",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__gt=date(1900, 1, 1)),
                name="referrals_participant_birth_date_plausible",
                violation_error_message=_("Enter a date of birth after 1900."),
            ),
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="referrals_participant_interpreter_language",
                violation_error_message=_("Say which language the interpreter speaks."),
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="referrals_participant_not_merged_into_itself",
            ),
        ]
        triggers = [PARTICIPANT_NAMES]

    def __str__(self):
        return self.display_name

    def audit_label(self):
        """What the audit trail calls the person: a number, never a name (the trail is kept
        as written, and outlives the name when retention de-identifies the person)."""
        return lambda: gettext("Participant #%(number)s") % {"number": self.pk}

    @property
    def display_name(self) -> str:
        """The legal name, with the name the person goes by when it differs."""
        # Read from the name alone (blanked by retention, required otherwise): pages that
        # load only the names need no other column.
        if not self.legal_name:
            return str(_("De-identified person"))
        if self.preferred_name and self.preferred_name != self.legal_name:
            return f"{self.legal_name} ({self.preferred_name})"
        return self.legal_name


class PossibleDuplicate(models.Model):
    """A new participant who resembles someone the agency already knows, for a worker to
    merge or keep apart."""

    class Resolution(models.TextChoices):
        MERGED = "merged", _("Same person: merged")
        KEPT = "kept", _("Different people: kept apart")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="possible_duplicates",
        verbose_name=_("new participant"),
    )
    existing = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant already known"),
    )
    name_similarity = models.FloatField(_("name similarity"))
    same_birth_date = models.BooleanField(_("same date of birth"))
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    resolution = models.CharField(_("decision"), max_length=10, choices=Resolution, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-name_similarity"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "existing"], name="referrals_duplicate_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(participant=models.F("existing")),
                name="referrals_duplicate_not_itself",
            ),
        ]

    def __str__(self):
        return f"{self.participant} ~ {self.existing}"
