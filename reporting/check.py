"""The lead's "check your answers" before submitting (the NHS service manual's pattern): each
section of the update as it stands, with a link to change it on the form, the sections that
are word for word last quarter's approved text, the milestones that are overdue and anything
still to fill before it can be submitted. Each kind of update lists its own rows
(`check_rows`, reporting/kinds.py); nothing here asks which kind an update is."""

from dataclasses import dataclass, field
from datetime import date

from ics_portal.status import DeliveryStatus
from ics_portal.workflow.kinds import kind_of

from .review import last_approved, unchanged_sections


def is_overdue(row, period_end: date) -> bool:
    """A milestone row due before the end of the update's quarter and not complete."""
    due = row.due_date
    return bool(due and due < period_end and row.status != DeliveryStatus.COMPLETE)


def needs_revision(row, period_end: date) -> bool:
    """An overdue milestone row with neither a revised date nor a reason: submission refuses
    it."""
    return is_overdue(row, period_end) and not row.revised_date and not row.note.strip()


@dataclass(frozen=True)
class OverdueMilestone:
    """A milestone the form flags when it opens."""

    milestone_id: int
    title: str
    due: str  # as written: "Delivery by Sept 2021"
    answered: bool  # it has a revised date or a reason

    @property
    def anchor(self) -> str:
        return f"milestone-{self.milestone_id}"


def overdue_milestones(update) -> list[OverdueMilestone]:
    """The update's milestone rows that are overdue (prefetched rows: no queries)."""
    end = update.cycle.period.end
    return [
        OverdueMilestone(
            row.milestone_id,
            row.milestone.title,
            row.due_text,
            not needs_revision(row, end),
        )
        for row in kind_of(update).milestone_rows(update)
        if is_overdue(row, end)
    ]


@dataclass
class CheckRow:
    """One section of the update on the check page. `fields` are the keys it covers (form
    fields and submission-error keys); `anchor` is where its Change link goes on the form.
    The value is whichever of `html` (rich text), `lines`, `statuses` and `milestones` is
    given."""

    key: str
    label: str
    anchor: str
    fields: tuple[str, ...]
    html: str = ""
    lines: list[str] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (label, status code)
    milestones: list = field(default_factory=list)  # MilestoneProgress rows
    empty: str = "Not filled in"
    unchanged_since: str = ""  # "Q2 2021/22": word for word that quarter's approved text
    problems: list[str] = field(default_factory=list)  # still to fill before submitting
    overdue: set = field(default_factory=set)  # ids of its overdue milestones

    @property
    def is_empty(self) -> bool:
        return not (self.html or self.lines or self.statuses or self.milestones)


@dataclass
class CheckAnswers:
    rows: list[CheckRow]
    problems: list[tuple[str, str]]  # (anchor on the form, message)
    overdue: list[OverdueMilestone]
    last_label: str  # the quarter of the approved update it was compared with, or ""

    @property
    def unchanged(self) -> list[CheckRow]:
        return [row for row in self.rows if row.unchanged_since]

    @property
    def can_submit(self) -> bool:
        return not self.problems


def _problem_anchor(key: str, row) -> str:
    """Where a problem's link lands on the form: a milestone's revised-date day box (the form
    focuses a box its address names), else the section the problem is in."""
    if key.startswith("milestone_"):
        return f"id_{key}_revised_date_day"
    return row.anchor if row else ""


def check_answers(update) -> CheckAnswers:
    """The check page of `update` (loaded with its pages' prefetches): its rows, what is
    still to fill (each kind's `submission_errors`, as submitting would say) and what is
    unchanged since last quarter's approved update."""
    kind = kind_of(update)
    rows = kind.check_rows(update)
    last = last_approved(update)
    unchanged = {section.key for section in unchanged_sections(update, last)}
    for row in rows:
        if unchanged & set(row.fields):
            row.unchanged_since = last.cycle.label
    errors = kind.submission_errors(update)
    problems = []
    for key, message in errors.items():
        row = next((r for r in rows if key in r.fields), None)
        if row is not None:
            row.problems.append(message)
        problems.append((_problem_anchor(key, row), message))
    overdue = overdue_milestones(update)
    for row in rows:
        row.overdue = {o.milestone_id for o in overdue} if row.milestones else set()
    return CheckAnswers(
        rows=rows,
        problems=problems,
        overdue=overdue,
        last_label=last.cycle.label if last else "",
    )
