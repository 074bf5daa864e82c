"""Invitation and password-reset links are secrets: the trail and the history's request context
keep the page they came from with the token masked, as the logs do."""

import re

import pytest
from django.apps import apps
from django.core import mail

from ipv.audit.models import AuditEvent
from tests.accounts.test_invitations import _accept, _invite, _link

pytestmark = pytest.mark.django_db


def recorded() -> str:
    """Every page the trail and the history's context remember, as one text."""
    paths = list(AuditEvent.objects.values_list("path", flat=True))
    histories = [
        model
        for model in apps.get_models()
        if "pgh_context" in {f.name for f in model._meta.fields}
    ]
    contexts = [
        str(context)
        for model in histories
        for context in model.objects.values_list("pgh_context", flat=True)
    ]
    return "\n".join(paths + contexts)


def test_a_used_invitation_token_is_masked_in_the_trail_and_the_history(
    client, world, django_capture_on_commit_callbacks
):
    _invite(client, world, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0])
    token = path.split("/")[-2]
    assert _accept(client, path).status_code == 302
    trail = recorded()
    assert token not in trail
    # The control: the acceptance was recorded, from the masked page.
    accepted = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_ACCEPTED)
    assert accepted.path == "/fr/invitation/…/"
    assert "'url': '/fr/invitation/…/'" in trail


def test_a_password_reset_key_is_masked_in_the_trail_and_the_history(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fr/account/password/reset/", {"email": "intake@riviere.test"})
    link = re.search(
        r"http://testserver(/fr/account/password/reset/key/(\S+)/)", mail.outbox[0].body
    )
    form = client.get(link.group(1), follow=True)
    action = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    new = "un-tout-nouveau-mot-de-passe"
    assert client.post(action, {"password1": new, "password2": new}).status_code == 302
    key = link.group(2).split("-", 1)[1]
    trail = recorded()
    assert key not in trail
    reset = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_RESET)
    assert reset.path == "/fr/account/password/reset/key/…/"
