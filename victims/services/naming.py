"""Recording the people an order names, for whoever records the order. These answer with
counts, never with the rows: whoever records the people named in an order has no business
reading them back."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from referrals.models import Referral
from referrals.services.referrals import e_referral_submit, referral_create
from victims import rules
from victims.models import OutreachTask, Victim
from victims.models.outreach import TaskKind
from victims.rls import confidential
from victims.services.once import first_send
from victims.services.workers import carrying_workers

# What a referral form may record about each person named in the order.
NAMED_PERSON_FIELDS = ("relationship", "full_name", "phone", "email", "safe_contact_notes")


@transaction.atomic
def victims_record(*, agency, referral, people: Iterable[dict], by) -> int:
    """Store the victims and partners named in a referral's order; return how many."""
    with confidential(agency):
        return _victims_record(agency=agency, referral=referral, people=people, by=by)


def _victims_record(*, agency, referral, people, by) -> int:
    return len(_victims_rows(agency=agency, referral=referral, people=people, by=by))


def _victims_rows(*, agency, referral, people, by) -> list[Victim]:
    rows = []
    for person in people:
        row = Victim(
            agency=agency,
            referral=referral,
            created_by=by,
            # Unless the form says otherwise, the household's language: the participant's.
            language=person.get("language") or referral.participant.language,
            **{field: str(person.get(field) or "") for field in NAMED_PERSON_FIELDS},
        )
        row.full_clean(exclude=["agency", "referral", "created_by"])
        rows.append(row)
    return Victim.objects.bulk_create(rows)


@transaction.atomic
def person_named_later(*, referral: Referral, person: dict, by, submission_key=None) -> None:
    """A person the participant names once the referral exists (a new current partner),
    recorded for outreach. With the referral already accepted, outreach's first contact is
    asked of the partner-contact worker at once, due the next business day; before that,
    the acceptance will ask it, as for everyone the order names. Answers nothing back."""
    with confidential(referral.agency_id):
        if not first_send(agency_id=referral.agency_id, by=by, key=submission_key):
            return  # sent before
        (victim,) = _victims_rows(agency=referral.agency, referral=referral, people=[person], by=by)
        Victim.objects.filter(pk=victim.pk).update(source=Victim.Source.NAMED_LATER)
        if referral.accepted_at is None:
            return
        worker = carrying_workers([referral.pk]).get(referral.pk)
        OutreachTask.objects.create(
            agency_id=referral.agency_id,
            referral=referral,
            victim=victim,
            kind=TaskKind.ACCEPTED,
            due_on=rules.business_day_after(timezone.localdate()),
            assignee_id=worker,
        )


@transaction.atomic
def referral_create_naming(
    *,
    agency,
    by,
    participant: dict,
    order: dict,
    named_people: Iterable[dict] = (),
    submission_key=None,
) -> Referral:
    """Record a referral (referrals.services.referral_create) and, in the same transaction,
    the victims and partners its order names, here in the confidential store."""
    people = list(named_people)
    referral = referral_create(
        agency=agency,
        by=by,
        participant=participant,
        order=order,
        people_named=len(people),
        submission_key=submission_key,
    )
    victims_record(agency=agency, referral=referral, people=people, by=by)
    return referral


@transaction.atomic
def e_referral_submit_naming(
    *,
    officer,
    agency,
    participant: dict,
    order: dict,
    named_people: Iterable[dict] = (),
    submission_key=None,
) -> Referral:
    """A court liaison officer's e-referral (referrals.services.e_referral_submit) and the
    people its order names, stored here in the same transaction."""
    people = list(named_people)
    referral = e_referral_submit(
        officer=officer,
        agency=agency,
        participant=participant,
        order=order,
        people_named=len(people),
        submission_key=submission_key,
    )
    victims_record(agency=agency, referral=referral, people=people, by=officer)
    return referral
