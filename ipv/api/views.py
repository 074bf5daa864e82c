"""The court systems' API (/api/v1/): the referrals of a token's courts, their documents for
the court as PDF, and sending a referral. Every call is audited, refusals included, and
counted per token (with Redis down, calls are refused, not let through uncounted)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from ipv.api import selectors
from ipv.api.authentication import HasScope, TokenAuthentication
from ipv.api.models import ApiToken, Scope
from ipv.api.parsers import JSONParser
from ipv.api.serializers import (
    ErrorSerializer,
    ReferralPageSerializer,
    ReferralQuerySerializer,
    ReferralSerializer,
    SendReferralSerializer,
)
from ipv.api.services import KeyReused, NotFound, referral_send
from ipv.api.tokens import (
    ThrottleUnavailable,
    client_address,
    refusal_count,
    refusals_over,
    throttle_check,
    token_court_ids,
)
from ipv.audit.services import Action, audit_record
from ipv.core import downloads, replica
from ipv.core.replica import reads_from_replica
from sessions_app import selectors as session_selectors
from sessions_app.services import documents

logger = logging.getLogger(__name__)

RETRY_AFTER_UNAVAILABLE = 30
# The answers that count against the caller's address (tokens.refusals_over).
REFUSALS = (status.HTTP_401_UNAUTHORIZED, status.HTTP_403_FORBIDDEN)
ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in (
        (401, "No token, or one unknown, revoked or expired."),
        (403, "The token lacks the scope."),
        (429, "Too many calls this minute (Retry-After)."),
        (503, "Calls cannot be counted right now (Retry-After)."),
    )
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Not a referral of the courts.")}


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request's body is too large.")
    default_code = "too_large"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The API cannot count calls right now. Try again shortly.")
    default_code = "unavailable"


def language_of(request) -> str:
    """The language the caller asks for in Accept-Language (French by default)."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header[:500]):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class ApiView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [HasScope]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    scopes: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        translation.activate(language_of(request))
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def perform_content_negotiation(self, request, force=False):
        """JSON whatever the Accept header says: the documents are PDF, their refusals JSON."""
        return JSONRenderer(), JSONRenderer.media_type

    def check_throttles(self, request):
        try:
            wait = throttle_check(request.auth)
        except ThrottleUnavailable:
            request._request.api_refusal = "throttle_unavailable"
            raise Unavailable from None
        if wait:
            request._request.api_refusal = "throttled"
            raise exceptions.Throttled(wait)

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):
            exc = BodyTooLarge()
        elif isinstance(exc, Http404):
            # DRF would answer Django's own text ("No CourtReport matches…"), in English and
            # naming a model: every 404 answers alike, in the caller's language.
            exc = exceptions.NotFound()
        response = super().handle_exception(exc)
        if response.status_code in REFUSALS:
            # An address refused too often this minute is answered 429, and no longer written
            # in the trail call by call (a stranger could otherwise fill it). Only refusals are
            # held back: a call its token allows goes on whatever others sent from the same
            # address (a stranger must not shut a court system out).
            wait = refusals_over(client_address(self.request))
            if wait:
                self.request._request.api_quiet = True
                response = super().handle_exception(exceptions.Throttled(wait))
        if isinstance(exc, Unavailable):
            response["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
        return response

    def raise_uncaught_exception(self, exc):
        """A failure of ours (the site answers 500) is in the trail too: every call is."""
        self.request._request.api_refusal = "server_error"
        try:
            self.audit(self.request, Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR))
        except DatabaseError:
            logger.exception("api: the failed call could not be audited")
        super().raise_uncaught_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self.audit(request, response)
        response["Cache-Control"] = "no-store, private"
        response["Content-Language"] = translation.get_language()
        return response

    def audit(self, request, response):
        """One event per call: who (the token's officer), which token, what, the answer. A
        refusal also counts against the caller's address (refusals_over)."""
        django_request = request._request
        if getattr(django_request, "api_quiet", False):
            return
        if response.status_code in REFUSALS:
            refusal_count(client_address(request))
        # What authentication found, without authenticating again (a call refused before it).
        auth = getattr(request, "_auth", None)
        token = auth if isinstance(auth, ApiToken) else None
        token = token or getattr(django_request, "api_refused_token", None)
        refused = response.status_code >= 400
        details = {
            "token": token.prefix if token else "",
            "method": request.method,
            "status": response.status_code,
        }
        if refused:
            details["refusal"] = getattr(django_request, "api_refusal", "")
        audit_record(
            action=Action.API_REFUSED if refused else Action.API_CALLED,
            actor=token.officer if token else None,
            agency=getattr(django_request, "api_agency", None),
            target=getattr(django_request, "api_target", None),
            label=request.path[:200],
            details=details,
        )

    def referral(self, request, pk):
        """A referral of the token's courts, or 404; named in the call's audit event."""
        referral = selectors.token_referral_get(court_ids=token_court_ids(request.auth), pk=pk)
        request._request.api_agency, request._request.api_target = referral.agency, referral
        return referral


class ReferralList(ApiView):
    scopes = {"GET": Scope.READ_REFERRALS, "POST": Scope.SEND_REFERRALS}

    @extend_schema(
        operation_id="referrals_list",
        summary="The referrals of the token's courts, oldest change first",
        parameters=[ReferralQuerySerializer],
        responses={200: ReferralPageSerializer, 400: OpenApiTypes.OBJECT, **ERRORS},
    )
    @reads_from_replica
    def get(self, request):
        query = ReferralQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        settled = selectors.settled()
        # A replica behind what the primary had settled could leave one out of the page.
        replica.read_as_of(settled.lsn)
        found = settled.of(selectors.token_referrals(court_ids=token_court_ids(request.auth)))
        options = query.validated_data
        if "changed_since" in options:
            found = found.filter(updated_at__gte=options["changed_since"])
        if "cursor" in options:
            try:
                found = selectors.after_cursor(found, options["cursor"])
            except ValueError:
                raise exceptions.ValidationError(
                    {"cursor": [_("This is not a cursor this API gave.")]}
                ) from None
        page = list(found[: options["limit"] + 1])
        more = len(page) > options["limit"]
        page = selectors.with_court_view(page[: options["limit"]])
        return Response(
            {
                "results": ReferralSerializer(page, many=True).data,
                "next_cursor": selectors.cursor_encode(page[-1]) if more else None,
            }
        )

    @extend_schema(
        operation_id="referrals_send",
        summary="Send a referral (the court portal's e-referral)",
        request=SendReferralSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Unique per referral: the same request sent again records nothing.",
            )
        ],
        responses={
            201: ReferralSerializer,
            400: OpenApiTypes.OBJECT,
            404: OpenApiResponse(
                ErrorSerializer,
                description="The key's referral is no longer one of the token's courts.",
            ),
            409: ErrorSerializer,
            413: OpenApiResponse(ErrorSerializer, description="The body is too large."),
            **ERRORS,
        },
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if not key or len(key) > 100 or not key.isascii() or not key.isprintable():
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Send an Idempotency-Key header of 1 to 100 characters.")]}
            )
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"detail": _("Send a JSON object.")})
        try:
            answer, data, referral, replayed = referral_send(
                token=request.auth,
                court_ids=token_court_ids(request.auth),
                key=key,
                body=request.data,
            )
        except NotFound:
            raise exceptions.NotFound(
                _("This Idempotency-Key's referral is no longer one of the token's courts.")
            ) from None
        except KeyReused:
            return Response(
                {"detail": _("This Idempotency-Key was used for another request.")},
                status=status.HTTP_409_CONFLICT,
            )
        if referral is not None:
            # The trail names the referral sent (or sent again).
            request._request.api_agency, request._request.api_target = referral.agency, referral
        response = Response(data, status=answer)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class ReferralDetail(ApiView):
    scopes = {"GET": Scope.READ_REFERRALS}

    @extend_schema(
        operation_id="referrals_read",
        summary="One referral of the token's courts",
        responses={200: ReferralSerializer, **ERRORS, **NOT_FOUND},
    )
    @reads_from_replica
    def get(self, request, pk):
        # Not a moment behind the primary: a referral moved to another court is not this one's.
        replica.read_as_of_now()
        referral = selectors.with_court_view([self.referral(request, pk)])[0]
        return Response(ReferralSerializer(referral).data)


def _pdf(request, document, filename):
    """A document's PDF, its download audited as the court portal's are."""
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=request.user,
        agency=document.agency,
        target=document,
        label=lambda: f"{document._meta.verbose_name} {document.code}",
        details={"reader": "court", "token": request.auth.prefix},
    )
    return downloads.file_response(
        documents.document_render(document),
        filename=f"{filename}-{document.code}.pdf",
        content_type=downloads.PDF,
    )


PDF = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
    **{(code, "application/json"): answer for code, answer in {**ERRORS, **NOT_FOUND}.items()},
}


class CertificateDownload(ApiView):
    scopes = {"GET": Scope.DOWNLOAD_DOCUMENTS}

    @extend_schema(
        operation_id="referrals_certificate", summary="The completion certificate", responses=PDF
    )
    def get(self, request, pk):
        referral = self.referral(request, pk)
        certificate = session_selectors.certificate_get(agency=referral.agency, referral=referral)
        return _pdf(request, certificate, "certificate")


class ReportDownload(ApiView):
    scopes = {"GET": Scope.DOWNLOAD_DOCUMENTS}

    @extend_schema(
        operation_id="referrals_report",
        summary="A court report or a notice of return, the current one",
        responses=PDF,
    )
    def get(self, request, pk, report_pk):
        referral = self.referral(request, pk)
        report = session_selectors.court_report_get(referral=referral, pk=report_pk)
        return _pdf(request, report, "report")
