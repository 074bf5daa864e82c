"""A facilitator's calendar feed: a private address (a token) their calendar app reads. It
lists the sessions of their groups, never who attends them."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from ipv.accounts.models import Role
from sessions_app.models import CalendarFeed, Session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(*, user, agency) -> str:
    """A new private address for the person's calendar; the previous one stops working.
    Returns the token, shown once."""
    feed_revoke(user=user, agency=agency)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(user=user, agency=agency, token_hash=_hash(token))
    return token


def feed_revoke(*, user, agency) -> int:
    return CalendarFeed.objects.filter(user=user, agency=agency, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_for_token(token: str) -> CalendarFeed | None:
    """The working feed of that token (its person still a facilitator there), or None."""
    feed = (
        CalendarFeed.objects.filter(token_hash=_hash(token), revoked_at__isnull=True)
        .select_related("user", "agency")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    if not feed.user.memberships.filter(
        agency=feed.agency, is_active=True, role=Role.FACILITATOR
    ).exists():
        return None
    return feed


def feed_ics(feed: CalendarFeed, *, title: str) -> bytes:
    """The feed as iCalendar: the person's groups' sessions from a month ago on."""
    sessions = (
        Session.objects.filter(
            group__facilitators=feed.user,
            group__agency=feed.agency,
            date__gte=timezone.localdate() - timedelta(days=31),
        )
        .select_related("group", "module")
        .order_by("date", "start_time")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//IPV//sessions//")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    for session in sessions:
        start = timezone.make_aware(datetime.combine(session.date, session.start_time))
        event = Event()
        event.add("uid", f"session-{session.pk}@ipv")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=session.group.duration_minutes))
        event.add("summary", f"{session.group.name} — {session.module}")
        event.add("location", session.group.location or session.group.video_link)
        if session.status == Session.Status.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
