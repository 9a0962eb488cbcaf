"""Where the portal keeps forum names as free text (issue 16): each app registers its fields
here in `ready()` (the cycles' board meeting here; the packs' meeting and "presented before"
in packs), so the names page lists every name as written, whether it matches a forum, and
where it is used, without this layer importing the apps above it."""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count

from .forum_models import Forum
from .forum_names import match


@dataclass(frozen=True)
class ForumText:
    model: type[models.Model]
    field: str
    label: str  # where it is used, in the team's words: "Reporting cycles' board meeting"


@dataclass
class WrittenName:
    text: str
    used_in: dict[str, int]  # where: how many rows
    forum: Forum | None


_SOURCES: list[ForumText] = []


def register_forum_text(model, field: str, label: str) -> None:
    source = ForumText(model, field, label)
    if source not in _SOURCES:
        _SOURCES.append(source)


def written_names() -> list[WrittenName]:
    """Every forum name written in a registered field, unmatched first, then by name: one
    query per registered field and one for the forums, however many rows use them."""
    known = [(forum, forum.names()) for forum in Forum.objects.prefetch_related("aliases")]
    names: dict[str, WrittenName] = {}
    for source in _SOURCES:
        rows = (
            source.model._default_manager.exclude(**{source.field: ""})
            .values(source.field)
            .annotate(rows=Count("pk"))
            .order_by()
        )
        for row in rows:
            text = " ".join(row[source.field].split())
            entry = names.setdefault(text, WrittenName(text, {}, match(text, known)))
            entry.used_in[source.label] = entry.used_in.get(source.label, 0) + row["rows"]
    return sorted(names.values(), key=lambda name: (name.forum is not None, name.text.casefold()))
