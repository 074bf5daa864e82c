"""Generated files — documents' PDFs, prepared exports — whatever the backend the settings
choose (IPV_FILE_STORAGE): in the database beside their row (`database`, the default), or in
S3-compatible storage through django-storages (`s3`, the `files` storage of STORAGES). Never on
a local disk: the machine that answers a download is not the one that wrote the file.

Names are unguessable, objects private: a download always goes through our views, which check
who asks and audit it, and stream the bytes; no link to the storage reaches a browser."""

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

STORAGE = "files"


def in_database() -> bool:
    """True when files are kept in the database (the caller writes the bytes in its row)."""
    return settings.IPV_FILE_STORAGE == "database"


def file_save(folder: str, content: bytes) -> str:
    """Store `content` under a new unguessable name in `folder`; return the name to keep."""
    name = f"{folder}/{secrets.token_urlsafe(32)}"
    return storages[STORAGE].save(name, ContentFile(content))


def file_read(name: str) -> bytes:
    with storages[STORAGE].open(name, "rb") as stored:
        return stored.read()


def file_delete(name: str) -> None:
    """Delete the file `name` (nothing happens if it is already gone)."""
    storages[STORAGE].delete(name)
