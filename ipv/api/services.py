"""Sending a referral through the API: the court portal's e-referral, its forms and service,
under the caller's Idempotency-Key."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from directory.models import Agency, Court
from ipv.api.models import ApiToken, IdempotencyKey
from ipv.api.selectors import with_court_view
from ipv.api.serializers import ReferralSerializer
from ipv.core.forms import apply_errors
from referrals.forms import EReferralForm, ParticipantForm
from referrals.models import Referral
from referrals.services.referrals import e_referral_submit


class NotFound(Exception):
    """The key's referral is no longer one of the token's courts."""


class KeyReused(Exception):
    """The key was used before, for a request with another body."""


def _digest(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _form_data(values, errors: dict) -> dict:
    """A JSON object as a form's data: numbers as text, null as blank, booleans kept. A list
    or an object where one value is expected is an error of that field."""
    if not isinstance(values, dict):
        errors["detail"] = [_("Send an object.")]
        return {}
    data = {}
    for name, value in values.items():
        if isinstance(value, dict | list):
            errors[name] = [_("Enter a single value.")]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool | str):
            data[name] = value
        else:
            data[name] = str(value)
    return data


def _errors(form) -> dict:
    return {name: list(messages) for name, messages in form.errors.items()}


def _forms(*, token: ApiToken, court_ids: list[int], body: dict):
    """The court portal's two forms, bound to the body, the courts narrowed to the token's."""
    errors = {"participant": {}, "order": {}}
    person_data = _form_data(body.get("participant"), errors["participant"])
    order_data = _form_data(body.get("order"), errors["order"])
    person = ParticipantForm(person_data)
    order = EReferralForm(order_data, officer=token.officer)
    order.fields["court"].queryset = Court.objects.filter(pk__in=court_ids)
    order.fields["agency"].queryset = Agency.objects.filter(courts__in=court_ids).distinct()
    return person, order, errors


def _send(*, token, court_ids, body) -> tuple[Referral | None, dict]:
    """The referral sent, or None and the errors, part by part and field by field."""
    person, order, errors = _forms(token=token, court_ids=court_ids, body=body)
    valid = person.is_valid() & order.is_valid()
    if valid and not any(errors.values()):
        details = dict(order.cleaned_data)
        agency = details.pop("agency")
        try:
            referral = e_referral_submit(
                officer=token.officer,
                agency=agency,
                participant=person.cleaned_data,
                order=details,
            )
        except ValidationError as error:
            apply_errors(order, error)
        else:
            return referral, {}
    errors["participant"] |= _errors(person)
    errors["order"] |= _errors(order)
    return None, {part: found for part, found in errors.items() if found}


def _answers(referral: Referral) -> dict:
    """The referral as the API shows it, in each language: {"fr": …, "en": …}."""
    viewed = with_court_view([referral])[0]
    answers = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            answers[code] = ReferralSerializer(viewed).data
    return answers


def referral_send(*, token: ApiToken, court_ids: list[int], key: str, body: dict):
    """Send the referral `body` describes, once per (token, key): (status, data, the referral
    or None, replayed).

    The key's row is written first: a second request with the same key waits on its unique
    index until the first commits, then gets the first one's answer, in its own language (the
    key keeps it in each: the referral as it was sent, never as it is now, which a token that
    may only send must not read). A refusal (400) keeps no key, so the corrected request can be
    sent under the same one. KeyReused when the key was used for another body."""
    digest = _digest(body)
    language = translation.get_language()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(token=token, key=key, request_digest=digest)
        except IntegrityError:
            record = IdempotencyKey.objects.get(token=token, key=key)
            if record.request_digest != digest:
                raise KeyReused from None
            referral = (
                Referral.objects.select_related("agency")
                .filter(pk=record.referral_id, court__in=court_ids)
                .first()
            )
            if referral is None:
                # The referral left the token's courts since: its answer is not given again.
                raise NotFound from None
            answer = record.response.get(language) or record.response[settings.LANGUAGE_CODE]
            return record.status_code, answer, referral, True
        referral, errors = _send(token=token, court_ids=court_ids, body=body)
        if referral is None:
            transaction.set_rollback(True)
            return 400, errors, None, False
        answers = _answers(referral)
        record.referral, record.status_code, record.response = referral, 201, answers
        record.save(update_fields=["referral", "status_code", "response"])
        return 201, answers[language], referral, False


def idempotency_keys_forget(*, referral_ids: list[int]) -> int:
    """Delete the keys the referrals were sent under (retention: a key is the client's text, a
    court file number may be one). No token lives long enough to send them again."""
    deleted, _kinds = IdempotencyKey.objects.filter(referral__in=referral_ids).delete()
    return deleted
