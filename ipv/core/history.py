"""Many-to-many links in the row history.

pghistory keeps a model's rows; a many-to-many field lives in its own link table, which Django
creates unseen. Tracking a proxy of that table records each link made ("add") and each link
undone ("remove"), with who, when and from which request, like any other change.
"""

import pghistory


def track_links():
    """Decorate a proxy of a many-to-many field's through model to keep its links' history."""
    return pghistory.track(
        pghistory.InsertEvent("add"), pghistory.DeleteEvent("remove"), obj_field=None
    )
