"""The program itself: each stream's curriculum of twelve modules, the groups that teach it week
after week, who is enrolled where, and who attended what.

A referral is complete when each of the twelve modules has one attendance that counts, in any
group of its program (make-ups included). Modules are matched by their number, so a curriculum
edited mid-way (a new version) never undoes what was attended under the old one.
"""

from datetime import datetime

import pghistory
import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.models import Program
from ipv.core.choices import Language
from ipv.core.fields import within_bounds
from ipv.core.history import track_links
from ipv.core.i18n import Bilingual
from ipv.core.validators import validate_name

MODULE_COUNT = 12
# The longest a session may last, in minutes: nobody is later than that.
LONGEST_SESSION = 480

# Every version of a curriculum has exactly twelve modules, checked when the transaction that
# writes them commits (a version is written whole, never module by module).
TWELVE_MODULES = pgtrigger.Trigger(
    name="twelve_modules",
    when=pgtrigger.After,
    operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
    timing=pgtrigger.Deferred,
    func="""
        IF (
            SELECT count(*) FROM sessions_app_module
            WHERE curriculum_id = COALESCE(NEW.curriculum_id, OLD.curriculum_id)
        ) NOT IN (0, 12) THEN
            RAISE EXCEPTION 'a curriculum has exactly 12 modules'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    """,
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Curriculum(models.Model):
    """One version of an agency's curriculum for a program. Editing makes a new version: the
    sessions already held keep the modules they taught."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="curricula",
        verbose_name=_("agency"),
    )
    program = models.CharField(_("program"), max_length=4, choices=Program)
    version = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        ordering = ["agency", "program", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "program", "version"], name="sessions_curriculum_version"
            ),
        ]

    def __str__(self):
        return f"{self.get_program_display()} v{self.version}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Module(models.Model):
    """One of the twelve sessions' subjects."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.PROTECT, related_name="modules", verbose_name=_("curriculum")
    )
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(MODULE_COUNT)]
    )
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), max_length=2000, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=2000, blank=True)

    title = Bilingual()
    description = Bilingual()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["curriculum", "number"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "number"], name="sessions_module_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=MODULE_COUNT),
                name="sessions_module_number_range",
            ),
        ]
        triggers = [TWELVE_MODULES]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Group(models.Model):
    """A group that meets weekly to work through the twelve modules."""

    class Format(models.TextChoices):
        OPEN_ENTRY = "open", _("Open entry: people join at any module and go round once")
        CLOSED = "closed", _("Closed cohort: everyone starts at module 1 together")

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("agency"),
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    program = models.CharField(_("program"), max_length=4, choices=Program)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.OPEN_ENTRY)
    facilitators = models.ManyToManyField(
        "accounts.User", related_name="facilitated_groups", verbose_name=_("facilitators")
    )
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    start_time = models.TimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"),
        default=120,
        validators=[MinValueValidator(30), MaxValueValidator(LONGEST_SESSION)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"), default=12, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    start_date = models.DateField(_("first session"))
    is_active = models.BooleanField(_("running"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["weekday", "start_time", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=40), name="sessions_group_capacity"
            ),
            models.CheckConstraint(
                condition=~Q(location="", video_link=""),
                name="sessions_group_has_a_place",
                violation_error_message=_("Give a place or a video link."),
            ),
            within_bounds("start_date", name="sessions_group_start_bounded"),
        ]

    def __str__(self):
        return self.name


# Who runs a group: each facilitator added or removed is a row of the history.
@track_links()
class GroupFacilitator(Group.facilitators.through):
    class Meta:
        proxy = True


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Session(models.Model):
    """One dated meeting of a group, teaching one module."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("session", "Cancelled")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("group")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("module")
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("time"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.SCHEDULED)
    moved_from = models.DateField(_("moved from"), null=True, blank=True)
    note = models.CharField(_("why cancelled or moved"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "start_time"]
        indexes = [models.Index(fields=["group", "date"], name="sessions_session_group_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "date"],
                condition=Q(status="scheduled"),
                name="sessions_one_session_a_day",
                violation_error_message=_("The group already meets that day."),
            ),
            within_bounds("date", "moved_from", name="sessions_session_date_bounded"),
        ]

    def __str__(self):
        return f"{self.group} — {self.date:%Y-%m-%d}"

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.start_time))

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Enrollment(models.Model):
    """A referral's place in a group. Moving to another group ends one enrolment and starts
    another; attendance belongs to the referral, so it moves with it."""

    class End(models.TextChoices):
        MOVED = "moved", _("Moved to another group")
        COMPLETED = "completed", _("Completed the program")
        DISCHARGED = "discharged", _("Discharged")
        LEFT = "left", _("Left the program")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("referral"),
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("group")
    )
    start_date = models.DateField(_("starts"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=End, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolled by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(ended_on__isnull=True),
                name="sessions_one_group_at_a_time",
                violation_error_message=_("The person is already in a group."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | Q(ended_on__gte=models.F("start_date")) & ~Q(end_reason=""),
                name="sessions_enrollment_end",
            ),
            within_bounds("start_date", "ended_on", name="sessions_enrollment_dates_bounded"),
        ]

    def __str__(self):
        return f"{self.referral} → {self.group}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Attendance(models.Model):
    """Whether a person attended a session. One row per person and session, whatever the
    number of saves (two tabs, a double click)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        EXCUSED = "excused", _("Excused absence")
        UNEXCUSED = "unexcused", _("Unexcused absence")

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("session")
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("referral"),
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status)
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    makeup = models.BooleanField(_("make-up from another group"), default=False)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [models.Index(fields=["referral"], name="sessions_attendance_referral")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "referral"], name="sessions_attendance_once"
            ),
            models.CheckConstraint(
                condition=Q(status="late", minutes_late__gt=0)
                | ~Q(status="late") & Q(minutes_late__isnull=True),
                name="sessions_attendance_minutes_late",
                violation_error_message=_("Say how many minutes late."),
            ),
            models.CheckConstraint(
                condition=Q(minutes_late__lte=LONGEST_SESSION),
                name="sessions_attendance_late_within_a_session",
            ),
        ]

    def __str__(self):
        return f"{self.session}: {self.get_status_display()}"


# A document, once issued, says forever what it said: only its PDF may be written (once, when
# rendered) and a certificate may be revoked (once).
FROZEN = (
    "OLD.code IS DISTINCT FROM NEW.code"
    " OR OLD.details IS DISTINCT FROM NEW.details"
    " OR OLD.referral_id IS DISTINCT FROM NEW.referral_id"
    " OR OLD.language IS DISTINCT FROM NEW.language"
    " OR OLD.issued_at IS DISTINCT FROM NEW.issued_at"
    " OR (length(OLD.pdf) > 0 AND OLD.pdf IS DISTINCT FROM NEW.pdf)"
    " OR (OLD.pdf_file <> '' AND OLD.pdf_file IS DISTINCT FROM NEW.pdf_file)"
    " OR (OLD.revoked_at IS NOT NULL AND OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)"
)
DOCUMENT_FROZEN = pgtrigger.Protect(
    name="frozen", operation=pgtrigger.Update, condition=pgtrigger.Condition(FROZEN)
)
# A report also keeps, forever, which earlier report it replaces.
REPORT_FROZEN = pgtrigger.Protect(
    name="frozen",
    operation=pgtrigger.Update,
    condition=pgtrigger.Condition(
        FROZEN + " OR OLD.replaces_id IS DISTINCT FROM NEW.replaces_id OR OLD.kind <> NEW.kind"
    ),
)
NO_DELETE = pgtrigger.Protect(name="no_delete", operation=pgtrigger.Delete)


class Document(models.Model):
    """What every document for the court has: whose, in which language, what it says (a
    snapshot: later edits to the file never change it), its PDF, and a code to check it."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    details = models.JSONField(_("contents"))
    # The PDF is in `pdf`, or in the file storage under the name `pdf_file` (ipv.core.files).
    pdf = models.BinaryField(_("PDF"), default=bytes, editable=False)
    pdf_file = models.CharField(max_length=200, blank=True, default="", editable=False)
    revoked_at = models.DateTimeField(pgettext_lazy("document", "revoked"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf_file) or bool(self.pdf)


class Certificate(Document):
    """The completion certificate, in the participant's language."""

    revoked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("why revoked"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("completion certificate")
        verbose_name_plural = _("completion certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(revoked_at__isnull=True),
                name="sessions_one_valid_certificate",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revocation_reason="")
                | Q(revoked_at__isnull=False) & ~Q(revocation_reason=""),
                name="sessions_certificate_revoked_with_reason",
            ),
        ]
        triggers = [DOCUMENT_FROZEN, NO_DELETE]

    def __str__(self):
        return self.code


class CourtReport(Document):
    """A document for the court about one referral: attendance so far, or the non-compliance
    that led to a discharge (both in the court's language, each issued after a preview, and
    replaceable by a corrected one); or the notice that the referral returns to the court, with
    the reason written for it (in the participant's language, like the certificate)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Attendance progress report")
        NON_COMPLIANCE = "non_compliance", _("Non-compliance and discharge report")
        RETURN_NOTICE = "return_notice", _("Notice of return to the court")

    kind = models.CharField(_("report"), max_length=20, choices=Kind)
    # The court sees only the latest report; the one it replaces stays in the agency's records.
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )

    class Meta:
        verbose_name = _("court report")
        verbose_name_plural = _("court reports")
        ordering = ["-issued_at"]
        triggers = [REPORT_FROZEN, NO_DELETE]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"

    @property
    def is_replaceable(self) -> bool:
        """Reports can be corrected by a new one; a notice of return is not a report."""
        return self.kind in REPLACEABLE and not hasattr(self, "replaced_by")


# The reports an agency previews, issues, and may replace.
REPLACEABLE = (CourtReport.Kind.PROGRESS, CourtReport.Kind.NON_COMPLIANCE)


class CalendarFeed(models.Model):
    """A private address where a facilitator's calendar app reads their sessions. Only a hash
    of its token is kept; a new address replaces the old one."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"],
                condition=Q(revoked_at__isnull=True),
                name="sessions_one_feed_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.agency})"
