"""What the search box searches (issue 15): a registry each app fills with its texts.

The search index and page live in `reporting` (layer 4), but the texts they hold belong to
every layer: objectives and milestones (workstreams), BAF risks and risk reviews (risks),
updates (reporting), and the registers still to come (issue 16). Each app describes its texts
here, in its `ready()`, as a `SearchSource`; the index asks the sources, so no lower layer
imports search (ADR 0009: look up by registry, not import).

A source turns rows of its model into `SearchEntry` values (plain text, with HTML stripped)
and says which other models' saves change its entries, so the index keeps up by signal.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Visibility(StrEnum):
    """Who may find an entry: the same rule as the page it comes from."""

    # The plan's structure (objectives, milestones): everyone signed in.
    PLAN = "plan"
    # The BAF register: whoever may read it (Perm.RISK_VIEW).
    REGISTER = "register"
    # A reviewed item (an update, a risk review): governance, its leads, and board members
    # once it is approved or published (Perm.UPDATE_VIEW).
    REVIEWED = "reviewed"


@dataclass(frozen=True)
class SearchEntry:
    """One searchable text, as the index stores it."""

    kind: str
    object_id: int
    title: str
    text: str
    url: str = ""
    subject: str = ""  # "Workstream: DIGITAL", "Golden thread: Workforce", "BAF risk 07"
    cycle_id: int | None = None
    # The themes it belongs to: its workstream's; a BAF risk's strategic themes; a golden
    # thread's or a milestone's workstreams' themes. The theme filter finds it under each.
    theme_ids: tuple[int, ...] = ()
    workstream_id: int | None = None
    golden_thread_id: int | None = None
    risk_id: int | None = None
    status: str = ""  # a DeliveryStatus code, where the text has one
    state: str = ""  # a WorkflowState code, for reviewed items


@dataclass(frozen=True)
class SearchSource:
    """A kind of text the search finds.

    - `kind`, `label`: the code stored and the word shown ("Workstream update").
    - `model`: whose rows become entries, one entry per row.
    - `entries(queryset)`: the entries for those rows, in a fixed number of queries.
    - `touched_by`: other models whose saves change these entries, each with a function
      from the saved row to the ids of this source's rows to index again.
    - `links`: many-to-many fields (as their through models) whose changes alter these
      entries: adding or removing a link indexes again the rows on both ends (and, through
      `touched_by`, the rows those touch), as saving them would.
    - `visibility`: who may find them; for `REVIEWED`, `leads_by` names the entry's field that
      says whose item it is ("workstream_id", "golden_thread_id" or "risk_id").
    """

    kind: str
    label: str
    model: type
    entries: Callable[[object], Iterable[SearchEntry]]
    visibility: Visibility
    leads_by: str = ""
    touched_by: dict[type, Callable[[object], Iterable[int]]] = field(default_factory=dict)
    links: tuple[type, ...] = ()
    order: int = 0


_SOURCES: dict[str, SearchSource] = {}


def register_search_source(source: SearchSource) -> None:
    """Add `source` (again on a second call with the same kind: apps' ready() may run twice)."""
    if source.visibility == Visibility.REVIEWED and source.leads_by not in (
        "workstream_id",
        "golden_thread_id",
        "risk_id",
    ):
        raise ValueError(f"Search source {source.kind!r} must say whose items it holds")
    _SOURCES[source.kind] = source


def search_sources() -> list[SearchSource]:
    """Every registered source, in the order their kinds are offered in the filter."""
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.label))


def search_source(kind: str) -> SearchSource | None:
    return _SOURCES.get(kind)


def plain_text(*parts: str | None) -> str:
    """The words of rich-text (sanitised HTML) and plain parts, one part a line: what the index
    holds, so markup is never searched and never shown in a result."""
    from .richtext import html_to_text

    lines = (html_to_text(part) if "<" in part else part for part in parts if part)
    return "\n".join(line for line in lines if line.strip())
