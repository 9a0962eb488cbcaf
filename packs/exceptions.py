"""Reporting by exception (a pack with exception_only): the one rule, applied to every section.

- A workstream or golden thread is reported when its current OR forecast status is At risk or
  Delayed, or any of its milestones is Delayed or overdue. (A golden-thread update gives no
  forecast and has no milestones of its own, so for a thread only its status counts.)
- A milestone is reported when it is Delayed or overdue (MilestoneRow.overdue_in, the one
  overdue rule in reporting/numbers.py).
- A BAF risk is reported when its current score is above its target, or rose since last
  quarter.

Updates not yet approved are never reported by exception (the board cannot see their status);
the summary lists them. Counts (the status table and bar, the heat maps) still cover everything.
Each section says what it left out and how many (LeftOut.sentence); an empty section says
NOTHING_TO_REPORT.
"""

from dataclasses import dataclass

from ics_portal.status import NEEDS_EXPLANATION, DeliveryStatus

RULE = (
    "This pack reports by exception: a workstream or golden thread is shown when its current "
    "or forecast status is At risk or Delayed, or when any of its milestones is Delayed or "
    "overdue; a milestone is shown when it is Delayed or overdue; a BAF risk is shown when its "
    "current score is above its target or has risen since last quarter. Every count and heat "
    "map still covers everything."
)
NOTHING_TO_REPORT = "Nothing to report by exception."


def milestone_is_exception(row, period) -> bool:
    """`row` is a reporting.numbers.MilestoneRow; `period` the pack's quarter."""
    return row.status == DeliveryStatus.DELAYED or row.overdue_in(period)


def workstream_is_exception(section, period) -> bool:
    """`section` is a packs.content.WorkstreamSection."""
    if section.missing:
        return False
    return (
        section.status in NEEDS_EXPLANATION
        or section.forecast in NEEDS_EXPLANATION
        or any(milestone_is_exception(m, period) for m in section.milestones)
    )


def thread_is_exception(section) -> bool:
    """`section` is a packs.content.ThreadSection."""
    return not section.missing and section.update.overall_status in NEEDS_EXPLANATION


def risk_is_exception(row) -> bool:
    """`row` is a packs.content.RiskRow."""
    return row.current.value > row.target.value or row.direction.key == "up"


@dataclass(frozen=True)
class LeftOut:
    """What one section of an exception-only pack left out, in a sentence."""

    noun: str  # singular, e.g. "workstream"
    plural: str
    total: int
    shown: int
    not_approved: int = 0  # left out because not yet approved (the rest had no exception)
    why: str = "have nothing to report by exception"  # said of the rest, plural verb
    why_one: str = "has nothing to report by exception"

    @property
    def left_out(self) -> int:
        return self.total - self.shown

    @property
    def sentence(self) -> str:
        """ "27 of 30 workstreams have nothing to report by exception and are not shown." """
        if not self.total:
            return f"There are no {self.plural} to report."
        if not self.left_out:
            every = "The only" if self.total == 1 else f"All {self.total}"
            noun = self.noun if self.total == 1 else self.plural
            return f"{every} {noun} {'is' if self.total == 1 else 'are'} shown."
        quiet = self.left_out - self.not_approved
        of = f"{self.left_out} of {self.total} {self.noun if self.total == 1 else self.plural}"
        if not self.not_approved:
            why = self.why_one if self.left_out == 1 else self.why
            return f"{of} {why} and {'is' if self.left_out == 1 else 'are'} not shown."
        parts = []
        if quiet:
            parts.append(f"{quiet} {self.why_one if quiet == 1 else self.why}")
        parts.append(
            f"{self.not_approved} {'is' if self.not_approved == 1 else 'are'} not yet approved "
            "(listed under \u201cUpdates not included\u201d in the summary)"
        )
        return f"{of} {'is' if self.left_out == 1 else 'are'} not shown: {' and '.join(parts)}."
