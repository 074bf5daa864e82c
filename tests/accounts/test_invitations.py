import hashlib
import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from ipv.accounts import services
from ipv.accounts.models import Invitation, LiaisonProfile, Role, User
from ipv.audit.models import AuditEvent
from ipv.notifications.models import OutboxMessage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _invite(client, world, django_capture_on_commit_callbacks, **data):
    client.force_login(world["manager"])
    fields = {"email": "dana@riviere.test", "full_name": "Dana Côté", "language": "fr"}
    fields.update(data)
    fields.setdefault("roles", ["intake"])
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/fr/a/{world.agency.slug}/staff/invite/", fields)


def _link(message):
    return re.search(r"http://\S+(/fr/invitation/[\w-]+/)", message.body).group(1)


def _accept(client, path, **data):
    client.logout()
    fields = {"full_name": "Dana Côté", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(path, {**fields, **data})


def test_a_manager_invites_someone_who_receives_a_link_in_their_language(
    client, world, django_capture_on_commit_callbacks
):
    response = _invite(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["dana@riviere.test"]
    assert message.subject == "Votre invitation à l'organisme Services Rivière"
    invited = "Martine Gagnon vous invite à vous joindre à l'organisme Services Rivière"
    assert invited in message.body
    token = _link(message).split("/")[-2]
    invitation = Invitation.objects.get(email="dana@riviere.test")
    # Only the hash is kept, and the sent email's body is dropped from the outbox.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get(pk=invitation.pk))
    assert OutboxMessage.objects.get().body_text == ""
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_SENT)
    assert (event.actor, event.agency, event.ip) == (world["manager"], world.agency, "127.0.0.1")


def test_the_invited_person_sets_a_password_and_must_then_set_up_mfa(
    client, world, django_capture_on_commit_callbacks
):
    _invite(client, world, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0])
    client.logout()
    page = client.get(path)
    assert "Services Rivière" in page.content.decode()
    response = _accept(client, path)
    assert response.status_code == 302
    dana = User.objects.get(email="dana@riviere.test")
    assert dana.full_name == "Dana Côté"
    assert list(dana.memberships.values_list("role", flat=True)) == [Role.INTAKE]
    assert client.get(f"/fr/a/{world.agency.slug}/")["Location"] == "/fr/account/2fa/totp/activate/"


def test_an_invitation_cannot_be_used_twice(client, world, django_capture_on_commit_callbacks):
    _invite(client, world, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0])
    _accept(client, path)
    response = _accept(client, path, full_name="Someone Else")
    assert response.status_code == 410
    assert "déjà été utilisée" in response.content.decode()
    assert User.objects.filter(email="dana@riviere.test").count() == 1


def test_an_invitation_expires_after_7_days(client, world, django_capture_on_commit_callbacks):
    _invite(client, world, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _accept(client, path)
    assert response.status_code == 410
    assert not User.objects.filter(email="dana@riviere.test").exists()
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert _accept(client, path).status_code == 302


def test_a_revoked_invitation_stops_working(client, world, django_capture_on_commit_callbacks):
    _invite(client, world, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0])
    invitation = Invitation.objects.get(email="dana@riviere.test")
    client.post(f"/fr/a/{world.agency.slug}/invitations/{invitation.pk}/revoke/")
    assert _accept(client, path).status_code == 410


def test_sending_again_replaces_the_link(client, world, django_capture_on_commit_callbacks):
    _invite(client, world, django_capture_on_commit_callbacks)
    old = _link(mail.outbox[0])
    invitation = Invitation.objects.get(email="dana@riviere.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/fr/a/{world.agency.slug}/invitations/{invitation.pk}/resend/")
    new = _link(mail.outbox[1])
    assert new != old
    assert client.get(old).status_code == 404
    assert _accept(client, new).status_code == 302


def test_a_weak_password_is_refused_and_the_name_typed_is_kept(
    client, world, django_capture_on_commit_callbacks
):
    _invite(client, world, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0])
    response = _accept(client, path, password1="password123", password2="password123")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ce mot de passe est trop court" in html
    assert "Ce mot de passe est trop courant" in html
    assert 'value="Dana Côté"' in html
    assert not User.objects.filter(email="dana@riviere.test").exists()


def test_facilitator_and_partner_contact_together_are_refused_unless_the_agency_allows_it(
    client, world, django_capture_on_commit_callbacks
):
    response = _invite(
        client, world, django_capture_on_commit_callbacks, roles=["facilitator", "partner_contact"]
    )
    assert response.status_code == 400
    assert "ne peut pas occuper à la fois les rôles" in response.content.decode()
    assert not Invitation.objects.filter(email="dana@riviere.test").exists()
    world.agency.allow_facilitator_partner_contact = True
    world.agency.save()
    response = _invite(
        client, world, django_capture_on_commit_callbacks, roles=["facilitator", "partner_contact"]
    )
    assert response.status_code == 302


def test_someone_already_on_staff_is_not_invited_again(
    client, world, django_capture_on_commit_callbacks
):
    response = _invite(
        client, world, django_capture_on_commit_callbacks, email="intake@riviere.test"
    )
    assert response.status_code == 400
    assert "fait déjà partie du personnel" in response.content.decode()


def test_a_person_with_an_account_elsewhere_joins_by_signing_in(
    client, world, django_capture_on_commit_callbacks
):
    _invite(client, world, django_capture_on_commit_callbacks, email="intake@lakehead.test")
    path = _link(mail.outbox[0])
    other = world["other_intake"]
    client.force_login(other)
    page = unescape(client.get(path).content.decode())
    assert "Votre session est ouverte sous l'adresse intake@lakehead.test" in page
    assert client.post(path).status_code == 302
    agencies = set(other.memberships.filter(is_active=True).values_list("agency__slug", flat=True))
    assert agencies == {"riviere", "lakehead"}


def test_an_administrator_invites_a_court_liaison_officer(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            email="officer@court.test",
            invited_by=world["admin"],
            courts=[world.court],
            language="en",
        )
    assert mail.outbox[0].subject == "Your invitation to the court liaison portal"
    user = services.invitation_accept(
        invitation=invitation, full_name="Olive Officer", password=PASSWORD
    )
    profile = LiaisonProfile.objects.get(user=user)
    assert list(profile.courts.all()) == [world.court]
    assert not user.memberships.exists()
