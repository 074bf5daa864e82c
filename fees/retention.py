"""Retention of the fee records of a referral being de-identified (ipv.pages.retention): the
amounts, bands and dates stay for the figures; what a worker wrote about the person's life
goes, from the records and their history."""

from fees.models import FeeAssessment, FeeProposal
from ipv.core.history import history_scrub

ASSESSMENT_BLANK = {"circumstances": ""}
PROPOSAL_BLANK = {"reason": "", "decision_note": ""}


def fee_texts_clear(*, referral_ids: list[int]) -> None:
    """Blank the written circumstances and reasons of the fees of `referral_ids`."""
    for model, blank in ((FeeAssessment, ASSESSMENT_BLANK), (FeeProposal, PROPOSAL_BLANK)):
        ids = list(model.objects.filter(referral_id__in=referral_ids).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(**blank)
        history_scrub(model, ids, **blank)
