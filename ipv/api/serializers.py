"""What the API says and takes. A referral as the court sees it (the court liaison portal's
view): never a victim, an intake note, a risk flag, a fee or a reason from the history."""

from datetime import timedelta
from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.models import Program
from ipv.api.selectors import reason_for_court
from ipv.core.fields import FIRST_MOMENT
from referrals.models import (
    CLOSED_STATUSES,
    ORDER_DETAILS,
    PARTICIPANT_DETAILS,
    SOURCE_DETAILS,
    DischargeReason,
    ReferralSource,
    SourceOrder,
    Status,
    Stream,
)
from referrals.models.participants import Participant
from sessions_app.completion import ALL_MODULES
from sessions_app.models import CourtReport

CLOSED = [status for status in Status if status in CLOSED_STATUSES]


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    legal_name = serializers.CharField()
    date_of_birth = serializers.DateField()


class DocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[("certificate", _("Completion certificate")), *CourtReport.Kind.choices]
    )
    code = serializers.CharField()
    issued_at = serializers.DateTimeField()
    url = serializers.CharField(help_text=_("Where to download the PDF."))


class OutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in CLOSED])
    since = serializers.DateTimeField()
    discharge_reason = serializers.ChoiceField(
        choices=DischargeReason.choices, allow_blank=True, help_text=_("For a discharge.")
    )
    reason_for_court = serializers.CharField(
        allow_blank=True, help_text=_("The reason the agency wrote for the court.")
    )


def _documents(referral) -> list[dict]:
    found = [
        {
            "kind": "certificate",
            "code": certificate.code,
            "issued_at": certificate.issued_at,
            "url": reverse("api:referral_certificate", kwargs={"pk": referral.pk}),
        }
        for certificate in referral.certificates
    ]
    found += [
        {
            "kind": report.kind,
            "code": report.code,
            "issued_at": report.issued_at,
            "url": reverse(
                "api:referral_report", kwargs={"pk": referral.pk, "report_pk": report.pk}
            ),
        }
        for report in referral.reports
    ]
    return found


class ReferralSerializer(serializers.Serializer):
    """A referral of one of the token's courts (`selectors.with_court_view` first)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    changed_at = serializers.DateTimeField(source="updated_at")
    court = NamedSerializer()
    agency = NamedSerializer()
    court_file_number = serializers.CharField()
    participant = PersonSerializer()
    program = serializers.ChoiceField(choices=Program.choices)
    stream = serializers.ChoiceField(choices=Stream.choices)
    source_order = serializers.ChoiceField(choices=SourceOrder.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    status_since = serializers.DateTimeField(source="status_changed_at")
    received_on = serializers.DateField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    order_date = serializers.DateField()
    return_court_date = serializers.DateField(allow_null=True)
    complete_by = serializers.DateField()
    modules_attended = serializers.SerializerMethodField()
    modules_required = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    def to_representation(self, referral):
        data = super().to_representation(referral)
        data["court"] = {"id": referral.court_id, "name": str(referral.court.name)}
        data["agency"] = {"id": referral.agency_id, "name": str(referral.agency.name)}
        return data

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=len(ALL_MODULES)))
    def get_modules_attended(self, referral) -> int:
        return referral.progress.done

    @extend_schema_field(serializers.IntegerField(min_value=len(ALL_MODULES)))
    def get_modules_required(self, referral) -> int:
        return len(ALL_MODULES)

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, referral):
        if referral.status not in CLOSED:
            return None
        return self._outcome.to_representation(
            {
                "status": referral.status,
                "since": referral.status_changed_at,
                "discharge_reason": referral.discharge_reason,
                "reason_for_court": reason_for_court(referral),
            }
        )

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, referral):
        return self._documents.to_representation(_documents(referral))

    # One of each for a page of referrals: a serializer copies its fields when it is made.
    @cached_property
    def _outcome(self):
        return OutcomeSerializer()

    @cached_property
    def _documents(self):
        return DocumentSerializer(many=True)


class ReferralPageSerializer(serializers.Serializer):
    results = ReferralSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text=_("Send it as `cursor` for the next page; null on the last.")
    )


class ReferralQuerySerializer(serializers.Serializer):
    changed_since = serializers.DateTimeField(
        required=False,
        help_text=_("Only the referrals changed at or after this moment (ISO 8601)."),
    )
    cursor = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)

    def validate_changed_since(self, moment):
        if not FIRST_MOMENT <= moment <= timezone.now() + timedelta(days=1):
            raise serializers.ValidationError(_("Enter a moment from the year 2000 to now."))
        return moment


# The e-referral as the court portal's form takes it: the field names are the forms' own
# (tests/api check they stay the same); the rules are the forms' and the service's.
_PARTICIPANT_TYPES = {
    "date_of_birth": serializers.DateField(),
    "interpreter_needed": serializers.BooleanField(required=False),
    "consent_sms": serializers.BooleanField(required=False),
    "consent_email": serializers.BooleanField(required=False),
    "language": serializers.ChoiceField(choices=Participant._meta.get_field("language").choices),
    "indigenous_identity": serializers.ChoiceField(
        choices=Participant._meta.get_field("indigenous_identity").choices,
        required=False,
        allow_blank=True,
    ),
    "legal_name": serializers.CharField(max_length=200),
}
_ORDER_TYPES = {
    "agency": serializers.IntegerField(help_text=_("An agency serving the court.")),
    "court": serializers.IntegerField(help_text=_("One of the token's courts.")),
    "program": serializers.ChoiceField(choices=Program.choices),
    "stream": serializers.ChoiceField(choices=Stream.choices),
    "source_order": serializers.ChoiceField(choices=SourceOrder.choices),
    "source": serializers.ChoiceField(choices=ReferralSource.choices),
    "court_file_number": serializers.CharField(max_length=50),
    "charges": serializers.CharField(max_length=2000),
    "order_date": serializers.DateField(),
    "return_court_date": serializers.DateField(required=False, allow_null=True),
    "complete_by": serializers.DateField(),
}


def _fields(names, types):
    return {
        name: types.get(name) or serializers.CharField(required=False, allow_blank=True)
        for name in names
    }


ParticipantInSerializer = type(
    "ParticipantIn", (serializers.Serializer,), _fields(PARTICIPANT_DETAILS, _PARTICIPANT_TYPES)
)
OrderInSerializer = type(
    "OrderIn",
    (serializers.Serializer,),
    _fields(["agency", *ORDER_DETAILS, *SOURCE_DETAILS], _ORDER_TYPES),
)


class SendReferralSerializer(serializers.Serializer):
    participant = ParticipantInSerializer()
    order = OrderInSerializer()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
