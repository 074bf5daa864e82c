"""Many-to-many links in the row history.

pghistory keeps a model's rows; a many-to-many field lives in its own link table, which Django
creates unseen. Tracking a proxy of that table records each link made ("add") and each link
undone ("remove"), with who, when and from which request, like any other change.
"""

import pghistory
import pgtrigger
from django.apps import apps
from django.db import connection


def track_links():
    """Decorate a proxy of a many-to-many field's through model to keep its links' history."""
    return pghistory.track(
        pghistory.InsertEvent("add"), pghistory.DeleteEvent("remove"), obj_field=None
    )


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
