"""Where an upload waits between its preview and the import: its parsed rows, not the file.

The file is read once, when it is uploaded (`safety.read_upload`); what is kept is its rows as
plain JSON (cell values, with dates tagged so they come back as dates), the file's name,
format and SHA-256. The preview and the import both start from these rows, so a file is never
parsed twice and the original bytes are never kept (see docs/adr/0008).

They live in the configured file storage (local disk by default, object storage at scale, so
any app server or the task worker can pick them up), under a random token that only the
uploader's session (and, once confirmed, their import job) knows; never in the database. An
import or a check (the preview of a big file) running in the task worker notes its progress
beside them, and a check keeps its report there for the preview page. Everything is deleted
when imported or cancelled, and whatever is left is swept after a day: on every upload, and by
`manage.py prune_uploads` from cron.
"""

import contextlib
import json
import logging
import math
import re
import secrets
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .safety import Sheet

logger = logging.getLogger(__name__)

FOLDER = "dataio-uploads"
KEEP_FOR = timedelta(days=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
ROWS, PROGRESS, REPORT = "json", "progress", "report"
FORMAT_VERSION = 1


def _name(token: str, suffix: str = ROWS) -> str:
    if not _TOKEN.fullmatch(token or "") or suffix not in (ROWS, PROGRESS, REPORT):
        raise ValueError("Not an upload token.")
    return f"{FOLDER}/{token}.{suffix}"


# --- cells as JSON --------------------------------------------------------------------------------


def encode_cell(value):
    """A cell value as JSON. Strings, whole numbers, finite decimals, booleans and blanks are
    themselves; dates and times are tagged, so that "30 June 2021" typed as a date still reads
    as a date (a delivery date's label depends on it)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, time):
        return {"time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"timedelta": value.total_seconds()}
    return str(value)


_DECODERS = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "timedelta": lambda seconds: timedelta(seconds=seconds),
    "float": float,
}


def decode_cell(value):
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        return _DECODERS[tag](text)
    return value


def sheet_to_json(sheet: Sheet) -> bytes:
    return json.dumps(
        {
            "version": FORMAT_VERSION,
            "filename": sheet.filename,
            "format": sheet.format,
            "encoding": sheet.encoding,
            "sha256": sheet.sha256,
            "rows": [[number, [encode_cell(v) for v in values]] for number, values in sheet.rows],
        },
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode()


def sheet_from_json(data: bytes) -> Sheet:
    stored = json.loads(data)
    if stored.get("version") != FORMAT_VERSION:
        raise ValueError("An upload stored in another format.")
    return Sheet(
        filename=stored["filename"],
        format=stored["format"],
        encoding=stored["encoding"],
        sha256=stored["sha256"],
        rows=[(number, [decode_cell(v) for v in values]) for number, values in stored["rows"]],
    )


# --- keeping, finding and deleting ---------------------------------------------------------------


def store(sheet: Sheet) -> str:
    """Keep the rows of an uploaded file; return the token that finds them again."""
    sweep()
    token = secrets.token_urlsafe(32)
    default_storage.save(_name(token), ContentFile(sheet_to_json(sheet)))
    return token


def load(token: str) -> Sheet | None:
    """The rows kept under `token`, or None if they are gone (imported, cancelled, swept)."""
    try:
        name = _name(token)
    except ValueError:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            return sheet_from_json(handle.read())
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        logger.warning("Unreadable stored upload %s; treated as gone.", name)
        return None


def exists(token: str) -> bool:
    try:
        return default_storage.exists(_name(token))
    except ValueError:
        return False


def discard(token: str) -> None:
    """Delete the rows kept under `token` and any progress or report kept beside them."""
    for suffix in (ROWS, PROGRESS, REPORT):
        with contextlib.suppress(ValueError, FileNotFoundError):
            default_storage.delete(_name(token, suffix))


def sweep(*, now: datetime | None = None) -> int:
    """Delete whatever has waited longer than KEEP_FOR (previews never confirmed or cancelled,
    files of an earlier version of the portal); return how many files went."""
    try:
        _, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted = 0
    for filename in files:
        name = f"{FOLDER}/{filename}"
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                deleted += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return deleted


# --- progress of an import in the task worker -------------------------------------------------
# The import is one transaction (all or nothing), so nothing it writes to the database can be
# seen until it ends; how far it has got is noted here instead, where the page polling it
# (on any app server) can read it.


def note_progress(token: str, done: int, total: int) -> None:
    name = _name(token, PROGRESS)
    try:
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(f"{done} {total}".encode()))
    except Exception:  # a progress note must never stop the import itself
        logger.warning("Could not note import progress in %s.", name, exc_info=True)


def forget_progress(token: str) -> None:
    with contextlib.suppress(ValueError, FileNotFoundError):
        default_storage.delete(_name(token, PROGRESS))


def read_progress(token: str) -> tuple[int, int] | None:
    """(rows done, rows in all) as last noted, or None if nothing is noted (yet)."""
    try:
        with default_storage.open(_name(token, PROGRESS), "rb") as handle:
            done, total = (int(n) for n in handle.read().split())
    except (FileNotFoundError, ValueError):
        return None
    return done, total


# --- the report of a check (the preview of a big file, run by the task worker) ----------------


def keep_report(token: str, report: dict) -> None:
    """Keep a check's report (importers.ImportReport.as_json) beside the rows it describes."""
    name = _name(token, REPORT)
    with contextlib.suppress(FileNotFoundError):
        default_storage.delete(name)
    data = json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode()
    default_storage.save(name, ContentFile(data))


def load_report(token: str) -> dict | None:
    """The report kept by the check of the upload under `token`, or None if there is none."""
    try:
        with default_storage.open(_name(token, REPORT), "rb") as handle:
            return json.loads(handle.read())
    except (ValueError, FileNotFoundError):
        return None
