import re

import pytest
from django.core import mail

from ipv.notifications.models import OutboxMessage
from tests.accounts.test_sessions import sign_in
from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

NEW = "un-tout-nouveau-mot-de-passe"


def test_a_forgotten_password_is_reset_by_email(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/account/password/reset/", {"email": "intake@riviere.test"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["intake@riviere.test"]
    # The link is a secret: the outbox forgets the body once the email has left.
    assert OutboxMessage.objects.get().body_text == ""
    link = re.search(r"http://testserver(/fr/account/password/reset/key/\S+/)", message.body)
    form = client.get(link.group(1), follow=True)
    action = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    client.post(action, {"password1": NEW, "password2": NEW})
    client.logout()
    assert sign_in(client, "intake@riviere.test", NEW, code=totp_code()).status_code == 302
    assert client.get(f"/fr/a/{world.agency.slug}/").status_code == 200


def test_an_unknown_address_gets_the_same_answer(client, world):
    known = client.post("/fr/account/password/reset/", {"email": "intake@riviere.test"})
    unknown = client.post("/fr/account/password/reset/", {"email": "nobody@riviere.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_the_old_password_no_longer_works_after_a_reset(client, world):
    world["intake"].set_password(NEW)
    world["intake"].save()
    response = client.post(
        "/fr/account/login/", {"login": "intake@riviere.test", "password": PASSWORD}
    )
    assert response.status_code == 200
