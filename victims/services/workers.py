"""Who carries a referral's outreach, for the tasks made without a person choosing."""

from django.db.models import Exists, OuterRef

from ipv.accounts.models import Membership
from ipv.core.choices import Role
from victims.models import Assignment


def carrying_workers(referral_ids) -> dict[int, int]:
    """Referral id → the partner-contact worker its outreach is assigned to, when they still
    are one in the agency (active, with the role). A worker who left holds nothing new: their
    referrals' tasks are left for anyone to take."""
    active = Membership.objects.filter(
        agency_id=OuterRef("agency_id"),
        user_id=OuterRef("worker_id"),
        role=Role.PARTNER_CONTACT,
        is_active=True,
        user__is_active=True,
    )
    return dict(
        Assignment.objects.filter(referral_id__in=list(referral_ids))
        .filter(Exists(active))
        .values_list("referral_id", "worker_id")
    )
