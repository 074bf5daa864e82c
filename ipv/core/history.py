"""The row history's two special cases: many-to-many links, and models with encrypted fields.

pghistory keeps a model's rows; a many-to-many field lives in its own link table, which Django
creates unseen. Tracking a proxy of that table records each link made ("add") and each link
undone ("remove"), with who, when and from which request, like any other change.

A model with encrypted fields keeps a history without them (`track_sealed`): which of them
changed, never their values.
"""

import pghistory
import pghistory.trigger
import pgtrigger
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ipv.core.fields import encrypted_fields_of


def track_links():
    """Decorate a proxy of a many-to-many field's through model to keep its links' history."""
    return pghistory.track(
        pghistory.InsertEvent("add"), pghistory.DeleteEvent("remove"), obj_field=None
    )


class _SealedEvent(pghistory.trigger.Event):
    """pghistory's event trigger, also writing `pgh_confidential`: the names of the encrypted
    fields the change touched (computed by `changed`, an SQL array), never their values."""

    def __init__(self, *, changed: str, **kwargs):
        self.changed = changed
        super().__init__(**kwargs)

    def get_func(self, model):
        func = super().get_func(model).func
        head = f'INSERT INTO "{self.event_model._meta.db_table}" ('
        func = func.replace(head, f'{head}"pgh_confidential", ', 1)
        func = func.replace(" VALUES (", f" VALUES ({self.changed}, ", 1)
        return pgtrigger.Func(func)


def _changed_sql(columns: dict[str, str], test: str) -> str:
    """ARRAY['phone', …] of the fields whose column passes `test` (a template on {col})."""
    cases = ", ".join(
        f"CASE WHEN {test.format(col=column)} THEN '{name}' END" for name, column in columns.items()
    )
    return f"ARRAY_REMOVE(ARRAY[{cases}]::varchar[], NULL)"


def _sealed(tracker: type[pghistory.RowEvent], changed: str):
    class Sealed(tracker):
        def add_event_trigger(self, event_model):
            pgtrigger.register(
                _SealedEvent(
                    changed=changed,
                    event_model=event_model,
                    label=self.label,
                    name=self.trigger_name,
                    row=self.row,
                    operation=self.operation,
                    condition=self.condition,
                    level=self.level,
                )
            )(event_model.pgh_tracked_model)

    return Sealed


def _confidential_changed(event) -> list[str]:
    """The confidential fields this event touched, by their labels in the active language."""
    opts = event.pgh_tracked_model._meta
    return [capfirst(opts.get_field(name).verbose_name) for name in event.pgh_confidential]


def track_sealed(model):
    """pghistory's insert, update and delete history of `model`, without its encrypted fields.

    A history row keeps who, when, from which request, the other fields, and the names of the
    encrypted fields the change touched (`pgh_confidential`): not their values. Ciphertext kept
    in an append-only table could never be encrypted again under a new key, so an old key
    could never be retired (`manage.py rotate_encryption_key`).
    """
    sealed = encrypted_fields_of(model)
    if not sealed:
        raise ValueError(f"{model._meta.label} has no encrypted field: use pghistory.track")
    columns = {field.name: field.column for field in sealed}
    held_new = _changed_sql(columns, "COALESCE(NEW.\"{col}\", '') <> ''")
    held_old = _changed_sql(columns, "COALESCE(OLD.\"{col}\", '') <> ''")
    touched = _changed_sql(columns, 'OLD."{col}" IS DISTINCT FROM NEW."{col}"')
    every_field = [field.name for field in model._meta.concrete_fields]
    return pghistory.track(
        _sealed(pghistory.InsertEvent, held_new)(),
        # Any change, the encrypted columns' included: their ciphertext changes only with
        # their words (ipv.core.fields.Decrypted).
        _sealed(pghistory.UpdateEvent, touched)(condition=pgtrigger.AnyChange(*every_field)),
        _sealed(pghistory.DeleteEvent, held_old)(),
        exclude=list(columns),
        attrs={
            "pgh_confidential": ArrayField(
                models.CharField(max_length=64),
                default=list,
                blank=True,
                verbose_name=_("confidential fields changed"),
            ),
            "confidential_changed": _confidential_changed,
        },
    )(model)


def event_model(model):
    """The pghistory event model that keeps `model`'s rows (`ParticipantEvent` for
    `Participant`)."""
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def history_scrub(model, pks, **values) -> int:
    """Overwrite `values` in the history rows of `model`'s rows `pks`, for what must not be
    kept anywhere once its time is up (ipv.pages.retention). The history is append-only: only
    the owner role may lift that guard, inside the caller's transaction. A column the history
    no longer has is skipped, so a history that stopped keeping a field needs nothing here."""
    events = event_model(model)
    table = events._meta.db_table
    with connection.cursor() as cursor:
        present = {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }
    columns = {field.name: field.column for field in events._meta.concrete_fields}
    kept = {name: value for name, value in values.items() if columns.get(name) in present}
    if not kept or not pks:
        return 0
    with pgtrigger.ignore(f"{events._meta.label}:append_only"):
        return events.objects.filter(pgh_obj_id__in=list(pks)).update(**kept)
