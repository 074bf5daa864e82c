"""Who may reach each route of the project, written by hand.

The expectations come from who the people are (DESIGN.md, "Who uses it") and what each page is
for, never from the views' declarations or ipv/core/permissions.py: a view that lets in someone
it should not, or shuts out someone who needs it, fails the permission matrix test
(tests/core/test_permission_matrix.py), which also fails on a route missing from this table.

Each key is a route's name or, for a route without one, its pattern without the language
prefix. An agency page names the roles that use it (a literal set per route); the other kinds
are the public, anyone signed in, court liaison officers, and the platform administrator;
the court systems' API (/api/v1/) answers to tokens only, with the scope each route names.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from referrals.services.consent import stop_token

PUBLIC = "public"
SIGNED_IN = "signed in"
LIAISON = "court liaison officer"
ADMIN = "platform administrator"
# The platform administrator on the site's own pages (not the Django admin): others get 403.
PLATFORM = "platform administrator (site page)"
# The court systems' API: a token with the route's scope, for a referral of its courts; a
# session counts for nothing there (401 to everyone signed in or not).
TOKEN = "API token"
# The scopes a token holds (ipv.api.models.Scope), written here as the API documents them.
READ_REFERRALS = "referrals:read"
DOWNLOAD_DOCUMENTS = "documents:read"
SEND_REFERRALS = "referrals:send"
# The admin's own sign-in page: it sends people to the site's (with its second factor) and
# refuses signed-in people who are not administrators.
ADMIN_SIGN_IN = "admin sign-in"

# The agency roles, by the names the test personas carry (tests/conftest.py).
MANAGER = "manager"
INTAKE = "intake"
FACILITATOR = "facilitator"
PARTNER = "partner_contact"

GET = frozenset({"GET"})
POST = frozenset({"POST"})
GET_POST = frozenset({"GET", "POST"})


@dataclass
class Route:
    # PUBLIC, SIGNED_IN, LIAISON, ADMIN, ADMIN_SIGN_IN, or the set of agency roles let in.
    access: str | frozenset
    kwargs: Callable = lambda world: {}
    # The methods the route answers (another one gets 405).
    methods: frozenset = GET
    # What a person let in gets (a redirect after an action, a form refused as empty…).
    allowed: frozenset = frozenset({200})
    # What anonymous people get on public routes.
    anonymous: frozenset = frozenset({200})
    # A court liaison page about one referral: 404 for an officer of another court.
    court_object: bool = False
    # For an API route, the scope each method needs (GET, POST).
    scopes: dict | None = None
    # Whether a person signed in without a second factor is sent to set one up first.
    needs_mfa: bool = True
    # Another agency's object, when the route's own kwargs under another agency's address are
    # not one (a transfer is seen by both the agency sending it and the one receiving it).
    foreign: Callable | None = None

    @property
    def method(self):
        """How the matrix asks: GET where the route answers it."""
        return "GET" if "GET" in self.methods else "POST"


def site_public(**options):
    """One of the site's own public pages: reached before setting up a second factor too."""
    return Route(PUBLIC, needs_mfa=False, **options)


def agency(roles, **options):
    """An agency page, under /<lang>/a/<agency_slug>/, for these roles of the agency."""
    return Route(frozenset(roles), **options)


def failed_message(agency):
    """A message of the agency that failed (the same one each time it is asked for)."""
    model = apps.get_model("notifications", "OutboxMessage")
    message, _created = model.objects.get_or_create(
        key=f"matrix:{agency.pk}:failed",
        defaults={
            "agency": agency,
            "state": "failed",
            "to": "jane@example.org",
            "subject": "s",
            "body_text": "t",
            "attempts": 8,
            "last_error": "SMTPRecipientsRefused",
        },
    )
    return message


def own_export(world):
    """A list the first agency's manager exported, ready (the same one each time)."""
    model = apps.get_model("figures", "Export")
    export, _created = model.objects.get_or_create(
        filename="matrix-export.csv",
        defaults={
            "agency": world.agency,
            "requested_by": world["manager"],
            "kind": "cases",
            "params": {"figure": "received", "start": "2026-01-01", "end": "2026-03-31"},
            "format": "csv",
            "language": "en",
            "state": "done",
            "content": b"\xef\xbb\xbf",
        },
    )
    return {"pk": export.pk}


def own(extra=None):
    """The first agency's address, with its objects."""

    def kwargs(world):
        return {"agency_slug": world.agency.slug, **(extra(world) if extra else {})}

    return kwargs


def referral(world):
    return {"pk": world.referral.pk}


def group(world):
    return {"pk": world.group.pk}


def session(world):
    return {"pk": world.session.pk}


def participant(world):
    return {"pk": world.referral.participant_id}


def payment(world):
    return {"pk": world.payment.pk}


def report(world):
    return {"pk": world.report.pk}


def outreach_referral(world):
    return {"referral": world.referral.pk}


def victim(world):
    """A person named in the first referral's order (tests/victims/outreach.py)."""
    return {"pk": world.victim.pk}


def task(world):
    return {"pk": world.task.pk}


ROUTES = {
    # The site's public pages.
    "root": site_public(allowed=frozenset({302}), anonymous=frozenset({302})),
    "healthz": site_public(),
    # Prometheus's scrape answers to IPV_METRICS_TOKEN alone, never to a session: unset (as
    # here), it is not there for anyone (tests/core/test_metrics.py tries the token).
    "metrics": site_public(allowed=frozenset({404}), anonymous=frozenset({404})),
    "favicon.ico": Route(PUBLIC, allowed=frozenset({301}), anonymous=frozenset({301})),
    "home": site_public(),
    "directory:agency_list": site_public(),
    "directory:agency_detail": site_public(kwargs=lambda w: {"slug": w.agency.slug}),
    "directory:service_list": site_public(),
    "verify_form": site_public(),
    "verify": site_public(kwargs=lambda w: {"code": w.certificate.code}),
    # A facilitator's private calendar address: the token is the key, nobody signs in.
    "calendar_ics": site_public(
        kwargs=lambda w: {"token": "not-a-token"},
        allowed=frozenset({404}),
        anonymous=frozenset({404}),
    ),
    # The link in an invitation email, opened before the person has an account.
    "accounts:invitation": site_public(
        kwargs=lambda w: {"token": "unknown"}, methods=GET_POST, anonymous=frozenset({404})
    ),
    # The emailed link that lifts a sign-in wait: public, like the email it comes in.
    "accounts:sign_in_unlock": site_public(
        kwargs=lambda w: {"token": "unknown"}, methods=GET_POST, anonymous=frozenset({404})
    ),
    # The link in a participant's reminder email that stops them: public, like the email;
    # showing it changes nothing (only its button does, by POST).
    "reminders_stop": site_public(
        kwargs=lambda w: {"token": stop_token(w.referral.participant_id)}, methods=GET_POST
    ),
    # After signing in: the way to one's work, whoever one is.
    "accounts:landing": Route(SIGNED_IN, allowed=frozenset({200, 302})),
    # The site's page, which stands before allauth's of the same name (and so is the one that
    # answers): the sign-in address is changed by an administrator, not by the person.
    "account_email": Route(SIGNED_IN),
    # Each person's own choice of the emails about their work (digest, court documents).
    "accounts:notifications": Route(SIGNED_IN, methods=GET_POST),
    # The court liaison portal.
    "court:home": Route(LIAISON),
    "court:referral_new": Route(LIAISON, methods=GET_POST),
    "court:referral": Route(LIAISON, kwargs=referral, court_object=True),
    "court:referral_certificate": Route(LIAISON, kwargs=referral, court_object=True),
    "court:referral_report": Route(
        LIAISON,
        kwargs=lambda w: {"pk": w.referral.pk, "report_pk": w.report.pk},
        court_object=True,
    ),
    # The figures of the officer's courts, across agencies (counts only, small ones hidden).
    "court:figures": Route(LIAISON),
    # The court systems' API: its schema and documentation are public (they hold no data).
    "api:schema": site_public(),
    "api:docs": site_public(),
    "api:referrals": Route(
        TOKEN,
        methods=GET_POST,
        scopes={"GET": READ_REFERRALS, "POST": SEND_REFERRALS},
        needs_mfa=False,
    ),
    "api:referral": Route(
        TOKEN,
        kwargs=referral,
        court_object=True,
        scopes={"GET": READ_REFERRALS},
        needs_mfa=False,
    ),
    "api:referral_certificate": Route(
        TOKEN,
        kwargs=referral,
        court_object=True,
        scopes={"GET": DOWNLOAD_DOCUMENTS},
        needs_mfa=False,
    ),
    "api:referral_report": Route(
        TOKEN,
        kwargs=lambda w: {"pk": w.referral.pk, "report_pk": w.report.pk},
        court_object=True,
        scopes={"GET": DOWNLOAD_DOCUMENTS},
        needs_mfa=False,
    ),
    # The province's figures: every agency's, for the platform administrator, on the site.
    "province:figures": Route(PLATFORM),
    # The agency: every role has a way in.
    "agency:home": agency({MANAGER, INTAKE, FACILITATOR, PARTNER}, kwargs=own()),
    # Staff, settings and the audit trail: the manager's.
    "agency:staff": agency({MANAGER}, kwargs=own()),
    "agency:staff_invite": agency({MANAGER}, kwargs=own(), methods=POST, allowed=frozenset({400})),
    "agency:staff_member": agency(
        {MANAGER}, kwargs=own(lambda w: {"user_id": w["intake"].pk}), methods=GET_POST
    ),
    "agency:staff_deactivate": agency(
        {MANAGER},
        kwargs=own(lambda w: {"user_id": w["facilitator"].pk}),
        methods=POST,
        allowed=frozenset({302}),
    ),
    "agency:invitation_resend": agency(
        {MANAGER},
        kwargs=own(lambda w: {"pk": w.invitation.pk}),
        methods=POST,
        allowed=frozenset({302}),
    ),
    "agency:invitation_revoke": agency(
        {MANAGER},
        kwargs=own(lambda w: {"pk": w.invitation.pk}),
        methods=POST,
        allowed=frozenset({302}),
    ),
    "agency:settings": agency({MANAGER}, kwargs=own(), methods=GET_POST),
    "agency:audit": agency({MANAGER}, kwargs=own()),
    # The outgoing messages that failed or wait: the manager's, who may send a failed one again.
    "agency:outgoing_messages": agency({MANAGER}, kwargs=own()),
    "agency:message_retry": agency(
        {MANAGER},
        kwargs=own(lambda w: {"pk": failed_message(w.agency).pk}),
        methods=POST,
        allowed=frozenset({302}),
    ),
    # The agency's figures: the case half for case workers, the outreach half for
    # partner-contact workers, both for managers; nothing for facilitators. The cases behind a
    # figure are the case workers' only.
    "agency:figures": agency({MANAGER, INTAKE, PARTNER}, kwargs=own()),
    "agency:figure_cases": agency({MANAGER, INTAKE}, kwargs=own(lambda w: {"key": "received"})),
    # Downloading that list: the case workers'. The quarterly report: the managers' (a form
    # on the dashboard without a quarter asked for).
    "agency:figure_cases_download": agency(
        {MANAGER, INTAKE}, kwargs=own(lambda w: {"key": "received"})
    ),
    "agency:figures_report": agency({MANAGER}, kwargs=own()),
    # A prepared export is its asker's only: the manager's export answers 404 to the intake
    # worker (tests/figures/test_exports.py checks who gets which).
    "agency:exports": agency({MANAGER, INTAKE}, kwargs=own()),
    "agency:export": agency(
        {MANAGER, INTAKE}, kwargs=own(own_export), allowed=frozenset({200, 404})
    ),
    "agency:export_download": agency(
        {MANAGER, INTAKE}, kwargs=own(own_export), allowed=frozenset({200, 404})
    ),
    # The province's quarterly report: the platform administrators'.
    "province:report": Route(PLATFORM),
    # Referrals, intake, participants, transfers: the case workers' (intake workers and their
    # manager). Never facilitators or partner-contact workers.
    "agency:referral_queue": agency({MANAGER, INTAKE}, kwargs=own()),
    "agency:referral_new": agency({MANAGER, INTAKE}, kwargs=own(), methods=GET_POST),
    "agency:referral_detail": agency({MANAGER, INTAKE}, kwargs=own(referral)),
    "agency:referral_edit": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    # Already accepted (entered by the agency): refused with a message, back to the referral.
    "agency:referral_accept": agency(
        {MANAGER, INTAKE}, kwargs=own(referral), methods=POST, allowed=frozenset({302})
    ),
    "agency:referral_transition": agency(
        {MANAGER, INTAKE},
        kwargs=own(lambda w: {"pk": w.referral.pk, "transition": "contact"}),
        methods=GET_POST,
    ),
    "agency:intake_book": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    # No intake booked yet: back to the referral, saying so.
    "agency:intake_missed": agency(
        {MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST, allowed=frozenset({302})
    ),
    "agency:intake_record": agency(
        {MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST, allowed=frozenset({302})
    ),
    "agency:referral_return": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    "agency:transfer_request": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    "agency:transfer_list": agency({MANAGER, INTAKE}, kwargs=own()),
    "agency:transfer_detail": agency(
        {MANAGER, INTAKE},
        kwargs=own(lambda w: {"pk": w.transfer.pk}),
        methods=GET_POST,
        foreign=lambda w: {"agency_slug": w.other_agency.slug, "pk": w.outside_transfer.pk},
    ),
    "agency:participant_detail": agency({MANAGER, INTAKE}, kwargs=own(participant)),
    "agency:participant_edit": agency({MANAGER, INTAKE}, kwargs=own(participant), methods=GET_POST),
    # A person's records request (one PDF of all the agency holds on them): the case workers
    # who answer it; not the facilitator, not the partner-contact worker, never the court.
    "agency:participant_records": agency({MANAGER, INTAKE}, kwargs=own(participant)),
    "agency:duplicate_resolve": agency(
        {MANAGER, INTAKE},
        kwargs=own(lambda w: {"pk": w.duplicate.pk}),
        methods=POST,
        allowed=frozenset({302}),
    ),
    # Placing a referral in a group is part of intake.
    "agency:referral_enrol": agency(
        {MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST, allowed=frozenset({302})
    ),
    # Groups: facilitators see the groups they run and take their attendance; the case
    # workers plan the groups and their sessions. Partner-contact workers never run groups.
    "agency:group_list": agency({MANAGER, INTAKE, FACILITATOR}, kwargs=own()),
    "agency:group_new": agency({MANAGER, INTAKE}, kwargs=own(), methods=GET_POST),
    "agency:group_detail": agency({MANAGER, INTAKE, FACILITATOR}, kwargs=own(group)),
    "agency:group_edit": agency({MANAGER, INTAKE}, kwargs=own(group), methods=GET_POST),
    "agency:session_roster": agency(
        {MANAGER, INTAKE, FACILITATOR}, kwargs=own(session), methods=GET_POST
    ),
    "agency:roster_row": agency(
        {MANAGER, INTAKE, FACILITATOR},
        kwargs=own(lambda w: {"pk": w.session.pk, "referral_id": w.referral.pk}),
        methods=POST,
    ),
    # Nothing typed: the roster again, the search field saying what it needs.
    "agency:session_makeup": agency(
        {MANAGER, INTAKE, FACILITATOR},
        kwargs=own(session),
        methods=POST,
        allowed=frozenset({400}),
    ),
    "agency:session_cancel": agency({MANAGER, INTAKE}, kwargs=own(session), methods=GET_POST),
    "agency:session_move": agency({MANAGER, INTAKE}, kwargs=own(session), methods=GET_POST),
    "agency:curriculum": agency({MANAGER, INTAKE, FACILITATOR}, kwargs=own()),
    # The agency's curriculum is the manager's to write.
    "agency:curriculum_edit": agency(
        {MANAGER}, kwargs=own(lambda w: {"program": "ipv"}), methods=GET_POST
    ),
    # A facilitator's own calendar address for the sessions they run.
    "agency:calendar_feed": agency({FACILITATOR}, kwargs=own(), methods=GET_POST),
    # Certificates and court reports: the case workers'.
    "agency:certificate": agency({MANAGER, INTAKE}, kwargs=own(referral)),
    "agency:certificate_revoke": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    # The preview of a report; nothing is issued before its confirmation.
    "agency:report_issue": agency(
        {MANAGER, INTAKE},
        kwargs=own(lambda w: {"pk": w.referral.pk, "kind": "progress"}),
        methods=GET_POST,
    ),
    "agency:report": agency({MANAGER, INTAKE}, kwargs=own(report)),
    "agency:court_documents": agency({MANAGER, INTAKE}, kwargs=own()),
    "agency:report_replace": agency({MANAGER, INTAKE}, kwargs=own(report), methods=GET_POST),
    # Fees: the intake workers assess, agree and take payments; the manager writes the scale,
    # approves reductions and reads the agency's figures. Never facilitators, partner-contact
    # workers or the court.
    "agency:fees": agency({MANAGER}, kwargs=own()),
    "agency:fees_export": agency({MANAGER}, kwargs=own(lambda w: {"kind": "outstanding"})),
    "agency:fees_export_xlsx": agency({MANAGER}, kwargs=own(lambda w: {"kind": "monthly"})),
    "agency:fee_schedule": agency({MANAGER, INTAKE}, kwargs=own()),
    "agency:fee_schedule_new": agency({MANAGER}, kwargs=own(), methods=GET_POST),
    "agency:fee_decide": agency(
        {MANAGER}, kwargs=own(lambda w: {"pk": w.reduction.pk}), methods=GET_POST
    ),
    "agency:fee_receipt": agency({MANAGER, INTAKE}, kwargs=own(payment)),
    "agency:fee_void": agency({MANAGER, INTAKE}, kwargs=own(payment), methods=GET_POST),
    "agency:fee_refund": agency({MANAGER, INTAKE}, kwargs=own(payment), methods=GET_POST),
    "agency:referral_fees": agency({MANAGER, INTAKE}, kwargs=own(referral)),
    "agency:fee_assess": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    "agency:fee_propose": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    "agency:fee_instalments": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    "agency:fee_payment": agency({MANAGER, INTAKE}, kwargs=own(referral), methods=GET_POST),
    # The two doors between the case team and outreach. A concern for someone's safety: the
    # facilitator of the participant's group and the case workers, never the partner-contact
    # workers (who have their own tools). A risk alert marked seen by the case workers.
    "agency:concern_raise": agency(
        {MANAGER, INTAKE, FACILITATOR},
        kwargs=own(lambda w: {"referral": w.referral.pk}),
        methods=GET_POST,
    ),
    "agency:risk_alert_seen": agency(
        {MANAGER, INTAKE},
        kwargs=own(lambda w: {"referral": w.referral.pk, "pk": w.risk_alert.pk}),
        methods=POST,
        allowed=frozenset({302}),
    ),
    # Someone the participant names once the referral exists: recorded by the case workers,
    # never shown back.
    "agency:referral_named_person": agency(
        {MANAGER, INTAKE}, kwargs=own(lambda w: {"referral": w.referral.pk}), methods=GET_POST
    ),
    # The outreach workspace: partner-contact workers only. Managers are let in only where the
    # agency grants confidential access, which the test agency does not; never intake workers
    # or facilitators.
    "agency:outreach_home": agency({PARTNER}, kwargs=own()),
    "agency:outreach_referral": agency({PARTNER}, kwargs=own(outreach_referral)),
    # Posted without a worker: refused, the referral's page shown again.
    "agency:outreach_assign": agency(
        {PARTNER}, kwargs=own(outreach_referral), methods=POST, allowed=frozenset({400})
    ),
    "agency:outreach_person_new": agency(
        {PARTNER}, kwargs=own(outreach_referral), methods=GET_POST
    ),
    "agency:outreach_alert": agency({PARTNER}, kwargs=own(outreach_referral), methods=GET_POST),
    "agency:outreach_person": agency({PARTNER}, kwargs=own(victim)),
    "agency:outreach_person_edit": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    "agency:outreach_rules": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    "agency:outreach_consent": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    "agency:outreach_contact": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    # What the person says of their safety, at first contact and at the participant's exit.
    "agency:outreach_safety_view": agency(
        {PARTNER}, kwargs=own(lambda w: {"pk": w.victim.pk, "moment": "exit"}), methods=GET_POST
    ),
    "agency:outreach_close": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    "agency:outreach_reopen": agency(
        {PARTNER}, kwargs=own(victim), methods=POST, allowed=frozenset({302})
    ),
    "agency:outreach_plan": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    "agency:outreach_plan_version": agency(
        {PARTNER}, kwargs=own(lambda w: {"pk": w.victim.pk, "number": w.plan.number})
    ),
    "agency:outreach_task_add": agency({PARTNER}, kwargs=own(victim), methods=GET_POST),
    "agency:outreach_task_done": agency(
        {PARTNER}, kwargs=own(task), methods=POST, allowed=frozenset({302})
    ),
    # Posted without a worker: the task is left for anyone to take.
    "agency:outreach_task_assign": agency(
        {PARTNER}, kwargs=own(task), methods=POST, allowed=frozenset({302})
    ),
    # The confidential store: the agency's partner-contact workers alone (managers only where
    # the agency grants it, which the first agency does not). A letter the person's rules do
    # not allow (the world's person allows phone calls only) is refused on a page.
    "agency:outreach_plan_pdf": agency(
        {PARTNER}, kwargs=own(lambda w: {"pk": w.victim.pk, "number": w.plan.number})
    ),
    "agency:outreach_letter": agency(
        {PARTNER}, kwargs=own(lambda w: {"pk": w.victim.pk, "kind": "start"})
    ),
    # allauth: signing in, out, passwords and the second factor.
    "account_login": Route(PUBLIC, allowed=frozenset({302})),
    "account_logout": Route(PUBLIC, anonymous=frozenset({302}), needs_mfa=False),
    "account_inactive": Route(PUBLIC),
    # Closed: staff come in by invitation; the page says so.
    "account_signup": Route(PUBLIC, allowed=frozenset({302})),
    "account_reauthenticate": Route(SIGNED_IN, needs_mfa=False),
    "account_email_verification_sent": Route(PUBLIC),
    "account_change_password": Route(SIGNED_IN),
    "account_set_password": Route(SIGNED_IN, allowed=frozenset({302})),
    "account_reset_password": Route(PUBLIC),
    "account_confirm_login_code": Route(PUBLIC, anonymous=frozenset({302})),
    "account_confirm_email": Route(PUBLIC, kwargs=lambda w: {"key": "unknown"}),
    "account_reset_password_from_key_done": Route(PUBLIC),
    "account_reset_password_from_key": Route(
        PUBLIC, kwargs=lambda w: {"uidb36": "1", "key": "unknown"}
    ),
    "account_reset_password_done": Route(PUBLIC),
    "mfa_index": Route(SIGNED_IN, needs_mfa=False),
    "mfa_authenticate": Route(PUBLIC, anonymous=frozenset({302}), allowed=frozenset({302})),
    "mfa_reauthenticate": Route(SIGNED_IN),
    "mfa_activate_totp": Route(SIGNED_IN, allowed=frozenset({302}), needs_mfa=False),
    # Sensitive second-factor changes ask for the password again first.
    "mfa_deactivate_totp": Route(SIGNED_IN, allowed=frozenset({302})),
    "mfa_generate_recovery_codes": Route(SIGNED_IN, allowed=frozenset({302}), needs_mfa=False),
    # allauth answers 404 while the person has no recovery codes.
    "mfa_view_recovery_codes": Route(SIGNED_IN, allowed=frozenset({404}), needs_mfa=False),
    "mfa_download_recovery_codes": Route(SIGNED_IN, allowed=frozenset({404}), needs_mfa=False),
    "usersessions_list": Route(SIGNED_IN),
    # The Django admin: the platform administrator's, behind the second factor.
    "admin:login": Route(ADMIN_SIGN_IN, allowed=frozenset({302})),
    # Signing out of the admin signs anyone out, and nothing more.
    "admin:logout": Route(
        PUBLIC, methods=POST, allowed=frozenset({200, 302}), anonymous=frozenset({200, 302})
    ),
    "admin:index": Route(ADMIN),
    "admin:password_change": Route(ADMIN),
    "admin:password_change_done": Route(ADMIN),
    # Without its query: refused even to the administrator.
    "admin:autocomplete": Route(ADMIN, allowed=frozenset({403})),
    "admin:jsi18n": Route(ADMIN),
    "admin:view_on_site": Route(
        ADMIN, kwargs=lambda w: {"content_type_id": 1, "object_id": 1}, allowed=frozenset({404})
    ),
    "admin:app_list": Route(ADMIN, kwargs=lambda w: {"app_label": "referrals"}),
    # Any other address under the admin.
    "admin/(?P<url>.*)$": Route(
        ADMIN, kwargs=lambda w: {"url": "nothing-here/"}, allowed=frozenset({404})
    ),
}

# The models the platform administrator manages in the admin, each with its list, add,
# history, delete and change pages, and the bare object address that redirects to its change
# page. A model registered in the admin and missing here fails the matrix.
ADMIN_MODELS = (
    "pghistory/events",
    "auth/group",
    "accounts/user",
    "accounts/membership",
    "accounts/liaisonprofile",
    "accounts/invitation",
    "api/apitoken",
    "audit/auditevent",
    "notifications/outboxmessage",
    "directory/region",
    "directory/court",
    "directory/agency",
    "directory/supportservice",
    "referrals/referral",
    "referrals/participant",
    "referrals/intake",
    "referrals/consent",
    "referrals/transfer",
    "referrals/possibleduplicate",
    "victims/victim",
    "account/emailaddress",
    "mfa/authenticator",
    "usersessions/usersession",
)


def _stored(label):
    """A row of the model, for its admin pages (0 when it has none: the admin says so)."""

    def kwargs(world):
        row = apps.get_model(*label.split("/"))._default_manager.order_by("pk").first()
        return {"object_id": row.pk if row else 0}

    return kwargs


def _admin_model_routes(label):
    name = label.replace("/", "_")
    # 403: adding or deleting is refused on models the admin keeps read-only; 302: a missing
    # row sends the administrator back to the index.
    answers = frozenset({200, 302, 403})
    return {
        f"admin:{name}_changelist": Route(ADMIN),
        f"admin:{name}_add": Route(ADMIN, allowed=answers),
        f"admin:{name}_history": Route(ADMIN, kwargs=_stored(label), allowed=answers),
        f"admin:{name}_delete": Route(ADMIN, kwargs=_stored(label), allowed=answers),
        f"admin:{name}_change": Route(ADMIN, kwargs=_stored(label), allowed=answers),
        # The bare object address: a redirect to its change page.
        f"admin/{label}/<path:object_id>/": Route(
            ADMIN, kwargs=_stored(label), allowed=frozenset({302})
        ),
    }


for _label in ADMIN_MODELS:
    ROUTES.update(_admin_model_routes(_label))

ROUTES["admin:auth_user_password_change"] = Route(ADMIN, kwargs=lambda w: {"id": w["intake"].pk})
