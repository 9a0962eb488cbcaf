"""The audit trail as governance reads it: filtered, newest first, a page at a time, with each
person's run of autosaves on one object folded into one entry ("Saved 14 times, 10:02–10:31").

The folding is done by the database (window functions, on SQLite and PostgreSQL alike), so a
page costs the same few queries however long the trail is: the number of entries, the page's
entries, the events they show, and the kinds of object in the trail (for the filter).

A run: consecutive events by one person on one object that are all the same autosave verb
(audit.AUTOSAVE_VERBS) in the same session (session_ref). Events written without a session (a
script, an import) fold while each follows the one before within FOLD_GAP. Anything else that
person does to the object (a submit) ends the run.
"""

import datetime
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from .audit import AUTOSAVE_VERBS, verb_label
from .models import AuditEvent
from .richtext import html_to_text

PAGE_SIZE = 50
# Saves with no session fold while each follows the one before within this many seconds.
FOLD_GAP = datetime.timedelta(minutes=30)
LONGEST_VALUE = 300  # characters of one before/after value shown on the page

# What an event is about, in words, when it is not one of the portal's models.
SUBJECT_LABELS = {
    "audit.log": "Audit trail",
    "dataio.export": "Export",
    "email": "Email address",
}


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page and its export are narrowed to; empty means everything."""

    person: str = ""
    action: str = ""
    object_type: str = ""
    object: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters in use, as plain text (kept in the AUDIT_EXPORT event's `after`)."""
        return {
            key: value.isoformat() if isinstance(value, datetime.date) else value
            for key, value in asdict(self).items()
            if value not in ("", None)
        }

    @property
    def any(self) -> bool:
        return bool(self.as_dict())


def object_type_label(object_type: str) -> str:
    if object_type in SUBJECT_LABELS:
        return SUBJECT_LABELS[object_type]
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of object the trail has events about, labelled, for the filter (one query)."""
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((t, object_type_label(t)) for t in types), key=lambda c: c[1].lower())


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_events(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Every event matching `filters`, newest first (the page folds them; the export does not)."""
    events = AuditEvent.objects.all()
    if filters.person:
        people = get_user_model().objects.filter(
            Q(full_name__icontains=filters.person) | Q(email__icontains=filters.person)
        )
        events = events.filter(
            Q(actor_name__icontains=filters.person) | Q(actor_id__in=people.values("pk"))
        )
    if filters.action:
        events = events.filter(verb=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object:
        events = events.filter(
            Q(object_label__icontains=filters.object) | Q(object_id=filters.object)
        )
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lt=_day_start(filters.date_to + datetime.timedelta(1)))
    return events.order_by("-created_at", "-id")


# --- folded entries -------------------------------------------------------------------------------


def _seconds_since(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _runs_sql(filters: AuditFilters) -> tuple[str, list]:
    """SQL for one row per entry (a run of folded saves, or one event): its first and last
    event's ids and how many events it holds, newest entry first."""
    events = (
        filtered_events(filters)
        .order_by()
        .values("id", "created_at", "actor_id", "object_type", "object_id", "verb", "session_ref")
    )
    events_sql, params = events.query.sql_with_params()
    saves = sorted(AUTOSAVE_VERBS)
    lag_at = "LAG(created_at) OVER w"
    sql = f"""
        WITH events AS ({events_sql}),
        marked AS (
            SELECT id, created_at, actor_id, object_type, object_id,
                CASE WHEN verb IN ({", ".join(["%s"] * len(saves))})
                    AND LAG(verb) OVER w = verb
                    AND LAG(session_ref) OVER w = session_ref
                    AND (session_ref <> '' OR {_seconds_since("created_at", lag_at)} <= %s)
                THEN 0 ELSE 1 END AS starts
            FROM events
            WINDOW w AS (PARTITION BY actor_id, object_type, object_id ORDER BY created_at, id)
        ),
        runs AS (
            SELECT id, created_at, actor_id, object_type, object_id,
                SUM(starts) OVER (
                    PARTITION BY actor_id, object_type, object_id ORDER BY created_at, id
                    ROWS UNBOUNDED PRECEDING
                ) AS run
            FROM marked
        ),
        numbered AS (
            SELECT id, created_at, actor_id, object_type, object_id, run,
                ROW_NUMBER() OVER (
                    PARTITION BY actor_id, object_type, object_id, run ORDER BY created_at, id
                ) AS from_start,
                ROW_NUMBER() OVER (
                    PARTITION BY actor_id, object_type, object_id, run
                    ORDER BY created_at DESC, id DESC
                ) AS from_end
            FROM runs
        )
        SELECT MAX(CASE WHEN from_start = 1 THEN id END) AS first_id,
            MAX(CASE WHEN from_end = 1 THEN id END) AS last_id,
            COUNT(*) AS events,
            MAX(created_at) AS last_at
        FROM numbered
        GROUP BY actor_id, object_type, object_id, run
    """
    return sql, [*params, *saves, FOLD_GAP.total_seconds()]


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    has_before: bool


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit page: an event, or a run of autosaves folded into one."""

    event: AuditEvent  # the run's last event (the event itself when not folded)
    first: AuditEvent
    count: int
    changes: list[Change] = field(default_factory=list)

    @property
    def folded(self) -> bool:
        return self.count > 1

    @property
    def action(self) -> str:
        return verb_label(self.event.verb)

    @property
    def object_type(self) -> str:
        return object_type_label(self.event.object_type)

    @property
    def span(self) -> str:
        """ "10:02–10:31" (with the day when the run crosses midnight)."""
        start = timezone.localtime(self.first.created_at)
        end = timezone.localtime(self.event.created_at)
        if start.date() == end.date():
            return f"{start:%H:%M}–{end:%H:%M}"
        return f"{start:%-d %b %H:%M}–{end:%-d %b %Y %H:%M}"


CODE = re.compile(r"[A-Z]+(?:_[A-Z]+)*|[a-z]+(?:_[a-z]+)+")  # ON_TRACK, key_risks


def _value(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str) and CODE.fullmatch(value):
        return value.replace("_", " ").capitalize()  # "On track", "Key risks"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(_value(v) for v in value) or "(none)"
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
        if "<" in text and ">" in text:
            text = html_to_text(text)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def changes(before: Any, after: Any) -> list[Change]:
    """Before and after, field by field, readably (values that are not a dict: one row)."""
    if before is None and after is None:
        return []
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [Change("", _value(before), _value(after), before is not None)]
    before, after = before or {}, after or {}
    return [
        Change(
            str(key).replace("_", " ").capitalize(),
            _value(before.get(key)),
            _value(after.get(key)),
            key in before,
        )
        for key in dict.fromkeys([*before, *after])
    ]


class FoldedEntries:
    """The entries matching some filters, sliced a page at a time (what Paginator needs)."""

    def __init__(self, filters: AuditFilters):
        self.sql, self.params = _runs_sql(filters)

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) entries", self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[AuditEntry]:
        limit, offset = page.stop - page.start, page.start
        with connection.cursor() as cursor:
            cursor.execute(
                f"{self.sql} ORDER BY last_at DESC, last_id DESC LIMIT %s OFFSET %s",
                [*self.params, limit, offset],
            )
            rows = cursor.fetchall()
        events = AuditEvent.objects.in_bulk(
            [i for first, last, _, _ in rows for i in (first, last)]
        )
        entries = []
        for first_id, last_id, count, _ in rows:
            first, last = events[first_id], events[last_id]
            before = first.before if count > 1 else last.before
            entries.append(AuditEntry(last, first, count, changes(before, last.after)))
        return entries


def audit_page(filters: AuditFilters, number: Any = 1) -> Page:
    """The page `number` of entries (a bad or too-large number: the nearest page)."""
    return Paginator(FoldedEntries(filters), PAGE_SIZE).get_page(number)
