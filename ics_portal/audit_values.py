"""The values an audit event keeps: plain JSON (dates as ISO text, related rows by key,
many-to-many fields as their keys sorted as text), never a password hash, token or secret.

Shared by the admin's audit trail (admin_site.AuditedAdminMixin) and the spreadsheet import's
ACCESS_CHANGE events (dataio/resources), so both record the same shape. No model imports here:
the admin site's module is loaded before the models are."""

import datetime
import decimal
import uuid

from django.db.models.fields.files import FieldFile

# Fields whose values never go into an audit event: password hashes, one-time-password secrets
# (django-otp's "key"), tokens.
_SECRET_NAMES = {"password", "key", "secret"}


def _secret(name: str) -> bool:
    return name in _SECRET_NAMES or "token" in name or "secret" in name


def plain(value):
    """A field's value as JSON keeps it: dates as ISO text, related rows by key."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return None  # binary content is not kept
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def plain_keys(keys) -> list:
    """Related rows (a many-to-many field's) by key, in one order whatever the query's."""
    return sorted((plain(k) for k in keys), key=str)


def snapshot(obj) -> dict:
    """The object's stored values by field name (many-to-many fields as sorted keys), secrets
    left out. Read from the database for a saved object, so it is what was really stored."""
    values = {}
    for field in obj._meta.concrete_fields:
        if not _secret(field.name):
            values[field.name] = plain(field.value_from_object(obj))
    for field in obj._meta.many_to_many:
        if _secret(field.name):
            continue
        keys = getattr(obj, field.name).values_list("pk", flat=True) if obj.pk else []
        values[field.name] = plain_keys(keys)
    return values
