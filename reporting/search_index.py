"""Keeping the search index (SearchDocument) in step with what it indexes.

Every registered source (ics_portal/search_sources.py) is followed by signal: saving a row of a
source's model indexes it again; saving a row of a model the source is `touched_by` (an
objective's progress inside an update, a renamed workstream) indexes again the rows it names;
deleting a row removes its document. `rebuild()` (the rebuild_search_index command, and the
migration that fills the index) starts afresh from every source.
"""

from collections.abc import Iterable
from dataclasses import asdict

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from ics_portal.search_sources import SearchEntry, SearchSource, search_source, search_sources

from .models import SearchDocument

BATCH = 500


def _fields(entry: SearchEntry) -> dict:
    fields = asdict(entry)
    fields["themes"] = SearchDocument.themes_value(fields.pop("theme_ids"))
    # The index's highlighting marks matches (and stands in for "<" and "&") with control
    # characters (search_query.py), so none may be in the text itself; limits as the columns'.
    for name in ("title", "text"):
        fields[name] = "".join(ch for ch in fields[name] if ch >= " " or ch in "\n\t")
    fields["title"] = fields["title"][:600]
    fields["subject"] = fields["subject"][:400]
    fields["url"] = fields["url"][:300]
    return fields


def index(source: SearchSource, ids: Iterable[int]) -> None:
    """Index again the rows of `source`'s model with these ids; a row that no longer exists
    loses its document."""
    ids = set(ids)
    if not ids:
        return
    entries = list(source.entries(source.model._default_manager.filter(pk__in=ids)))
    found = {entry.object_id for entry in entries}
    with transaction.atomic():
        if ids - found:
            SearchDocument.objects.filter(kind=source.kind, object_id__in=ids - found).delete()
        for entry in entries:
            fields = _fields(entry)
            kind, object_id = fields.pop("kind"), fields.pop("object_id")
            documents = SearchDocument.objects.filter(kind=kind, object_id=object_id)
            if not documents.update(**fields):
                SearchDocument.objects.create(kind=kind, object_id=object_id, **fields)


def rebuild(kinds: Iterable[str] | None = None) -> int:
    """Build the index afresh from every source (or those of `kinds`); the number of
    documents written."""
    sources = [s for s in search_sources() if kinds is None or s.kind in set(kinds)]
    written = 0
    with transaction.atomic():
        for source in sources:
            SearchDocument.objects.filter(kind=source.kind).delete()
            batch = []
            rows = source.model._default_manager.order_by("pk")
            for entry in source.entries(rows):
                batch.append(SearchDocument(**_fields(entry)))
                if len(batch) >= BATCH:
                    written += len(SearchDocument.objects.bulk_create(batch))
                    batch = []
            written += len(SearchDocument.objects.bulk_create(batch))
    return written


def index_cycle(cycle) -> None:
    """Index again every source's rows that belong to `cycle` (after rows made in bulk, which
    send no signal: opening a cycle)."""
    for source in search_sources():
        if any(field.name == "cycle" for field in source.model._meta.get_fields()):
            ids = source.model._default_manager.filter(cycle=cycle).values_list("pk", flat=True)
            index(source, list(ids))


def _affected(instance) -> list[tuple[SearchSource, list[int]]]:
    affected = []
    for source in search_sources():
        if type(instance) is source.model:
            affected.append((source, [instance.pk]))
        finder = source.touched_by.get(type(instance))
        if finder is not None:
            affected.append((source, list(finder(instance))))
    return affected


def _saved(sender, instance, raw=False, **kwargs) -> None:
    # A fixture's rows arrive without their relations: rebuild_search_index follows a load.
    if raw:
        return
    for source, ids in _affected(instance):
        index(source, ids)


def _deleted(sender, instance, **kwargs) -> None:
    for source in search_sources():
        if type(instance) is source.model:
            SearchDocument.objects.filter(kind=source.kind, object_id=instance.pk).delete()
        elif type(instance) in source.touched_by:
            # The rows it touched may be going too (a cascade): index() drops what is gone.
            index(source, source.touched_by[type(instance)](instance))


# Each link cleared: the rows it linked to, noted before the clear (the signal after it has
# none), keyed by the through model and the row cleared.
_cleared: dict[tuple[type, int], list[int]] = {}


def _linked(through, instance, model) -> list[int]:
    """The ids of `model`'s rows linked to `instance` through `through`."""
    ends = [f for f in through._meta.fields if f.is_relation]
    near = next(f for f in ends if f.related_model is type(instance))
    far = next(f for f in ends if f.related_model is model and f is not near)
    return list(
        through.objects.filter(**{near.attname: instance.pk}).values_list(far.attname, flat=True)
    )


def _links_changed(sender, instance, action, model, pk_set, **kwargs) -> None:
    """A many-to-many link a source follows changed: index again both ends' rows."""
    if not any(sender in source.links for source in search_sources()):
        return
    if action == "pre_clear":
        _cleared[(sender, instance.pk)] = _linked(sender, instance, model)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    ids = _cleared.pop((sender, instance.pk), []) if action == "post_clear" else pk_set
    for row in [instance, *model._default_manager.filter(pk__in=ids or ())]:
        for source, affected in _affected(row):
            index(source, affected)


def follow_sources() -> None:
    """Connect the signals (reporting's ready())."""
    post_save.connect(_saved, dispatch_uid="reporting.search_index.saved")
    post_delete.connect(_deleted, dispatch_uid="reporting.search_index.deleted")
    m2m_changed.connect(_links_changed, dispatch_uid="reporting.search_index.links")


def kind_label(kind: str) -> str:
    source = search_source(kind)
    return source.label if source else kind
