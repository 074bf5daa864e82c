"""Forms sent once: the key a form carries is recorded in the transaction of what it does."""

from django.db import IntegrityError, transaction

from victims.models import FormSent


def first_send(*, agency_id: int, by, key) -> bool:
    """True the first time a form's key is seen (and it is recorded now, in the caller's
    transaction); False when it was sent before. Two sends at the same moment: the second
    waits on the unique key until the first commits, then finds it."""
    if key is None:
        return True
    try:
        with transaction.atomic():
            FormSent.objects.create(agency_id=agency_id, key=key, by=by)
    except IntegrityError:
        return False
    return True
