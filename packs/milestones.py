"""The board pack's milestone section: what is due this quarter, what is due next quarter and
what is overdue, one row per workstream-milestone where workstreams differ.

A milestone shared by many workstreams may be due at a different time in each, and each
workstream's update reports its own status. Rows for the same milestone that agree on the
delivery date, label, status and revised date are grouped into one row naming the workstreams
(in plan order: theme order, then workstream order); where a group is larger than
MAX_NAMES, the row says how many and the full list is in the section's appendix.

The overdue rule is MilestoneRow.overdue_in (reporting/numbers.py), shared with the pack's
exception filter.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from ics_portal.periods import Quarter
from reporting.numbers import MilestoneRow
from workstreams.models import WorkstreamMilestone

# A Workstreams cell names at most this many; a longer list goes to the appendix.
MAX_NAMES = 3


def links_prefetch() -> Prefetch:
    """Each workstream's milestone rows with their milestone, in one query for every workstream
    (read by reporting.numbers.milestone_rows as `workstream.milestone_links.all()`)."""
    return Prefetch(
        "milestone_links", queryset=WorkstreamMilestone.objects.select_related("milestone")
    )


@dataclass
class AppendixEntry:
    reference: str  # "A1"
    row: MilestoneRow  # grouped: row.workstreams is the full list


@dataclass
class PackMilestone:
    """One row of a bucket: the grouped milestone row and, when its workstreams are too many
    to list, the appendix entry that lists them."""

    row: MilestoneRow
    appendix: AppendixEntry | None = None

    @property
    def workstreams_text(self) -> str:
        names = self.row.workstreams
        if self.appendix is None:
            return "; ".join(names)
        return f"{len(names)} workstreams (see {self.appendix.reference})"


@dataclass
class MilestoneSection:
    period: Quarter
    next_period: Quarter
    due_this_quarter: list[PackMilestone] = field(default_factory=list)
    due_next_quarter: list[PackMilestone] = field(default_factory=list)
    overdue: list[PackMilestone] = field(default_factory=list)
    appendix: list[AppendixEntry] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        """How many workstream-milestone rows the buckets list (a row in two buckets, due this
        quarter and overdue, counts once)."""
        buckets = (self.due_this_quarter, self.due_next_quarter, self.overdue)
        return len({id(m.row) for bucket in buckets for m in bucket})

    @property
    def is_empty(self) -> bool:
        return self.row_count == 0


def group_rows(per_workstream: list[tuple[str, list[MilestoneRow]]]) -> list[MilestoneRow]:
    """One row per milestone and (date, label, status, revised date): the workstreams that agree
    share it, named in the order given. Each workstream's rows are left as they are."""
    groups: dict[tuple, MilestoneRow] = {}
    for name, rows in per_workstream:
        for row in rows:
            key = row.group_key
            if key not in groups:
                groups[key] = MilestoneRow(**{**row.__dict__, "workstreams": [], "note": ""})
            groups[key].workstreams.append(name)
    return list(groups.values())


def _by_date(rows: list[MilestoneRow], when) -> list[MilestoneRow]:
    far = date.max
    return sorted(rows, key=lambda r: (when(r) or far, r.title, r.due_label))


def build_milestone_section(
    per_workstream: list[tuple[str, list[MilestoneRow]]], period: Quarter, keep=None
) -> MilestoneSection:
    """The three buckets for the quarter `period`, from each workstream's milestone rows (as
    reporting.numbers.milestone_rows makes them), given in plan order.

    - Due this quarter: its delivery-by date (the workstream's own) falls in `period`.
    - Due next quarter: its expected date (the revised date, else the delivery-by date) falls
      in the quarter after `period`.
    - Overdue: MilestoneRow.overdue_in(period).
    Each row sits in one bucket only: overdue wins over due this or next quarter.
    `keep`, when given, is the exception filter: only rows it accepts are listed."""
    grouped = group_rows(per_workstream)
    if keep is not None:
        grouped = [r for r in grouped if keep(r)]
    next_period = period.next()
    section = MilestoneSection(period, next_period)
    appendix: dict[tuple, AppendixEntry] = {}

    def shown(row: MilestoneRow) -> PackMilestone:
        if len(row.workstreams) <= MAX_NAMES:
            return PackMilestone(row)
        key = row.group_key
        if key not in appendix:
            appendix[key] = AppendixEntry("", row)
        return PackMilestone(row, appendix[key])

    # Each row in one bucket: overdue first, so a milestone due this quarter and revised into
    # the next is listed once, as overdue, with its revised date.
    overdue = [r for r in grouped if r.overdue_in(period)]
    late = {id(r) for r in overdue}
    section.overdue = [shown(r) for r in _by_date(overdue, lambda r: r.due_date)]
    section.due_this_quarter = [
        shown(r)
        for r in _by_date(
            [r for r in grouped if id(r) not in late and r.due_in(period)], lambda r: r.due_date
        )
    ]
    section.due_next_quarter = [
        shown(r)
        for r in _by_date(
            [r for r in grouped if id(r) not in late and r.falls_in(next_period)],
            lambda r: r.when,
        )
    ]
    # Appendix references in the order the rows first appear in the section.
    for number, entry in enumerate(appendix.values(), start=1):
        entry.reference = f"A{number}"
    section.appendix = list(appendix.values())
    return section
