"""The partner-contact work: who carries a referral's outreach, the tasks milestones call for,
each attempt and contact, safety plans, letters printed, and the two narrow doors between the
case team and outreach."""

import pghistory
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipv.audit.models import APPEND_ONLY
from ipv.core.fields import ChoiceArrayField, EncryptedTextField, within_bounds
from ipv.core.history import track_sealed
from victims.models.people import Channel, Victim


def _agency():
    return models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )


def _referral():
    return models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )


def _person(verbose_name, **kwargs):
    return models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
        **kwargs,
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Assignment(models.Model):
    """The partner-contact worker who carries a referral's outreach (one per referral)."""

    agency = _agency()
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="+", verbose_name=_("referral")
    )
    worker = _person(_("partner-contact worker"))
    assigned_by = _person(_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        verbose_name = _("outreach assignment")
        verbose_name_plural = _("outreach assignments")
        indexes = [
            models.Index(fields=["agency", "worker", "-assigned_at"], name="victims_caseload")
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class TaskKind(models.TextChoices):
    """Why a task exists: the participant's milestone that called for it, a facilitator's
    concern, or the worker's own follow-up."""

    ACCEPTED = "accepted", _("Referral accepted: first contact")
    INTAKE_DONE = "intake_done", _("Intake done: update")
    ENROLLED = "enrolled", _("Group started: update")
    ABSENCES = "absences", _("Absences reached the limit")
    ABSENCE_REVIEW = "absence_review", _("Under review for absences")
    DISCHARGED = "discharged", _("Discharged: notice")
    COMPLETED = "completed", _("Completed: follow-up")
    TRANSFERRED = "transferred", _("Transferred from another agency")
    RETURNED_TO_COURT = "returned_to_court", _("Returned to court: notice")
    CONCERN = "concern", _("Concern for someone's safety")
    FOLLOW_UP = "follow_up", _("Follow-up")


class NoMessage(models.TextChoices):
    """Why a task asks a person to do what a message could not (a code: its label is in the
    reader's language)."""

    DO_NOT_CONTACT = "do_not_contact", _("No message: do not contact")
    CONSENT_CONTACT = "consent_contact", _("No message: no consent to be contacted")
    CONSENT_UPDATES = "consent_updates", _("No message: no consent to updates")
    OUTREACH_CLOSED = "outreach_closed", _("No message: outreach was closed")
    NO_CHANNEL = "no_channel", _("No message: neither texts nor email are allowed")
    MESSAGE_NOT_OK = "message_not_ok", _("No message: leaving a message is not allowed")
    NO_ADDRESS = "no_address", _("No message: no mobile number or email address")
    NO_SAFE_MOMENT = "no_safe_moment", _("No message: no safe moment within 7 days")
    HELD_BACK = "held_back", _("A message was held back: the rules changed")
    FAILED = "failed", _("A message could not be delivered")
    EXPIRED = "expired", _("A message could not go out in time")
    SENT = "sent", _("The update went by message")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class OutreachTask(models.Model):
    """Something the partner-contact worker must do for one person, by a date."""

    class State(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    agency = _agency()
    referral = _referral()
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("person")
    )
    kind = models.CharField(_("task"), max_length=20, choices=TaskKind)
    # What called for it: a milestone (read from the referrals stream) or a concern; one task
    # per person for each, whatever the number of times the milestone is read.
    milestone = models.ForeignKey(
        "referrals.Milestone", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concern = models.ForeignKey(
        "victims.Concern", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    # A notice the agency gives even to someone who withdrew consent, by the safe channels.
    mandatory = models.BooleanField(_("mandatory notice"), default=False)
    due_on = models.DateField(_("due"))
    assignee = _person(_("assigned to"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = _person(_("done by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Why a message did not do it (or, for a follow-up, that one went).
    no_message = models.CharField(
        _("message"), max_length=20, choices=NoMessage, blank=True, default="", db_default=""
    )
    # The message held back or undelivered that this task stands for (one task per message);
    # a key, never an address.
    message_key = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("outreach task")
        verbose_name_plural = _("outreach tasks")
        ordering = ["due_on", "-urgent", "pk"]
        indexes = [
            # In the home's order, so that its first rows are read without sorting them all.
            models.Index(
                fields=["agency", "assignee", "due_on", "-urgent", "id"],
                condition=Q(state="open"),
                name="victims_open_tasks",
            ),
            # The tasks nobody holds, in the same order (IS NULL does not let the index above
            # give them in order).
            models.Index(
                fields=["agency", "due_on", "-urgent", "id"],
                condition=Q(state="open", assignee__isnull=True),
                name="victims_unassigned_tasks",
            ),
            models.Index(fields=["victim", "state"], name="victims_task_person"),
            # The figures: the tasks of a kind due in a period.
            models.Index(fields=["agency", "kind", "due_on"], name="victims_tasks_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "victim"],
                condition=Q(milestone__isnull=False),
                name="victims_task_once_per_milestone",
            ),
            models.UniqueConstraint(
                fields=["concern", "victim"],
                condition=Q(concern__isnull=False),
                name="victims_task_once_per_concern",
            ),
            models.UniqueConstraint(
                fields=["message_key"],
                condition=~Q(message_key=""),
                name="victims_task_once_per_message",
            ),
            models.CheckConstraint(
                condition=Q(state="open", done_at__isnull=True)
                | ~Q(state="open") & Q(done_at__isnull=False),
                name="victims_task_done_when_closed",
            ),
            within_bounds("due_on", name="victims_task_due_bounded"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    MESSAGE_LEFT = "message_left", _("Message left")
    UNSAFE = "unsafe", _("Unsafe to talk")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DECLINED = "declined", _("Declined")


class Service(models.TextChoices):
    SAFETY_PLANNING = "safety_planning", _("Safety planning")
    INFORMATION = "information", _("Information on the program and the participant's status")
    ISOLATION = "isolation", _("Support that reduces isolation")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")
    REFERRAL = "referral", _("Referral to a support service")


class CulturalSupport(models.TextChoices):
    ELDER = "elder", _("An Elder")
    CEREMONY = "ceremony", _("A ceremony")
    INDIGENOUS_VICTIM_SERVICE = "indigenous_victim_service", _("An Indigenous victim service")


@track_sealed
class Contact(models.Model):
    """One attempt or contact with a person: when, how, what came of it, what was given."""

    agency = _agency()
    referral = _referral()
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("person")
    )
    at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    # The person reached the agency (a call, a visit): the safe-contact rules, which say how
    # the agency may reach them, do not apply.
    inbound = models.BooleanField(_("they contacted us"), default=False, db_default=False)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome)
    services = ChoiceArrayField(
        models.CharField(max_length=20, choices=Service),
        verbose_name=_("services given"),
        default=list,
        blank=True,
    )
    cultural_supports = ChoiceArrayField(
        models.CharField(max_length=30, choices=CulturalSupport),
        verbose_name=_("cultural supports"),
        default=list,
        blank=True,
    )
    support_service = models.ForeignKey(
        "directory.SupportService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred to"),
    )
    note = EncryptedTextField(_("notes"), max_length=4000, blank=True)
    task = models.ForeignKey(
        OutreachTask,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    # Nobody, for a message the system wrote (automatic): its outbox key says which, and
    # what became of it; its words are not kept here.
    by = _person(_("by"), null=True, blank=True)
    automatic = models.BooleanField(_("automatic message"), default=False, db_default=False)
    message_key = models.CharField(max_length=200, blank=True, default="", db_default="")
    milestone = models.ForeignKey(
        "referrals.Milestone", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["victim", "-at"], name="victims_contacts_of"),
            # The figures: an agency's contacts in a period.
            models.Index(fields=["agency", "at"], name="victims_contacts_when"),
        ]
        constraints = [
            within_bounds("at", name="victims_contact_at_bounded", moments=True),
            models.CheckConstraint(
                condition=Q(automatic=False, by__isnull=False, message_key="")
                | Q(automatic=True, by__isnull=True) & ~Q(message_key=""),
                name="victims_contact_by_someone_or_automatic",
            ),
            # One message per person for each milestone, however often it is read.
            models.UniqueConstraint(
                fields=["milestone", "victim"],
                condition=Q(milestone__isnull=False),
                name="victims_contact_once_per_milestone",
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


# The sections of a safety plan, in the order the plan prints them.
PLAN_SECTIONS = (
    "warning_signs",
    "safe_places",
    "people_to_call",
    "ready_to_go",
    "children",
    "technology",
    "code_word",
)


class SafetyPlanVersion(models.Model):
    """One saved version of a person's safety plan; a new save is a new version, older ones
    stay readable."""

    agency = _agency()
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, related_name="plans", verbose_name=_("person")
    )
    number = models.PositiveIntegerField(_("version"))
    warning_signs = EncryptedTextField(_("Warning signs"), max_length=4000, blank=True)
    safe_places = EncryptedTextField(_("Safe places to go"), max_length=4000, blank=True)
    people_to_call = EncryptedTextField(
        _("People and numbers to call"), max_length=4000, blank=True
    )
    ready_to_go = EncryptedTextField(
        _("Documents and items to keep ready"), max_length=4000, blank=True
    )
    children = EncryptedTextField(_("Children"), max_length=4000, blank=True)
    technology = EncryptedTextField(_("Technology safety"), max_length=4000, blank=True)
    code_word = EncryptedTextField(_("Code word and what it means"), max_length=1000, blank=True)
    saved_by = _person(_("saved by"))
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        ordering = ["-number"]
        # The figures: the versions an agency saved in a period.
        indexes = [models.Index(fields=["agency", "saved_at"], name="victims_plans_saved")]
        constraints = [
            models.UniqueConstraint(fields=["victim", "number"], name="victims_plan_version"),
            models.CheckConstraint(condition=Q(number__gte=1), name="victims_plan_number"),
        ]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return _("Safety plan, version %(number)s") % {"number": self.number}

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) of each section, in order."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name)) for name in PLAN_SECTIONS
        ]


class LetterKind(models.TextChoices):
    START = "start", _("The participant has started the program")
    DISCHARGE = "discharge", _("The participant was discharged from the program")
    COMPLETION = "completion", _("The participant has completed the program")


class LetterPrinted(models.Model):
    """That a letter was printed for a person (the letter itself is made again on demand,
    never stored)."""

    agency = _agency()
    victim = models.ForeignKey(
        Victim, on_delete=models.PROTECT, related_name="letters", verbose_name=_("person")
    )
    kind = models.CharField(_("letter"), max_length=12, choices=LetterKind)
    language = models.CharField(_("language"), max_length=2)
    by = _person(_("printed by"))
    at = models.DateTimeField(_("printed"), default=timezone.now)

    class Meta:
        verbose_name = _("letter printed")
        verbose_name_plural = _("letters printed")
        ordering = ["-at"]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Concern(models.Model):
    """A facilitator's (or case worker's) concern for someone's safety about a participant: a
    threat said in group, a disclosure. It becomes urgent tasks for outreach; whoever raised it
    sees nothing of the people concerned."""

    agency = _agency()
    referral = _referral()
    note = EncryptedTextField(_("what was said or seen"), max_length=4000)
    raised_by = _person(_("raised by"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)

    class Meta:
        verbose_name = _("safety concern")
        verbose_name_plural = _("safety concerns")
        ordering = ["-raised_at"]
        triggers = [APPEND_ONLY]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class RiskAlert(models.Model):
    """The one thing that flows from outreach to the participant's file: a fixed message that
    risk is reported elevated, with nothing that identifies who reported it."""

    agency = _agency()
    referral = _referral()
    sent_by = _person(_("sent by"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    seen_by = _person(_("seen by"), null=True, blank=True)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seen_by__isnull=True, seen_at__isnull=True)
                | Q(seen_by__isnull=False, seen_at__isnull=False),
                name="victims_alert_seen",
            )
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class FormSent(models.Model):
    """A form of the confidential store that was sent and did what it asked, by its one-time
    key: sent again (a double click, a reload, two tabs), it does nothing more."""

    agency = _agency()
    key = models.UUIDField(unique=True)
    by = _person(_("by"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        triggers = [APPEND_ONLY]

    def __str__(self):
        return str(self.key)
