"""Writing messages to the outbox. Callers write inside their own transaction, under a key that
names what the message is about; a second write under the same key writes nothing. Sending is
in ipv.notifications.sending, after commit."""

import datetime
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from ipv.notifications.models import Audience, Channel, Kind, OutboxMessage, State
from ipv.notifications.texts import MAX_SEGMENTS, canadian_mobile_number, text_size

logger = logging.getLogger(__name__)


@dataclass
class Draft:
    """One message to write: its key, who it is for and what it says, not yet rendered."""

    key: str
    channel: str
    to: str
    template: str
    context: dict
    language: str
    kind: str
    audience: str = Audience.ACCOUNT
    agency: object = None
    send_after: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    sensitive: bool = True
    # Values of one person (a link of their own) in a context shared by many drafts: the shared
    # context is rendered once, and these are put in its place (escaped in HTML).
    personal: dict = field(default_factory=dict)


def one_line(text: str) -> str:
    """`text` on one line. Non-breaking spaces stay: French puts them before « : » and inside
    « » (str.split would take them for spaces)."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def render_email(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """templates/emails/<template>.subject.txt|.txt|.html in `language`."""
    with translation.override(language):
        # A subject is plain text: not HTML-escaped ("Centre d'aide", "A & B" as written).
        subject = get_template(f"emails/{template}.subject.txt").template.render(
            Context(context, autoescape=False)
        )
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return one_line(subject)[:200], text, html


def render_text(template: str, context: dict, language: str) -> str:
    """templates/texts/<template>.txt in `language`, on as few lines as it was written."""
    with translation.override(language):
        body = render_to_string(f"texts/{template}.txt", context)
    return "\n".join(line.strip() for line in body.strip().splitlines() if line.strip())


def _slot(name: str) -> str:
    # Letters only: HTML escaping and line stripping leave it as it is.
    return f"IPVPERSONAL{name}END"


class _Renderer:
    """Renders drafts, once per shared context, template and language (a sweep's 5,000
    reminders of one session say the same but for a link), and checks each number once."""

    def __init__(self):
        self.rendered = {}
        self.numbers = {}

    def _shared(self, draft: Draft) -> tuple[str, ...]:
        # The drafts, alive for the whole write, keep their contexts' ids distinct.
        key = (draft.channel, draft.template, draft.language, id(draft.context))
        key += tuple(sorted(draft.personal))
        if key not in self.rendered:
            context = {**draft.context, **{name: _slot(name) for name in draft.personal}}
            if draft.channel == Channel.SMS:
                self.rendered[key] = ("", render_text(draft.template, context, draft.language), "")
            else:
                self.rendered[key] = render_email(draft.template, context, draft.language)
        return self.rendered[key]

    def __call__(self, draft: Draft) -> tuple[str, str, str]:
        subject, body, html = self._shared(draft)
        for name, value in draft.personal.items():
            value = str(value)
            subject = subject.replace(_slot(name), value)
            body = body.replace(_slot(name), value)
            html = html.replace(_slot(name), escape(value))
        return subject, body, html

    def number(self, raw) -> str | None:
        if raw not in self.numbers:
            self.numbers[raw] = canadian_mobile_number(raw)
        return self.numbers[raw]


def _message(draft: Draft, now, render: _Renderer) -> OutboxMessage:
    subject, body, html = render(draft)
    if draft.channel == Channel.SMS:
        number = render.number(draft.to)
        if number is None:
            raise ValidationError(_("Texts go to Canadian mobile numbers only."), code="number")
        size = text_size(body)
        if size.segments > MAX_SEGMENTS:
            raise ValidationError(_("This text message is too long."), code="too_long")
        to, segments = number, size.segments
    else:
        to, segments = draft.to, None
    return OutboxMessage(
        key=draft.key[:200],
        kind=draft.kind,
        audience=draft.audience,
        channel=draft.channel,
        to=to,
        subject=subject,
        body_text=body,
        body_html=html,
        segments=segments,
        sensitive=draft.sensitive,
        agency=draft.agency,
        created_at=now,
        send_after=draft.send_after or now,
        expires_at=draft.expires_at,
    )


def messages_write(drafts: Iterable[Draft], *, now=None, skip_refused: bool = False) -> int:
    """Render and write `drafts` in the current transaction. A key already written is left as
    it is and not rendered again, so a sweep that runs every few minutes costs little after its
    first run. Returns how many were written (a key another transaction wrote at the same
    moment is counted, but written once). The worker is woken after commit.

    A draft the outbox refuses (a text too long, a number that takes no text) raises, unless
    `skip_refused`: a sweep writing many people's reminders leaves that one out (logged by its
    key) and writes the others, rather than failing for everyone at every run."""
    now = now or timezone.now()
    drafts = {draft.key[:200]: draft for draft in drafts}
    known = set(OutboxMessage.objects.filter(key__in=list(drafts)).values_list("key", flat=True))
    render = _Renderer()
    messages = []
    for key, draft in drafts.items():
        if key in known:
            continue
        try:
            messages.append(_message(draft, now, render))
        except ValidationError as refused:
            if not skip_refused:
                raise
            logger.warning("outbox: %s not written (%s)", key, refused.code)
    if not messages:
        return 0
    OutboxMessage.objects.bulk_create(
        messages, ignore_conflicts=True, unique_fields=["key"], batch_size=1000
    )
    transaction.on_commit(_send_soon)
    return len(messages)


def email_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    language: str,
    key: str | None = None,
    kind: str = Kind.ACCOUNT,
    audience: str = Audience.ACCOUNT,
    sensitive=False,
    agency=None,
    send_after=None,
) -> bool:
    """Queue one email; a key already used writes nothing. Without a key the message is one of
    its kind (an invitation sent again is a new message)."""
    return bool(
        messages_write(
            [
                Draft(
                    key=key or f"{kind}:{uuid.uuid4()}",
                    channel=Channel.EMAIL,
                    to=to,
                    template=template,
                    context=context,
                    language=language,
                    kind=kind,
                    audience=audience,
                    agency=agency,
                    sensitive=sensitive,
                    send_after=send_after,
                )
            ]
        )
    )


def message_enqueue(
    *, to: str, subject: str, text: str, html: str = "", sensitive=False, agency=None
) -> OutboxMessage:
    """Queue an email already written (allauth's own); it leaves after the current
    transaction commits."""
    message = OutboxMessage.objects.create(
        key=f"{Kind.ACCOUNT}:{uuid.uuid4()}",
        to=to,
        subject=one_line(subject)[:200],
        body_text=text,
        body_html=html,
        sensitive=sensitive,
        agency=agency,
    )
    transaction.on_commit(_send_soon)
    return message


def messages_cancel(*, key_prefix: str, reason: str) -> int:
    """Cancel the messages not yet sent whose key starts with `key_prefix` (the rules that
    allowed them changed). A message being sent at this moment is past stopping."""
    return OutboxMessage.objects.filter(state=State.PENDING, key__startswith=key_prefix).update(
        state=State.CANCELLED, last_error=reason[:300], to="", body_text="", body_html=""
    )


def messages_readdress(*, key_prefix: str, to: str) -> int:
    """Send the messages not yet sent whose key starts with `key_prefix` to `to` instead (the
    person's address changed: the old one may be someone else's now)."""
    return OutboxMessage.objects.filter(state=State.PENDING, key__startswith=key_prefix).update(
        to=to
    )


@transaction.atomic
def retention_start(message: OutboxMessage) -> datetime.datetime:
    """The moment before which a message written is past the time its text is kept (the
    agency's period, else the province's): ipv.pages.retention empties it."""
    days = getattr(message.agency, "retain_outbox_days", None) or settings.IPV_RETAIN_OUTBOX_DAYS
    return timezone.now() - datetime.timedelta(days=days)


def message_retry(*, message: OutboxMessage, by) -> OutboxMessage:
    """Send a failed message again, from its first attempt."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.state != State.FAILED:
        raise ValidationError(_("Only a failed message can be sent again."), code="state")
    if message.audience == Audience.VICTIM:
        # Written for a safe moment under rules that may have changed since (do not contact,
        # consent withdrawn): it is not sent blindly again, it became a task for the
        # partner-contact worker (victims.services.messages.undelivered_sweep).
        raise ValidationError(
            _(
                "A message to a victim or partner is not sent again: the partner-contact "
                "worker has a task to make contact instead."
            ),
            code="victim",
        )
    if message.created_at < retention_start(message):
        raise ValidationError(
            _("This message's text was removed after the time it is kept: it cannot be sent."),
            code="emptied",
        )
    message.state = State.PENDING
    message.attempts = 0
    message.send_after = timezone.now()
    message.retried_by = by
    message.save(update_fields=["state", "attempts", "send_after", "retried_by"])
    transaction.on_commit(_send_soon)
    return message


def within_hours(
    moment: datetime.datetime, start: datetime.time, end: datetime.time
) -> datetime.datetime:
    """`moment`, or the first moment after it inside the daily hours [start, end) in local time.
    Hours may run past midnight (22:00–06:00)."""
    local = timezone.localtime(moment)
    tz = local.tzinfo

    def inside(when: datetime.time) -> bool:
        if start <= end:
            return start <= when < end
        return when >= start or when < end

    if start == end or inside(local.time()):
        return moment
    opening = datetime.datetime.combine(local.date(), start, tzinfo=tz)
    if opening <= local:
        opening += datetime.timedelta(days=1)
    return opening


def _send_soon():
    """Ask the worker to send now; if Redis is down, the periodic job sends it later."""
    from ipv.notifications.tasks import send_due_messages

    try:
        send_due_messages.delay()
    except Exception:  # the broker is unreachable: the outbox keeps the message
        logger.warning("outbox: could not reach the broker; the periodic job will send")
