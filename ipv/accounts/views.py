from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipv.accounts import selectors, services, throttle
from ipv.accounts.forms import (
    AgencySettingsForm,
    InvitationAcceptForm,
    InviteForm,
    NotificationsForm,
    RolesForm,
)
from ipv.core.forms import apply_errors, posted
from ipv.core.permissions import public, requires, signed_in


@signed_in
@require_GET
def landing(request):
    """After sign-in: straight to the only place the person works, else a choice."""
    agencies = selectors.agencies_of(request.user)
    is_liaison = hasattr(request.user, "liaison")
    if len(agencies) == 1 and not is_liaison and not request.user.is_staff:
        return redirect("agency:home", agency_slug=agencies[0].agency.slug)
    if is_liaison and not agencies and not request.user.is_staff:
        return redirect("court:home")
    return render(
        request, "accounts/landing.html", {"agencies": agencies, "is_liaison": is_liaison}
    )


@requires("staff.view")
@require_GET
def staff(request):
    return _staff_page(request, InviteForm(initial={"language": request.LANGUAGE_CODE}))


def _staff_page(request, invite_form, status=200):
    include_former = request.GET.get("former") == "1"
    context = {
        "staff": selectors.staff_list(agency=request.agency, include_former=include_former),
        "invitations": selectors.invitations_pending(agency=request.agency),
        "invite_form": invite_form,
        "include_former": include_former,
    }
    return render(request, "accounts/staff.html", context, status=status)


@requires("staff.manage")
@require_POST
def staff_invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                agency=request.agency, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("agency:staff", agency_slug=request.agency.slug)
    return _staff_page(request, form, status=400)


@requires("staff.manage")
@require_http_methods(["GET", "POST"])
def staff_member(request, user_id):
    member = selectors.staff_member_get(agency=request.agency, user_id=user_id)
    form = RolesForm(posted(request), initial={"roles": member.roles})
    if request.method == "POST" and form.is_valid():
        try:
            services.roles_change(
                user=member.user,
                agency=request.agency,
                roles=form.cleaned_data["roles"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": member.user})
            return redirect("agency:staff", agency_slug=request.agency.slug)
    status = 400 if form.errors else 200
    return render(
        request, "accounts/staff_member.html", {"member": member, "form": form}, status=status
    )


@requires("staff.manage")
@require_POST
def staff_deactivate(request, user_id):
    member = selectors.staff_member_get(agency=request.agency, user_id=user_id)
    try:
        services.staff_deactivate(user=member.user, agency=request.agency, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s no longer has access to the agency.") % {"name": member.user}
        )
    return redirect("agency:staff", agency_slug=request.agency.slug)


@requires("staff.manage")
@require_POST
def invitation_resend(request, pk):
    return _on_invitation(
        request, pk, services.invitation_resend, _("Invitation sent again to %(email)s.")
    )


@requires("staff.manage")
@require_POST
def invitation_revoke(request, pk):
    return _on_invitation(
        request, pk, services.invitation_revoke, _("Invitation to %(email)s revoked.")
    )


def _on_invitation(request, pk, service, done_message):
    invitation = selectors.invitation_get(agency=request.agency, pk=pk)
    try:
        service(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message % {"email": invitation.email})
    return redirect("agency:staff", agency_slug=request.agency.slug)


@requires("settings.manage")
@require_http_methods(["GET", "POST"])
def agency_settings(request):
    form = AgencySettingsForm.for_agency(request.agency, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_settings_update(
                agency=request.agency, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("agency:settings", agency_slug=request.agency.slug)
    status = 400 if form.errors else 200
    return render(request, "accounts/agency_settings.html", {"form": form}, status=status)


@public
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email: set a password (or sign in), then set up MFA."""
    invitation = services.invitation_for_token(token)
    if invitation is None or invitation.status != "pending":
        status = 404 if invitation is None else 410
        context = {"status_name": invitation.status if invitation else "unknown"}
        return render(request, "accounts/invitation_unusable.html", context, status=status)
    user = request.user if request.user.is_authenticated else None
    form = None
    if user is None:
        form = InvitationAcceptForm(
            posted(request),
            email=invitation.email,
            initial={"full_name": invitation.full_name},
        )
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = services.invitation_accept(
                invitation=invitation,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("accounts:landing")
            apply_errors(form, error)
        else:
            if not request.user.is_authenticated:
                login(request, user, backend="ipv.accounts.backends.AuthenticationBackend")
                # They have just chosen their password: setting up their second factor right
                # after must not ask for it again (allauth asks unless it is this recent).
                record_authentication(
                    request, user, method="password", email=user.email, reauthenticated=True
                )
            messages.success(request, _("Welcome. Your access is ready."))
            return redirect("accounts:landing")
    status = 400 if form is not None and form.errors else 200
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation.html", context, status=status)


@signed_in
@require_GET
def email_managed(request):
    """Staff addresses are their sign-in: an administrator changes them, not the person."""
    return render(request, "accounts/email_managed.html")


@signed_in
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The emails the person chooses to get: their morning digest, the court's messages."""
    profile = getattr(request.user, "liaison", None)
    initial = {"digest_enabled": request.user.digest_enabled}
    if profile is not None:
        initial["court_messages"] = profile.court_messages
    form = NotificationsForm(posted(request), initial=initial, liaison=profile is not None)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your choices are saved."))
        return redirect("accounts:notifications")
    status = 400 if form.errors else 200
    return render(request, "accounts/notifications.html", {"form": form}, status=status)


@public
@require_http_methods(["GET", "POST"])
def sign_in_unlock(request, token):
    """The link emailed when an account's sign-in is held back: a button lifts the wait (a
    POST, so that a mail scanner opening the link does not use it up)."""
    try:
        if request.method == "POST":
            user = throttle.unlock_use(token)
            messages.success(request, _("Sign-in is unlocked. You can sign in now."))
            response = redirect("account_login")
            response.set_cookie(
                throttle.DEVICE_COOKIE,
                throttle.device_cookie_value(user),
                max_age=int(throttle.UNLOCK_VALID.total_seconds()),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
        throttle.unlock_for_token(token)
    except ValidationError as error:
        status = 404 if error.code == "invalid" else 410
        context = {"reason": error.code}
        return render(request, "accounts/sign_in_unlock_unusable.html", context, status=status)
    return render(request, "accounts/sign_in_unlock.html")
