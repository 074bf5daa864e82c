"""Timeliness figures: days from the referral to the first contact, the intake and the first
group session attended, against a fixture counted by hand; and the agency's delays for them."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Agency
from ipv.figures.periods import Period, quarter
from ipv.figures.scope import Scope
from ipv.figures.sections import timeliness
from referrals.models import Intake, Referral
from sessions_app.models import Attendance, Session
from sessions_app.services.groups import group_create
from tests.conftest import AGENCY_NUMBERS, make_referral

pytestmark = pytest.mark.django_db

CURRENT = quarter(2026, 3)  # 2026-07-01 to 2026-09-30
PREVIOUS = CURRENT.previous()  # 2026-04-01 to 2026-06-30

# The fixture, agency "riviere" (delays: contact 7 days, intake 30, first session 60).
# Days are counted from the date received to the step's local date.
#
#        received  first contact        intake held     first session attended
# R1     Jul  2    Jul  4   →  2 now    Jul 20 → 18 now  Jul 28 → 26 now (absent Jul 21 first)
# R2     Jul 10    Jul 20   → 10 now    Aug 25 → 46 now  Aug 27 → 48 now (a make-up, Thursday)
# R3     Aug  3    Aug  6   →  3 now    Aug 20 → 17 now  Aug 25 → 22 now (late; the mark on the
#                                                         cancelled Aug 18 session not counted)
# R4     Aug 10    Aug 30   → 20 now    —                Sep  8 → 29 now
# R5     Jun 20    Jul  3   → 13 now    Jul 15 → 25 now  Jun 30 → 10 before
#        (received in one quarter, contacted in the next)
# R6     Apr  6    Apr 11   →  5 before May  1 → 25 before Jun 9 → 64 before (left early)
# R7     May  4    May 18   → 14 before Jul  2 → 59 now  Sep 15 → 134 now
# R8     Sep  1    Sep 30 23:30 local → 29 now (Oct 1 in UTC)          Sep 29 → 28 now
# R9     Jul  6    transfer-in: contacted Jul 7, intake Jul 10, present Jul 14 → all left out
# R10    Sep 20    not contacted, nothing else           → in no cohort
# R11    Mar  2    —                    —                Mar 31 (Q1), again Jul 7 → in no cohort
#
# First contact, now: 2, 3, 10, 13, 20, 29 (n=6): median (10+13)/2 = 11.5;
#   p90 at rank 0.9×5 = 4.5: 20 + 0.5×(29−20) = 24.5; within 7 days: 2 of 6.
#   before: 5, 14 (n=2): median 9.5; p90 at 0.9: 5 + 0.9×9 = 13.1; within 7: 1 of 2.
#   months: July 2, 10, 13 → 10; August 3, 20 → 11.5; September 29 → 29.
# Intake, now: 17, 18, 25, 46, 59 (n=5): median 25; p90 at 3.6: 46 + 0.6×13 = 53.8;
#   within 30: 3 of 5. before: 25 (n=1): median 25, p90 25, within 30: 1 of 1.
# First session, now: 22, 26, 28, 29, 48, 134 (n=6): median (28+29)/2 = 28.5;
#   p90 at 4.5: 48 + 0.5×86 = 91; within 60: 5 of 6.
#   before: 10, 64 (n=2): median 37; p90 at 0.9: 10 + 0.9×54 = 58.6; within 60: 1 of 2.


def _at(day: date, hour=10, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Fixture:
    def __init__(self, world):
        self.world = world
        self.count = 0
        self.weekly = self._group("Mardi", weekday=1, start=date(2026, 3, 3))
        self.other_weekly = self._group("Jeudi", weekday=3, start=date(2026, 3, 5))

    def _group(self, name, *, weekday, start):
        group = group_create(
            agency=self.world.agency,
            by=self.world["manager"],
            name=name,
            program="ipv",
            language="fr",
            weekday=weekday,
            start_time=time(18, 30),
            start_date=start,
            location="100 Main Street",
        )
        return {session.date: session for session in group.sessions.all()}

    def referral(self, received, *, contacted=None, intake=None, agency=None, via="staff"):
        self.count += 1
        agency = agency or self.world.agency
        court = self.world.court if agency == self.world.agency else self.world.other_court
        referral = make_referral(
            agency,
            self.world["intake"] if agency == self.world.agency else self.world["other_intake"],
            court,
            person={"legal_name": f"Personne Numéro {self.count}"},
            court_file_number=f"4811-998-26-{self.count + 100:05d}",
            order_date=received,
            received_on=received,
            complete_by=received + timedelta(days=200),
            via=via,
        )
        if contacted:
            moment = contacted if isinstance(contacted, datetime) else _at(contacted)
            Referral.objects.filter(pk=referral.pk).update(first_contact_at=moment)
        if intake:
            Intake.objects.create(
                agency=agency,
                referral=referral,
                scheduled_at=_at(intake),
                booked_by=self.world["intake"],
                held_on=intake,
                eligibility=Intake.Eligibility.ELIGIBLE,
                completed_at=_at(intake, 12),
                completed_by=self.world["intake"],
            )
        return referral

    def attend(self, referral, day, status="present", *, makeup=False):
        session = (self.other_weekly if makeup else self.weekly)[day]
        Attendance.objects.create(
            agency=self.world.agency,
            session=session,
            referral=referral,
            status=status,
            minutes_late=10 if status == "late" else None,
            makeup=makeup,
            recorded_by=self.world["facilitator"],
        )
        return session


def build(world) -> Fixture:
    f = Fixture(world)
    r1 = f.referral(date(2026, 7, 2), contacted=date(2026, 7, 4), intake=date(2026, 7, 20))
    f.attend(r1, date(2026, 7, 21), "unexcused")
    f.attend(r1, date(2026, 7, 28))
    r2 = f.referral(date(2026, 7, 10), contacted=date(2026, 7, 20), intake=date(2026, 8, 25))
    f.attend(r2, date(2026, 8, 27), makeup=True)
    f.attend(r2, date(2026, 9, 1))
    r3 = f.referral(date(2026, 8, 3), contacted=date(2026, 8, 6), intake=date(2026, 8, 20))
    # A mark left on a session that was then cancelled (the service now refuses both): a
    # cancelled session was not held, so it is nobody's first.
    cancelled = f.attend(r3, date(2026, 8, 18))
    Session.objects.filter(pk=cancelled.pk).update(status=Session.Status.CANCELLED)
    f.attend(r3, date(2026, 8, 25), "late")
    r4 = f.referral(date(2026, 8, 10), contacted=date(2026, 8, 30))
    f.attend(r4, date(2026, 9, 8))
    r5 = f.referral(date(2026, 6, 20), contacted=date(2026, 7, 3), intake=date(2026, 7, 15))
    f.attend(r5, date(2026, 6, 30))
    f.attend(r5, date(2026, 7, 7))
    r6 = f.referral(date(2026, 4, 6), contacted=date(2026, 4, 11), intake=date(2026, 5, 1))
    f.attend(r6, date(2026, 6, 9), "left_early")
    r7 = f.referral(date(2026, 5, 4), contacted=date(2026, 5, 18), intake=date(2026, 7, 2))
    f.attend(r7, date(2026, 9, 15))
    r8 = f.referral(date(2026, 9, 1), contacted=_at(date(2026, 9, 30), 23, 30))
    f.attend(r8, date(2026, 9, 29))
    r9 = f.referral(
        date(2026, 7, 6), contacted=date(2026, 7, 7), intake=date(2026, 7, 10), via="transfer"
    )
    f.attend(r9, date(2026, 7, 14))
    f.referral(date(2026, 9, 20))
    r11 = f.referral(date(2026, 3, 2))
    f.attend(r11, date(2026, 3, 31))
    f.attend(r11, date(2026, 7, 7))
    return f


def figures(scope, current=CURRENT, previous=PREVIOUS) -> dict:
    results = timeliness.compute(scope, current, previous)
    return {result.figure.key: result for result in results}


def values(result):
    current = None if result.current is None else round(result.current, 4)
    previous = None if result.previous is None else round(result.previous, 4)
    return current, previous


def test_every_timeliness_figure_matches_the_hand_count(world):
    build(world)
    got = figures(Scope.agency(world.agency))

    assert values(got["first_contact_median"]) == (11.5, 9.5)
    assert values(got["first_contact_p90"]) == (24.5, 13.1)
    assert values(got["first_contact_within"]) == (round(2 / 6, 4), 0.5)
    assert got["first_contact_median"].counted == (6, 2)
    assert got["first_contact_within"].counted == (6, 2)

    assert values(got["intake_median"]) == (25, 25)
    assert values(got["intake_p90"]) == (53.8, 25)
    assert values(got["intake_within"]) == (0.6, 1.0)
    assert got["intake_p90"].counted == (5, 1)

    assert values(got["first_session_median"]) == (28.5, 37)
    assert values(got["first_session_p90"]) == (91, 58.6)
    assert values(got["first_session_within"]) == (round(5 / 6, 4), 0.5)
    assert got["first_session_within"].counted == (6, 2)


def test_the_first_contact_median_has_a_trend_for_each_month_of_the_period(world):
    build(world)
    result = figures(Scope.agency(world.agency))["first_contact_median"]
    assert result.figure.chart == "line"
    assert result.months == [
        (date(2026, 7, 1), 10),
        (date(2026, 8, 1), 11.5),
        (date(2026, 9, 1), 29),
    ]


def test_a_month_without_contact_has_no_median(world):
    build(world)
    longer = Period(date(2026, 7, 1), date(2026, 10, 31))
    result = figures(Scope.agency(world.agency), longer, longer.previous())["first_contact_median"]
    assert result.months[-1] == (date(2026, 10, 1), None)
    assert result.months[0] == (date(2026, 7, 1), 10)


def test_an_empty_period_has_no_median_and_no_share(world):
    build(world)
    empty = Period(date(2025, 1, 1), date(2025, 1, 31))
    got = figures(Scope.agency(world.agency), empty, empty.previous())
    for result in got.values():
        assert result.current is None and result.previous is None
        assert result.counted == (0, 0)


def test_the_share_follows_the_agency_delay(world):
    build(world)
    Agency.objects.filter(pk=world.agency.pk).update(
        contact_within_days=10, intake_within_days=17, start_within_days=134
    )
    got = figures(Scope.agency(world.agency))
    # Contact within 10: now 2, 3, 10 of 6; before 5 of (5, 14). Intake within 17: now 17 of
    # 5; before none of (25). First session within 134: now all 6; before both.
    assert values(got["first_contact_within"]) == (0.5, 0.5)
    assert values(got["intake_within"]) == (0.2, 0.0)
    assert values(got["first_session_within"]) == (1.0, 1.0)
    # The medians do not depend on the delays.
    assert values(got["first_contact_median"]) == (11.5, 9.5)


def test_a_province_scope_uses_each_agency_own_delay(world):
    build(world)
    world.other_agency.contact_within_days = 14
    world.other_agency.save(update_fields=["contact_within_days"])
    f = Fixture.__new__(Fixture)
    f.world, f.count = world, 50
    # Contacted in 8 days: late by the first agency's 7, in time by its own 14.
    f.referral(date(2026, 7, 1), contacted=date(2026, 7, 9), agency=world.other_agency)
    province = figures(Scope.province())
    # Now: 2, 3, 8, 10, 13, 20, 29 (n=7): median 10; within: 2, 3 (7 days) and 8 (14 days).
    assert values(province["first_contact_median"]) == (10, 9.5)
    assert values(province["first_contact_within"]) == (round(3 / 7, 4), 0.5)
    assert province["first_contact_within"].counted == (7, 2)
    # Positive control: the agency alone still reads its own six.
    assert figures(Scope.agency(world.agency))["first_contact_within"].counted == (6, 2)
    assert figures(Scope.agency(world.other_agency))["first_contact_within"].current == 1.0


def test_the_section_queries_do_not_grow_with_rows(world):
    f = build(world)
    scope = Scope.agency(world.agency)
    with CaptureQueriesContext(connection) as small:
        figures(scope)
    for n in range(4):
        received = date(2026, 7, 13 + n)
        referral = f.referral(
            received, contacted=received + timedelta(days=n), intake=date(2026, 8, 4)
        )
        f.attend(referral, date(2026, 8, 11))
    with CaptureQueriesContext(connection) as larger:
        got = figures(scope)
    assert got["first_contact_median"].counted == (10, 2)
    assert len(small) == len(larger) == 4


def test_the_section_sits_after_the_referrals_on_the_dashboard(client, world):
    build(world)
    client.force_login(world["manager"])
    response = client.get(
        f"/en/a/{world.agency.slug}/figures/?period=custom&start=2026-07-01&end=2026-09-30"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Referrals received") < page.index("First contact: median days")
    assert "Intake: share within the agency&#x27;s delay" in page
    assert "11.5 days" in page


def test_the_manager_sets_the_intake_and_first_session_delays(client, world):
    client.force_login(world["manager"])
    response = client.post(
        f"/en/a/{world.agency.slug}/settings/",
        {**AGENCY_NUMBERS, "intake_within_days": "21", "start_within_days": "45"},
    )
    assert response.status_code == 302
    world.agency.refresh_from_db()
    assert (world.agency.intake_within_days, world.agency.start_within_days) == (21, 45)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("intake_within_days", "121", "less than or equal to 120"),
        ("intake_within_days", "0", "greater than or equal to 1"),
        ("start_within_days", "181", "less than or equal to 180"),
    ],
)
def test_a_delay_out_of_bounds_is_refused_and_kept_as_typed(client, world, field, value, message):
    client.force_login(world["manager"])
    response = client.post(
        f"/en/a/{world.agency.slug}/settings/",
        {**AGENCY_NUMBERS, "contact_within_days": "9", field: value},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{value}"' in page
    assert 'value="9"' in page  # what else was typed is not lost
    world.agency.refresh_from_db()
    assert (world.agency.intake_within_days, world.agency.start_within_days) == (30, 60)
    assert world.agency.contact_within_days == 7


def test_the_database_refuses_a_delay_out_of_bounds(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=world.agency.pk).update(start_within_days=181)
    # Positive control: the largest value allowed is accepted.
    Agency.objects.filter(pk=world.agency.pk).update(start_within_days=180, intake_within_days=120)
