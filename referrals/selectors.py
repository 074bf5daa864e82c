"""Reads of referrals, always scoped: an agency's own (through `scoped`), or a court liaison
officer's courts. Another agency's or another court's referral answers 404."""

from datetime import timedelta

from django.contrib.postgres.search import SearchQuery
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ipv.core.search import unaccented, words
from ipv.core.tenancy import get_scoped_or_404, scoped
from referrals.models import (
    BEFORE_ENROLMENT,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PROGRAM_WEEKS,
    EventKind,
    Participant,
    PossibleDuplicate,
    Referral,
    Status,
    TimelineEntry,
    Transfer,
)


def search_query(text: str) -> SearchQuery | None:
    """Prefix search on every word typed: "trem 4811" finds Tremblay, file 4811-998-….

    A word with digits is a court file number: its punctuation is dropped, as it is in the
    index. Other words are split on punctuation, as names are (Jean-Marc, O'Brien).
    """
    terms = []
    for word in text.split():
        if any(char.isdigit() for char in word):
            terms.append("".join(words(word)))
        else:
            terms.extend(words(word))
    terms = [term for term in terms if term]
    if not terms:
        return None
    # Unaccented as the indexed names are; the words themselves hold no tsquery operator.
    return SearchQuery(
        unaccented(" & ".join(f"{term}:*" for term in terms)), search_type="raw", config="simple"
    )


def search(queryset: QuerySet, text: str) -> QuerySet:
    query = search_query(text)
    return queryset.filter(search_document=query) if query else queryset.none()


def _with_list_columns(queryset: QuerySet) -> QuerySet:
    """The queue's rows: each referral with its person and court. Not its agency, which is the
    page's own, nor the person's phone, which the queue does not show: each phone number (the
    agency's, the person's) is parsed as its row is read, on every row."""
    return (
        queryset.select_related("participant", "court")
        .defer("participant__phone")
        .annotate(
            possible_duplicate=Exists(
                PossibleDuplicate.objects.filter(participant=OuterRef("participant"), resolution="")
            )
        )
    )


def referral_queue(*, agency) -> QuerySet[Referral]:
    """The agency's referrals with what the intake queue shows, newest first."""
    return _with_list_columns(scoped(Referral, agency)).order_by("-received_on", "-pk")


def overdue(*, agency=None, today=None) -> Q:
    """Overdue: nobody reached the person within the agency's delay, or the court's complete-by
    date can no longer be met with twelve weekly sessions from next week. Without `agency`,
    each referral against its own agency's delay (the digests count every agency at once)."""
    today = today or timezone.localdate()
    if agency is not None:
        contact_by = today - timedelta(days=agency.contact_within_days)
    else:
        contact_by = ExpressionWrapper(
            Value(today) - F("agency__contact_within_days"), output_field=DateField()
        )
    return Q(status=Status.RECEIVED, received_on__lt=contact_by) | Q(
        status__in=BEFORE_ENROLMENT,
        complete_by__lt=today + timedelta(weeks=PROGRAM_WEEKS),
    )


def needing_attention(queryset: QuerySet, *, agency) -> QuerySet:
    """The overdue referrals of `queryset` (see `overdue`)."""
    return queryset.filter(overdue(agency=agency))


def queue_counts(*, agency) -> dict:
    """How many referrals are open, how many of those are overdue, and how many wait for a
    decision on their absences."""
    open_referrals = scoped(Referral, agency).filter(status__in=OPEN_STATUSES)
    return {
        "open_referrals": open_referrals.count(),
        "overdue_referrals": needing_attention(open_referrals, agency=agency).count(),
        "reviews_pending": open_referrals.filter(status=Status.NON_COMPLIANT).count(),
    }


def transfers_waiting_count(*, agency) -> int:
    """Transfers other agencies sent this one that it has not answered yet."""
    return transfers_incoming(agency=agency).filter(status=Transfer.Status.PENDING).count()


def with_status_group(queryset: QuerySet, value: str) -> QuerySet:
    """ "open", "closed", "all", or one status."""
    if value == "open":
        return queryset.filter(status__in=OPEN_STATUSES)
    if value == "closed":
        return queryset.filter(status__in=CLOSED_STATUSES)
    if value in Status.values:
        return queryset.filter(status=value)
    return queryset


def referral_get(*, agency, pk: int) -> Referral:
    """One of the agency's referrals, with its participant, court and intake, or 404."""
    queryset = Referral.objects.select_related(
        "participant", "court", "agency", "intake", "transferred_from__agency"
    )
    return get_scoped_or_404(queryset, agency=agency, pk=pk)


def referral_timeline(*, referral: Referral) -> list[TimelineEntry]:
    """The referral's events, oldest first, preceded by those of the referral it was
    transferred from (history travels with the person) up to the transfer: nothing the sending
    agency writes afterwards."""
    own = Q(referral_id=referral.pk)
    previous = referral.transferred_from
    while previous is not None:
        # The line that closed it as transferred is the last one that travelled.
        last = previous.timeline.filter(kind=EventKind.TRANSFER_OUT).order_by("pk").last()
        own |= Q(referral_id=previous.pk, pk__lte=last.pk if last else 0)
        previous = previous.transferred_from
    events = TimelineEntry.objects.filter(own).select_related("by", "agency").order_by("at", "pk")
    return list(events)


def referral_transfers(*, referral: Referral) -> QuerySet[Transfer]:
    return referral.transfers.select_related("to_agency", "requested_by", "decided_by")


def participant_get(*, agency, pk: int) -> Participant:
    """One of the agency's participants, or 404 (a merged record leads to the person kept)."""
    return get_scoped_or_404(
        Participant.objects.select_related("merged_into"), agency=agency, pk=pk
    )


def participant_referrals(*, participant: Participant) -> QuerySet[Referral]:
    return participant.referrals.select_related("court").order_by("-received_on", "-pk")


def participant_consents(*, participant: Participant):
    return participant.consents.select_related("recorded_by").order_by("kind", "-signed_on")


def duplicates_pending(*, participant: Participant) -> QuerySet[PossibleDuplicate]:
    return participant.possible_duplicates.filter(resolution="").select_related("existing")


def duplicate_get(*, agency, pk: int) -> PossibleDuplicate:
    return get_scoped_or_404(PossibleDuplicate, agency=agency, pk=pk)


def transfers_incoming(*, agency) -> QuerySet[Transfer]:
    """Transfers other agencies ask of this one, waiting or accepted: those declined or
    cancelled leave nothing of the person behind."""
    return (
        scoped(Transfer, agency, via="to_agency")
        .filter(status__in=[Transfer.Status.PENDING, Transfer.Status.ACCEPTED])
        .select_related("agency", "new_referral__participant")
        .order_by("-requested_at")
    )


def transfers_outgoing(*, agency) -> QuerySet[Transfer]:
    return (
        scoped(Transfer, agency)
        .select_related("to_agency", "referral__participant")
        .order_by("-requested_at")
    )


def transfer_get(*, agency, pk: int) -> Transfer:
    """A transfer the agency sent, or one it received while it waits for an answer or after
    accepting it; 404 otherwise."""
    queryset = Transfer.objects.select_related(
        "agency", "to_agency", "referral__participant", "new_referral__participant"
    )
    received = scoped(queryset, agency, via="to_agency").filter(
        status__in=[Transfer.Status.PENDING, Transfer.Status.ACCEPTED]
    )
    return get_object_or_404(scoped(queryset, agency) | received, pk=pk)


# The court liaison portal --------------------------------------------------------------------


def liaison_referrals(*, officer) -> QuerySet[Referral]:
    """Referrals from the officer's courts, across agencies, newest first."""
    # The courts first, as ids: the referrals' (court, received) index then gives them in
    # order, where a join through the officer's courts would sort them all.
    courts = list(officer.liaison.courts.values_list("pk", flat=True))
    return (
        Referral.objects.filter(court_id__in=courts)
        .select_related("participant", "court", "agency")
        .order_by("-received_on", "-pk")
    )


def liaison_referral_get(*, officer, pk: int) -> Referral:
    """A referral from one of the officer's courts, or 404."""
    referral = liaison_referrals(officer=officer).filter(pk=pk).first()
    if referral is None:
        raise Http404
    return referral


def liaison_timeline(*, referral: Referral) -> list[TimelineEntry]:
    """What the court sees of a referral's history: the status changes and when, not why."""
    return [event for event in referral_timeline(referral=referral) if event.is_status_change]
