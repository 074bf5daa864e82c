"""Possible duplicates: the same person referred twice, under a name spelled a little
differently. A worker decides: the same person (merge) or two people (keep apart).

Names are compared by pg_trgm's similarity() on their unaccented forms ("Éric" is "Eric"), in
the database, among the agency's people born the same day or whose names hold every word of the
new name (both found through the trigram index on the names).
"""

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from ipv.audit.services import Action, audit_record
from ipv.core.search import Unaccented, unaccented, words
from referrals.models import Consent, EventKind, Participant, PossibleDuplicate, Referral
from referrals.services.referrals import event_record

# Born the same day with names this alike, or the same words in the name whatever the date.
SAME_BIRTH_DATE_THRESHOLD = 0.3
MAX_CANDIDATES = 20


def holds_word(word: str) -> Q:
    """The participant's names hold `word` as a whole word, accents and case aside."""
    pattern = Concat(Value(r"\m"), unaccented(word), Value(r"\M"), output_field=TextField())
    return Q(search_text__regex=pattern)


def duplicates_flag(*, participant: Participant) -> list[PossibleDuplicate]:
    """Flag the agency's other people who resemble `participant`."""
    name_words = words(participant.legal_name)
    same_words = Q(pk__in=[])
    if name_words:
        same_words = Q()
        for word in name_words:
            same_words &= holds_word(word)
    same_day = Q(date_of_birth=participant.date_of_birth)
    candidates = (
        Participant.objects.filter(agency_id=participant.agency_id, merged_into__isnull=True)
        .exclude(pk=participant.pk)
        .annotate(
            score=Greatest(
                TrigramSimilarity(Unaccented("legal_name"), unaccented(participant.legal_name)),
                TrigramSimilarity(
                    F("search_text"),
                    Unaccented(Value(participant.legal_name), Value(participant.preferred_name)),
                ),
            )
        )
        .filter((same_day & Q(score__gte=SAME_BIRTH_DATE_THRESHOLD)) | same_words)
        .order_by("-created_at")
        .values_list("pk", "score", "date_of_birth")[:MAX_CANDIDATES]
    )
    found = [
        PossibleDuplicate(
            agency_id=participant.agency_id,
            participant=participant,
            existing_id=pk,
            name_similarity=round(score, 3),
            same_birth_date=date_of_birth == participant.date_of_birth,
        )
        for pk, score, date_of_birth in candidates
    ]
    return PossibleDuplicate.objects.bulk_create(found, ignore_conflicts=True)


def _carry_pending_pairs(*, new, known, by, now) -> None:
    """After `new` is merged into `known`, its undecided pairs become the known person's."""
    decided = {"resolved_by": by, "resolved_at": now}
    PossibleDuplicate.objects.filter(participant=new, resolution="").update(
        resolution=PossibleDuplicate.Resolution.KEPT, **decided
    )
    for pair in PossibleDuplicate.objects.filter(existing=new, resolution=""):
        if pair.participant_id == known.pk:
            pair.resolution = PossibleDuplicate.Resolution.MERGED
        elif PossibleDuplicate.objects.filter(
            participant_id=pair.participant_id, existing=known
        ).exists():
            pair.resolution = PossibleDuplicate.Resolution.KEPT
        else:
            pair.existing = known  # someone who resembled the merged record: still undecided
            pair.save(update_fields=["existing"])
            continue
        pair.resolved_by, pair.resolved_at = by, now
        pair.save()


# Filled in on the person already known when their record leaves them blank.
FILLABLE_FIELDS = (
    "preferred_name",
    "pronouns",
    "other_languages",
    "interpreter_language",
    "phone",
    "email",
    "street_address",
    "city",
    "postal_code",
    "indigenous_identity",
    "accessibility_needs",
)


@transaction.atomic
def duplicate_resolve(*, duplicate: PossibleDuplicate, by, same_person: bool) -> Participant:
    """Merge the new record into the known person, or keep them apart. Returns the
    participant the worker should look at next."""
    duplicate = (
        PossibleDuplicate.objects.select_for_update()
        .select_related("participant", "existing")
        .get(pk=duplicate.pk)
    )
    if duplicate.resolution:
        raise ValidationError(_("This was already decided."), code="decided")
    now = timezone.now()
    new, known = duplicate.participant, duplicate.existing
    if not same_person:
        duplicate.resolution = PossibleDuplicate.Resolution.KEPT
        duplicate.resolved_by, duplicate.resolved_at = by, now
        duplicate.save()
        return new
    if new.merged_into_id or known.merged_into_id:
        raise ValidationError(_("One of these records was already merged."), code="merged")
    if new.deidentified_at or known.deidentified_at:
        # Merging would fill the record kept with the identity retention removed.
        raise ValidationError(
            _("One of these records no longer names anyone: it cannot be merged."),
            code="deidentified",
        )
    filled = [name for name in FILLABLE_FIELDS if not getattr(known, name) and getattr(new, name)]
    for name in filled:
        setattr(known, name, getattr(new, name))
    known.save()
    referrals = list(Referral.objects.select_for_update().filter(participant=new))
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(participant=known)
    Consent.objects.filter(participant=new).update(participant=known)
    new.merged_into = known
    new.save(update_fields=["merged_into", "updated_at"])
    _carry_pending_pairs(new=new, known=known, by=by, now=now)
    duplicate.resolution = PossibleDuplicate.Resolution.MERGED
    duplicate.resolved_by, duplicate.resolved_at = by, now
    duplicate.save()
    for referral in referrals:
        event_record(referral, EventKind.MERGED, by=by, into=known.pk, fields_filled=filled)
    audit_record(
        action=Action.RECORDS_MERGED,
        actor=by,
        agency=known.agency,
        target=known,
        label=known.audit_label(),
        details={"merged": new.pk, "referrals": [r.pk for r in referrals]},
    )
    return known
