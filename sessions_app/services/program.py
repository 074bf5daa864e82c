"""Changes to a referral that reach into the program: its place in a group, its completion,
its court documents. The referral's own rules stay in referrals.services; each function here
calls the referral's service, then does what belongs to this app, in the same transaction.

The agency's pages go through these, never straight to the referral's services, so that a
closed referral never keeps a place in a group and a court always gets its notice.
"""

from django.db import transaction

from referrals.models import Status, Transfer
from referrals.services import intake, transfers
from referrals.services import referrals as referral_services
from sessions_app import completion
from sessions_app.services.attendance import follow_up
from sessions_app.services.documents import court_notice_issue
from sessions_app.services.enrollment import enrollment_follow


def _follow(referral, by) -> None:
    """What the referral's new status means here: a closed referral leaves its group; one
    back in its group (a review that lets the person continue) may have completed with the
    modules made up meanwhile."""
    enrollment_follow(referral=referral)
    if referral.status == Status.ENROLLED:
        follow_up([referral.pk], by)


@transaction.atomic
def referral_transition(*, referral, name: str, by, reason: str, discharge_reason: str = ""):
    """A reason-only transition (contact, waitlist, review, resume, discharge, withdraw); a
    discharge also takes its reason as a code."""
    referral = referral_services.referral_transition(
        referral=referral, name=name, by=by, reason=reason, discharge_reason=discharge_reason
    )
    _follow(referral, by)
    return referral


@transaction.atomic
def intake_record(*, referral, by, court_reason: str = "", **outcome):
    """Record the intake's outcome; a person found not eligible returns to the court, which
    gets its notice with the reason written for it."""
    referral = intake.intake_record(referral=referral, by=by, court_reason=court_reason, **outcome)
    if referral.status == Status.RETURNED_TO_COURT:
        court_notice_issue(referral=referral, by=by, reason=court_reason)
    return referral


@transaction.atomic
def referral_return(*, referral, by, court_reason: str, reason: str = ""):
    """Return the referral to the court before the person starts; its notice is issued."""
    referral = intake.referral_return(
        referral=referral, by=by, court_reason=court_reason, reason=reason
    )
    court_notice_issue(referral=referral, by=by, reason=court_reason)
    return referral


@transaction.atomic
def transfer_request(*, referral, by, to_agency, reason: str, consent_signed_on) -> Transfer:
    """Ask another agency to take the referral over; its summary carries the modules the
    person has attended under this court order."""
    return transfers.transfer_request(
        referral=referral,
        by=by,
        to_agency=to_agency,
        reason=reason,
        consent_signed_on=consent_signed_on,
        modules_attended=completion.modules_attended(referral=referral),
    )


@transaction.atomic
def transfer_accept(*, transfer: Transfer, by, note: str = ""):
    """The receiving agency takes the referral over; the sending agency's referral closes and
    the person's place in its group is freed."""
    new = transfers.transfer_accept(transfer=transfer, by=by, note=note)
    enrollment_follow(referral=transfer.referral)
    return new
