"""Where an uploaded file waits between its preview and the confirmation that imports it.

In the configured file storage (local disk by default, object storage at scale, so any app
server can pick it up), under a random token that only the uploader's session knows; never in
the database. Files are deleted when imported or cancelled, and any left behind are swept
after a day.
"""

import contextlib
import re
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "dataio-uploads"
KEEP_FOR = timedelta(days=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
SUFFIXES = {"xlsx", "csv"}


def _name(token: str, suffix: str) -> str:
    if not _TOKEN.fullmatch(token or "") or suffix not in SUFFIXES:
        raise ValueError("Not an upload token.")
    return f"{FOLDER}/{token}.{suffix}"


def store(content: bytes, suffix: str) -> str:
    """Keep `content`; return the token that finds it again."""
    sweep()
    token = secrets.token_urlsafe(32)
    default_storage.save(_name(token, suffix), ContentFile(content))
    return token


def load(token: str, suffix: str) -> bytes | None:
    try:
        name = _name(token, suffix)
    except ValueError:
        return None
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def discard(token: str, suffix: str) -> None:
    with contextlib.suppress(ValueError, FileNotFoundError):
        default_storage.delete(_name(token, suffix))


def sweep() -> None:
    """Delete uploads older than a day (previews that were never confirmed)."""
    try:
        _, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - KEEP_FOR
    for filename in files:
        name = f"{FOLDER}/{filename}"
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except (FileNotFoundError, NotImplementedError):
            continue
