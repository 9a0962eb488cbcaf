"""Where a person can read about a workstream (issue 14: linked workstreams on a risk's page
are links).

A page in a lower layer (a BAF risk's page, in `risks`) links to what higher layers hold (an
update in a published report, in `packs`; the update's own page, in `reporting`) through this
registry, which those apps fill when they load (ADR 0009: look up by registry, not import).
Each finder answers for every workstream asked about at once, in a fixed number of queries, and
only with what `user` may read; the first finder by preference that has a link wins.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class ReadingLink:
    url: str
    # Where the link leads, in words shown beside it: "Q2 2021/22 update, in the report
    # published for 27 October 2021".
    description: str


WorkstreamFinder = Callable[[object, Collection[int]], dict[int, ReadingLink]]

_WORKSTREAM_FINDERS: list[tuple[int, WorkstreamFinder]] = []


def register_workstream_finder(finder: WorkstreamFinder, *, preference: int) -> None:
    """Offer `finder` (user, workstream ids -> links); a lower `preference` is asked first."""
    if all(existing is not finder for _, existing in _WORKSTREAM_FINDERS):
        _WORKSTREAM_FINDERS.append((preference, finder))
        _WORKSTREAM_FINDERS.sort(key=lambda entry: entry[0])


def workstream_reading(user, workstream_ids: Collection[int]) -> dict[int, ReadingLink]:
    """The best link `user` may follow for each of `workstream_ids` (those with none are left
    out): each finder is asked only about the workstreams still without one."""
    links: dict[int, ReadingLink] = {}
    wanted = set(workstream_ids)
    for _, finder in _WORKSTREAM_FINDERS:
        if not wanted:
            break
        found = finder(user, wanted)
        links.update({pk: link for pk, link in found.items() if pk in wanted})
        wanted -= found.keys()
    return links
