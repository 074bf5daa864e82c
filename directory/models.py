"""Regions, courts, agencies (the tenants) and support services."""

from datetime import time

import pghistory
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from localflavor.ca.models import CAPostalCodeField
from phonenumber_field.modelfields import PhoneNumberField

from ipv.core.fields import ChoiceArrayField, WebsiteField
from ipv.core.history import track_links
from ipv.core.i18n import Bilingual
from ipv.core.search import Unaccented
from ipv.core.validators import validate_name

ONTARIO_POSTAL_CODE = r"^[KLMNP][0-9][A-Z] [0-9][A-Z][0-9]$"
postal_code_validator = RegexValidator(
    ONTARIO_POSTAL_CODE, _("Enter an Ontario postal code, such as K1P 5J3.")
)


class Program(models.TextChoices):
    IPV = "ipv", _("IPV — Partner Assault Response")
    IPIV = "ipiv", _("IPIV — Indigenous program")


class ServiceLanguage(models.TextChoices):
    """Languages a service is offered in: French and English first, then Ontario's most spoken."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    OJIBWE = "oj", _("Ojibwe (Anishinaabemowin)")
    OJI_CREE = "ojs", _("Oji-Cree")
    CREE = "cr", _("Cree")
    MOHAWK = "moh", _("Mohawk")
    INUKTITUT = "iu", _("Inuktitut")
    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    PERSIAN = "fa", _("Persian")
    PUNJABI = "pa", _("Punjabi")
    PORTUGUESE = "pt", _("Portuguese")
    SOMALI = "so", _("Somali")
    SPANISH = "es", _("Spanish")
    TAGALOG = "tl", _("Tagalog")
    TAMIL = "ta", _("Tamil")
    URDU = "ur", _("Urdu")


def folded_indexes(table: str) -> list[models.Index]:
    """Indexes for the directory's ordering (by unaccented name), its city prefix search and
    its keyword search (a trigram index answers LIKE '%word%')."""
    return [
        models.Index(Unaccented("name_fr"), name=f"directory_{table}_sort_fr"),
        models.Index(Unaccented("name_en"), name=f"directory_{table}_sort_en"),
        models.Index(
            OpClass(Unaccented("city"), name="text_pattern_ops"), name=f"directory_{table}_city"
        ),
        GinIndex(
            fields=["search_text"], opclasses=["gin_trgm_ops"], name=f"directory_{table}_trgm"
        ),
    ]


# The agency's default hours, as functions: Django warns of a fixed time default (W161) when
# checks run within seconds of that time of day.
def reminders_from() -> time:
    return time(8, 0)


def reminders_until() -> time:
    return time(20, 0)


def session_reminders_at() -> time:
    return time(17, 0)


def _choices_list(choices) -> list[str]:
    return [value for value, _label in choices.choices]


class Region(models.Model):
    """One of the Ontario Court of Justice's eight regions."""

    slug = models.SlugField(_("code"), unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100, validators=[validate_name])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_name])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    name = Bilingual()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name


class Court(models.Model):
    """A courthouse of the Ontario Court of Justice."""

    slug = models.SlugField(_("code"), unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[validate_name])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_name])
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postal_code = CAPostalCodeField(
        _("postal code"), blank=True, validators=[postal_code_validator]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="courts", verbose_name=_("region")
    )
    has_dv_court_program = models.BooleanField(_("Domestic Violence Court program"), default=True)
    report_language = models.CharField(
        _("language of reports to this court"),
        max_length=2,
        choices=[("fr", _("French")), ("en", _("English"))],
        default="en",
    )

    name = Bilingual()

    class Meta:
        verbose_name = _("court")
        verbose_name_plural = _("courts")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(postal_code="") | Q(postal_code__regex=ONTARIO_POSTAL_CODE),
                name="directory_court_postal_code_format",
            ),
        ]

    def __str__(self):
        return self.name


# The bounds of an agency's retention periods, whatever it chooses (the database checks them):
# long enough for the court and the program's reviews, short enough to be kept no longer than
# the program needs.
RETENTION_BOUNDS = {
    "retain_closed_referral_years": (2, 25),
    "retain_victim_contact_months": (1, 120),
    "retain_outbox_days": (7, 730),
}


class ListedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["search_text", "updated_at"],
)
class Agency(models.Model):
    """A community agency that delivers the program: the tenant that owns its case data."""

    slug = models.SlugField(
        _("short name"),
        unique=True,
        help_text=_("Used in web addresses; lower-case letters, digits and hyphens."),
    )
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[validate_name])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_name])
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    postal_code = CAPostalCodeField(_("postal code"), validators=[postal_code_validator])
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("region")
    )
    phone = PhoneNumberField(_("phone"), region="CA")
    email = models.EmailField(_("email"))
    website = WebsiteField(_("website"), blank=True)
    languages = ChoiceArrayField(
        models.CharField(max_length=3, choices=ServiceLanguage),
        verbose_name=_("languages of service"),
    )
    programs = ChoiceArrayField(
        models.CharField(max_length=4, choices=Program), verbose_name=_("programs offered")
    )
    indigenous_led = models.BooleanField(_("Indigenous-led"), default=False)
    accessibility_notes_fr = models.TextField(_("accessibility (French)"), blank=True)
    accessibility_notes_en = models.TextField(_("accessibility (English)"), blank=True)
    courts = models.ManyToManyField(
        Court, blank=True, related_name="agencies", verbose_name=_("courts served")
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown in the public directory.")
    )
    # Agency settings, edited by its managers.
    allow_facilitator_partner_contact = models.BooleanField(
        _("one person may be both facilitator and partner-contact worker"),
        default=False,
        help_text=_(
            "Off by default: the people who run a participant's group do not contact the "
            "victims. Small agencies may need one person in both roles."
        ),
    )
    managers_see_confidential = models.BooleanField(
        _("managers may read the confidential victims' records"),
        default=False,
        help_text=_("Off by default: only partner-contact workers read them."),
    )
    contact_within_days = models.PositiveSmallIntegerField(
        _("days to reach a newly referred person"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A referral still without contact after this many days shows as overdue."),
    )
    # The agency's own aims for the next steps, against which its timeliness figures count
    # the share of people who got there in time.
    intake_within_days = models.PositiveSmallIntegerField(
        _("days from the referral to the intake"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "The agency aims to hold the intake within this many days of receiving the "
            "referral. The figures count the share of intakes held in time."
        ),
    )
    start_within_days = models.PositiveSmallIntegerField(
        _("days from the referral to the first group session"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_(
            "The agency aims for the person to attend a first group session within this many "
            "days of receiving the referral. The figures count the share who did."
        ),
    )
    late_threshold_minutes = models.PositiveSmallIntegerField(
        _("minutes late that still count as attended"),
        default=15,
        validators=[MaxValueValidator(120)],
        help_text=_("Someone later than this attended, but the module must be made up."),
    )
    unexcused_absence_limit = models.PositiveSmallIntegerField(
        _("unexcused absences before a non-compliance review"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    fees_hold_completion = models.BooleanField(
        _("an unpaid fee holds back the completion certificate"),
        default=False,
        help_text=_(
            "Off by default: completion depends on attendance alone. On: a person who attended "
            "the twelve modules completes once their fee is paid."
        ),
    )
    absence_limit = models.PositiveSmallIntegerField(
        _("absences of any kind before a non-compliance review"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # Reminders to participants leave within these local hours only.
    quiet_hours_start = models.TimeField(
        _("reminders are sent from"),
        default=reminders_from,
        help_text=_("Local time. No reminder leaves before this time; it waits until then."),
    )
    quiet_hours_end = models.TimeField(
        _("reminders are sent until"),
        default=reminders_until,
        help_text=_("Local time. A reminder due later waits until the next morning."),
    )
    session_reminder_time = models.TimeField(
        _("group session reminders go the day before, at"),
        default=session_reminders_at,
        help_text=_("Local time, the day before each session, within the hours above."),
    )
    # How long the agency keeps what it no longer needs (ipv.pages.retention): empty means the
    # province's default (settings IPV_RETAIN_*), within the bounds below either way.
    retain_closed_referral_years = models.PositiveSmallIntegerField(
        _("years a closed referral keeps the participant's identity"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(RETENTION_BOUNDS["retain_closed_referral_years"][0]),
            MaxValueValidator(RETENTION_BOUNDS["retain_closed_referral_years"][1]),
        ],
    )
    retain_victim_contact_months = models.PositiveSmallIntegerField(
        _("months the contact details of victims and partners are kept after outreach closes"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(RETENTION_BOUNDS["retain_victim_contact_months"][0]),
            MaxValueValidator(RETENTION_BOUNDS["retain_victim_contact_months"][1]),
        ],
    )
    retain_outbox_days = models.PositiveSmallIntegerField(
        _("days the text of an outgoing message is kept"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(RETENTION_BOUNDS["retain_outbox_days"][0]),
            MaxValueValidator(RETENTION_BOUNDS["retain_outbox_days"][1]),
        ],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.GeneratedField(
        expression=Unaccented("name_fr", "name_en", "city", "description_fr", "description_en"),
        output_field=models.TextField(),
        db_persist=True,
    )

    name = Bilingual()
    description = Bilingual()
    accessibility_notes = Bilingual()

    objects = ListedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name_en"]
        indexes = [
            GinIndex(fields=["languages"], name="directory_agency_languages"),
            GinIndex(fields=["programs"], name="directory_agency_programs"),
            *folded_indexes("agency"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(programs__len__gt=0) & Q(programs__contained_by=_choices_list(Program)),
                name="directory_agency_programs_valid",
                violation_error_message=_("Choose at least one program."),
            ),
            models.CheckConstraint(
                condition=Q(languages__len__gt=0)
                & Q(languages__contained_by=_choices_list(ServiceLanguage)),
                name="directory_agency_languages_valid",
                violation_error_message=_("Choose at least one language of service."),
            ),
            # The Indigenous stream is designed and delivered by Indigenous organisations.
            models.CheckConstraint(
                condition=Q(indigenous_led=True) | ~Q(programs__contains=[Program.IPIV]),
                name="directory_agency_ipiv_is_indigenous_led",
                violation_error_message=_(
                    "Only an Indigenous-led agency can offer the Indigenous program (IPIV)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(postal_code__regex=ONTARIO_POSTAL_CODE),
                name="directory_agency_postal_code_format",
            ),
            models.CheckConstraint(
                condition=Q(intake_within_days__gte=1, intake_within_days__lte=120),
                name="directory_agency_intake_within_days_bounds",
                violation_error_message=_("The days to the intake must be from 1 to 120."),
            ),
            models.CheckConstraint(
                condition=Q(start_within_days__gte=1, start_within_days__lte=180),
                name="directory_agency_start_within_days_bounds",
                violation_error_message=_(
                    "The days to the first group session must be from 1 to 180."
                ),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": low, f"{name}__lte": high}),
                    name=f"directory_agency_{name}_bounds",
                )
                for name, (low, high) in RETENTION_BOUNDS.items()
            ),
            models.CheckConstraint(
                condition=Q(quiet_hours_start__lt=models.F("quiet_hours_end")),
                name="directory_agency_reminder_hours_order",
                violation_error_message=_("Reminders must start before they end in the day."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_program_display_list(self):
        return [Program(value).label for value in self.programs]

    def get_language_display_list(self):
        return [ServiceLanguage(value).label for value in self.languages]


# Which courts an agency serves: each court added or removed is a row of the history.
@track_links()
class AgencyCourt(Agency.courts.through):
    class Meta:
        proxy = True


class SupportService(models.Model):
    """A service for victims and families: shelter, V/WAP office, crisis line, counselling…"""

    class Kind(models.TextChoices):
        SHELTER = "shelter", _("Shelter")
        VWAP = "vwap", _("Victim/Witness Assistance Program")
        VICTIM_SERVICES = "victim_services", _("Victim services")
        CRISIS_LINE = "crisis_line", _("Crisis line")
        COUNSELLING = "counselling", _("Counselling")
        SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault centre")
        INDIGENOUS = "indigenous", _("Indigenous services")
        LEGAL = "legal", _("Legal help")

    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    name_fr = models.CharField(_("name (French)"), max_length=200, validators=[validate_name])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_name])
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    phone = PhoneNumberField(_("phone"), region="CA")
    toll_free_phone = PhoneNumberField(_("toll-free phone"), region="CA", blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = WebsiteField(_("website"), blank=True)
    street_address = models.CharField(
        _("street address"),
        max_length=200,
        blank=True,
        help_text=_("Never given for shelters: their location is confidential."),
    )
    city = models.CharField(_("city"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="services", verbose_name=_("region")
    )
    languages = ChoiceArrayField(
        models.CharField(max_length=3, choices=ServiceLanguage),
        verbose_name=_("languages of service"),
    )
    open_24h = models.BooleanField(_("open 24 hours"), default=False)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.GeneratedField(
        expression=Unaccented("name_fr", "name_en", "city", "description_fr", "description_en"),
        output_field=models.TextField(),
        db_persist=True,
    )

    name = Bilingual()
    description = Bilingual()

    objects = ListedQuerySet.as_manager()

    class Meta:
        verbose_name = _("support service")
        verbose_name_plural = _("support services")
        ordering = ["name_en"]
        indexes = [
            GinIndex(fields=["languages"], name="directory_service_languages"),
            *folded_indexes("service"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(languages__len__gt=0)
                & Q(languages__contained_by=_choices_list(ServiceLanguage)),
                name="directory_service_languages_valid",
                violation_error_message=_("Choose at least one language of service."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="shelter") | Q(street_address=""),
                name="directory_service_shelter_address_hidden",
                violation_error_message=_(
                    "A shelter's street address is confidential: leave it empty."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_language_display_list(self):
        return [ServiceLanguage(value).label for value in self.languages]
