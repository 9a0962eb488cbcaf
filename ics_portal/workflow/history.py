"""Which earlier reviewed items count: the latest approved one before a cycle, in one query.

Used by every reviewed kind (updates, golden-thread updates, risk reviews) and by the numbers,
the review page, the pack and the risk register, so "latest approved before this cycle" is
written once."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, prefetch_related_objects

from ics_portal.models import AuditEvent

from .kinds import kind_of
from .states import READABLE_BY_BOARD_STATES

# What counts as approved for the board: approved, and approved then published.
COUNTED_STATES = frozenset(READABLE_BY_BOARD_STATES)


def before(cycle, prefix: str = "cycle__") -> Q:
    """Rows whose cycle comes before `cycle`."""
    return Q(**{f"{prefix}fy_start_year__lt": cycle.fy_start_year}) | Q(
        **{f"{prefix}fy_start_year": cycle.fy_start_year, f"{prefix}quarter__lt": cycle.quarter}
    )


def after(cycle, prefix: str = "cycle__") -> Q:
    """Rows whose cycle comes after `cycle`."""
    return Q(**{f"{prefix}fy_start_year__gt": cycle.fy_start_year}) | Q(
        **{f"{prefix}fy_start_year": cycle.fy_start_year, f"{prefix}quarter__gt": cycle.quarter}
    )


def latest_approved(
    model,
    wanted: Iterable[tuple[int, object]],
    *,
    subject: str,
    related: Iterable[str] = (),
    prefetch: Iterable = (),
) -> dict[tuple[int, int], object]:
    """For each (subject id, cycle) in `wanted`, the latest approved or published row of
    `model` (a workstream or golden-thread update, or a risk review) about that subject
    (`subject` is its foreign key: "workstream", "golden_thread", "risk") in a cycle before
    that cycle, keyed by (subject id, cycle id); a pair with none is left out.

    One query, plus one per `prefetch` lookup, however many pairs are wanted."""
    wanted = list(wanted)
    if not wanted:
        return {}
    newest = max((cycle for _, cycle in wanted), key=lambda c: c.period)
    approved = (
        model.objects.filter(state__in=COUNTED_STATES)
        .filter(**{f"{subject}_id__in": {subject_id for subject_id, _ in wanted}})
        .filter(before(newest))
        .select_related("cycle", *related)
        .order_by("-cycle__fy_start_year", "-cycle__quarter")
    )
    by_subject: dict[int, list] = defaultdict(list)
    for row in approved:
        by_subject[getattr(row, f"{subject}_id")].append(row)
    found = {}
    for subject_id, cycle in wanted:
        period = cycle.period
        earlier = (r for r in by_subject.get(subject_id, []) if r.cycle.period < period)
        row = next(earlier, None)
        if row is not None:
            found[(subject_id, cycle.pk)] = row
    if prefetch and found:
        prefetch_related_objects(list(found.values()), *prefetch)
    return found


def returned_by(items: Iterable) -> dict[tuple[str, int], str]:
    """Who last returned (or reopened) each returned item, by (model label, pk): the name the
    audit trail recorded, read for every item in one query (none when nothing is returned).
    The item's own `updated_by` moves on as soon as its lead saves it, so the trail is what
    remembers the reviewer."""
    returned = [item for item in items if item.state == "RETURNED"]
    if not returned:
        return {}
    verbs = {
        f"{kind_of(item).audit_kind}.{action}"
        for item in returned
        for action in ("return", "reopen")
    }
    wanted = {(item._meta.label, str(item.pk)) for item in returned}
    events = AuditEvent.objects.filter(
        verb__in=verbs,
        object_type__in={label for label, _ in wanted},
        object_id__in={pk for _, pk in wanted},
    ).order_by("created_at", "id")
    names: dict[tuple[str, int], str] = {}
    for event in events.values_list("object_type", "object_id", "actor_name"):
        object_type, object_id, name = event
        if (object_type, object_id) in wanted:
            names[(object_type, int(object_id))] = name  # the latest wins
    return names
