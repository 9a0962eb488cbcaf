"""Read models for reporting pages, emails and exports: one function per shape, so a page,
an export and the board pack show the same rows. Counts, who owes what, the latest approved
update and milestone rows come from reporting/numbers.py, the one place they are made."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from ics_portal.workflow.history import returned_by
from ics_portal.workflow.queries import shown_to_leads
from ics_portal.workflow.states import OUTSTANDING_STATES, leads_window_open
from risks.models import BAFRisk, RiskReview

from .numbers import (
    CycleRow,
    MilestoneRow,
    OwedUpdate,
    cycle_counts,
    cycle_row,
    milestone_rows,
    owed_by_person,
    owed_updates,
    thread_updates,
    workstream_updates,
)


def my_updates(user) -> list[OwedUpdate]:
    """Everything `user` leads or deputises in open cycles (and what they still owe in a cycle
    that has just closed, or have an extension for), outstanding first."""
    shown = shown_to_leads()
    ws = (
        workstream_updates()
        .filter(shown)
        .filter(Q(workstream__leads=user) | Q(workstream__deputies=user))
        .distinct()
    )
    gt = thread_updates().filter(shown).filter(golden_thread__system_leads=user).distinct()
    rows = [cycle_row(update) for update in [*ws, *gt]]
    mine = [owed for person, owed in owed_updates(rows) if person.pk == user.pk]
    return sorted(mine, key=lambda r: (r.is_shut, not r.is_outstanding, r.deadline, r.title))


@dataclass(frozen=True)
class OwedItem:
    """One thing a person owes, as "What I owe" lists it: an update they lead, deputise or
    write as a system lead, or the review of a BAF risk they own."""

    item: object  # the update or risk review
    label: str  # "Workstream: DIGITAL", "Golden thread: Workforce", "Risk 07: …"
    kind_label: str  # "Workstream update", "Golden thread update", "Risk review"
    role: str  # "Lead", "Deputy", "System lead", "Risk owner"
    cycle: ReportingCycle
    deadline: date  # the cycle's deadline, or the extension once the cycle has closed
    url: str  # where to act on it: the form while the person can still change it
    is_outstanding: bool
    is_shut: bool  # the cycle closed before it was submitted: only governance can reopen it
    is_extended: bool
    returned_by: str  # who returned it ("" when it is not returned)

    @property
    def state(self) -> str:
        return self.item.state

    @property
    def is_returned(self) -> bool:
        return self.item.state == WorkflowState.RETURNED

    @property
    def return_comment(self) -> str:
        return self.item.review_comment if self.is_returned else ""

    @property
    def days_left(self) -> int:
        return (self.deadline - timezone.localdate()).days


def _deadline(item) -> date:
    if item.cycle.is_closed and item.extended_until:
        return item.extended_until
    return item.cycle.submission_deadline


def _owed_reviews(user) -> list[RiskReview]:
    """The reviews of open risks `user` owns that their lists show (as "My updates" does)."""
    return list(
        RiskReview.objects.filter(shown_to_leads(), risk__owner=user)
        .filter(risk__status=BAFRisk.Status.OPEN)
        .select_related("cycle", "risk")
    )


def what_i_owe(user) -> list[OwedItem]:
    """Everything `user` writes in open cycles (and still owes in one that has just closed,
    or has an extension for): updates and risk reviews together. Returned items first (with
    who returned them and why), then outstanding ones by deadline, then the rest. A fixed
    number of queries however many items there are."""
    updates = my_updates(user)
    reviews = _owed_reviews(user)
    returners = returned_by([*(row.update for row in updates), *reviews])
    items = []
    for row in updates:
        update = row.update
        editable = row.is_outstanding and not row.is_shut
        items.append(
            OwedItem(
                item=update,
                label=row.title,
                kind_label="Workstream update"
                if row.kind == "workstream"
                else "Golden thread update",
                role=row.role,
                cycle=row.cycle,
                deadline=row.deadline,
                url=reverse("reporting:update_edit", kwargs={"kind": row.kind, "pk": update.pk})
                if editable
                else update.get_absolute_url(),
                is_outstanding=row.is_outstanding,
                is_shut=row.is_shut,
                is_extended=row.is_extended,
                returned_by=returners.get((update._meta.label, update.pk), ""),
            )
        )
    for review in reviews:
        outstanding = review.state in OUTSTANDING_STATES
        items.append(
            OwedItem(
                item=review,
                label=f"Risk {review.risk.reference}: {review.risk.title}",
                kind_label="Risk review",
                role="Risk owner",
                cycle=review.cycle,
                deadline=_deadline(review),
                url=review.get_absolute_url(),
                is_outstanding=outstanding,
                is_shut=outstanding and not leads_window_open(review),
                is_extended=review.cycle.is_closed and review.has_extension,
                returned_by=returners.get((review._meta.label, review.pk), ""),
            )
        )
    return sorted(
        items,
        key=lambda i: (
            not (i.is_returned and not i.is_shut),
            i.is_shut,
            not i.is_outstanding,
            i.deadline,
            i.label,
        ),
    )


def still_to_submit(items: list[OwedItem]) -> str:
    """What of `items` is still to write and submit, in words: "2 updates and 1 risk review"
    ("" when nothing is)."""
    outstanding = [i for i in items if i.is_outstanding and not i.is_shut]
    reviews = sum(i.kind_label == "Risk review" for i in outstanding)
    updates = len(outstanding) - reviews
    parts = []
    if updates:
        parts.append(f"{updates} update{'s' if updates != 1 else ''}")
    if reviews:
        parts.append(f"{reviews} risk review{'s' if reviews != 1 else ''}")
    return " and ".join(parts)


# --- the current cycle ------------------------------------------------------------------------


def current_cycle() -> ReportingCycle | None:
    """The open cycle (latest if several), else the most recent one."""
    cycles = ReportingCycle.objects.order_by("-fy_start_year", "-quarter")
    return cycles.filter(status=ReportingCycle.Status.OPEN).first() or cycles.first()


# --- the cycle page's list of updates: filtered and sorted -----------------------------------------

THREADS = "threads"  # the theme filter's value for the golden threads
_STATE_ORDER = [
    WorkflowState.NOT_STARTED,
    WorkflowState.DRAFT,
    WorkflowState.RETURNED,
    WorkflowState.SUBMITTED,
    WorkflowState.APPROVED,
    WorkflowState.PUBLISHED,
]


def theme_key(row: CycleRow) -> str:
    """The theme filter's value for a row: its workstream's theme, or the golden threads."""
    return THREADS if row.kind == "thread" else f"theme-{row.update.workstream.theme_id}"


def _people(row: CycleRow) -> list:
    return [*row.leads, *row.deputies]


def filter_choices(rows: list[CycleRow]) -> tuple[list, list]:
    """The theme and lead filters' choices, from the rows (no query): themes in plan order,
    then the golden threads; leads and deputies by name."""
    themes, people = {}, {}
    for row in rows:
        key = theme_key(row)
        if key not in themes:
            themes[key] = "Golden threads" if key == THREADS else f"Workstreams in {row.group}"
        for person in _people(row):
            people[str(person.pk)] = person.full_name or person.email
    threads = themes.pop(THREADS, None)
    theme_choices = list(themes.items()) + ([(THREADS, threads)] if threads else [])
    return theme_choices, sorted(people.items(), key=lambda item: item[1].lower())


_SORT_KEYS = {
    "update": lambda row: row.title.lower(),
    "lead": lambda row: (not row.leads, (row.leads[0].full_name.lower() if row.leads else "")),
    "state": lambda row: _STATE_ORDER.index(row.state),
    "changed": lambda row: row.updated_at.timestamp() if row.updated_at else float("-inf"),
}


@dataclass(frozen=True)
class SortColumn:
    """A column heading: its link sorts by it (or reverses the sort it already has)."""

    label: str
    href: str
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


@dataclass(frozen=True)
class UpdateList:
    rows: list[CycleRow]
    total: int  # every update of the cycle, before filtering
    filters: list[str]  # the filters applied, in words ("state: Submitted")
    sort_label: str
    columns: dict[str, SortColumn]  # by key: update, lead, state, changed

    @property
    def filtered(self) -> bool:
        return bool(self.filters)


def update_list(
    rows: list[CycleRow], chosen: dict[str, str], *, labels: dict[str, dict], sorts: dict
) -> UpdateList:
    """`rows` filtered by `chosen` (the valid values of the filter form: state, theme, lead)
    and sorted by chosen["sort"] ("update", "-update", ... or "plan"); `labels` are each
    filter's choices in words, `sorts` the sort orders'."""
    shown = rows
    if state := chosen.get("state"):
        shown = [row for row in shown if row.state == state]
    if theme := chosen.get("theme"):
        shown = [row for row in shown if theme_key(row) == theme]
    if lead := chosen.get("lead"):
        shown = [row for row in shown if any(str(p.pk) == lead for p in _people(row))]
    sort = chosen.get("sort") or "plan"
    key = sort.lstrip("-")
    if key in _SORT_KEYS:
        # Stable: rows that tie stay in plan order.
        shown = sorted(shown, key=_SORT_KEYS[key], reverse=sort.startswith("-"))
    names = {"state": "state", "theme": "theme", "lead": "lead or deputy"}
    filters = [f"{names[n]}: {labels[n][chosen[n]]}" for n in names if chosen.get(n)]
    kept = {n: v for n, v in chosen.items() if n != "sort"}
    columns = {}
    for column, label in (
        ("update", "Update"),
        ("lead", "Leads"),
        ("state", "State"),
        ("changed", "Last change"),
    ):
        sorted_here = key == column
        ascending = sorted_here and not sort.startswith("-")
        next_sort = f"-{column}" if ascending else column
        # The newest change first is what is usually wanted from "Last change".
        if column == "changed" and not sorted_here:
            next_sort = "-changed"
        aria = ("ascending" if ascending else "descending") if sorted_here else ""
        columns[column] = SortColumn(label, "?" + urlencode({**kept, "sort": next_sort}), aria)
    return UpdateList(shown, len(rows), filters, sorts[sort], columns)


# --- closing a cycle: what it leaves behind ------------------------------------------------------


@dataclass(frozen=True)
class CloseCheck:
    """What closing `cycle` would leave unfinished, for the question asked before closing."""

    cycle: ReportingCycle
    updates: int
    approved: int
    submitted: int  # waiting for review: governance can still approve or return them
    unsubmitted: int  # not started, draft or returned: their leads can no longer submit them
    reviews: int
    reviews_unsubmitted: int
    people_owing: int  # whom the daily reminders would have chased

    @property
    def not_approved(self) -> int:
        return self.updates - self.approved


def close_check(cycle: ReportingCycle) -> CloseCheck:
    """A fixed number of queries, however many updates, reviews and people the cycle has."""
    overall = cycle_counts(cycle).overall
    reviews = dict(
        RiskReview.objects.filter(cycle=cycle)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return CloseCheck(
        cycle=cycle,
        updates=overall.total,
        approved=overall.approved,
        submitted=overall.counts[WorkflowState.SUBMITTED],
        unsubmitted=sum(overall.counts[s] for s in OUTSTANDING_STATES),
        reviews=sum(reviews.values()),
        reviews_unsubmitted=sum(n for state, n in reviews.items() if state in OUTSTANDING_STATES),
        people_owing=len(owed_by_person(cycle)),
    )


# --- exports: cycle return, updates CSV and the BAF register (dataio) --------------


@dataclass(frozen=True)
class UpdateRow:
    """One workstream or golden-thread update, as the cycle return and the updates CSV show it."""

    update: object
    cycle: ReportingCycle
    kind: str  # "Workstream" or "Golden thread"
    code: str
    name: str
    theme: str
    plan_order: tuple  # theme, then workstream; golden threads after every theme
    leads: list
    deputies: list
    overall_status: str
    forecast_status: str
    status_explanation: str
    date_of_update: date | None
    state: str
    submitted_at: object
    approved_at: object
    next_quarter_plans: str
    key_risks: str
    baf_risks: list[str]
    nothing_to_escalate: bool
    milestones_due: list[MilestoneRow]


def _milestones_due(update, quarter) -> list[MilestoneRow]:
    """The workstream's milestones due in the cycle's quarter (by revised date when the update
    gives one), with the status reported against them."""
    rows = milestone_rows(update.workstream.milestone_links.all(), update.milestone_progress.all())
    return sorted((row for row in rows if row.falls_in(quarter)), key=lambda row: row.title)


def update_rows(*, cycle: ReportingCycle | None = None) -> list[UpdateRow]:
    """Every workstream and golden-thread update (of one cycle, or all), in plan order: a
    fixed number of queries however many updates there are."""
    flt = {"cycle": cycle} if cycle else {}
    workstreams = workstream_updates(**flt).prefetch_related(
        "workstream__milestone_links__milestone", "milestone_progress", "baf_risks"
    )
    threads = thread_updates(**flt).prefetch_related("baf_risks")
    rows = []
    for update in workstreams:
        workstream = update.workstream
        rows.append(
            UpdateRow(
                update=update,
                cycle=update.cycle,
                kind="Workstream",
                code=workstream.code,
                name=workstream.name,
                theme=workstream.theme.name,
                plan_order=(workstream.theme.order, workstream.theme.number, workstream.order),
                leads=list(workstream.leads.all()),
                deputies=list(workstream.deputies.all()),
                overall_status=update.overall_status,
                forecast_status=update.forecast_status,
                status_explanation=update.status_explanation,
                date_of_update=update.date_of_update,
                state=update.state,
                submitted_at=update.submitted_at,
                approved_at=update.approved_at,
                next_quarter_plans=update.next_quarter_plans,
                key_risks=update.key_risks,
                baf_risks=sorted(r.reference for r in update.baf_risks.all()),
                nothing_to_escalate=update.nothing_to_escalate,
                milestones_due=_milestones_due(update, update.cycle.period),
            )
        )
    for update in threads:
        thread = update.golden_thread
        rows.append(
            UpdateRow(
                update=update,
                cycle=update.cycle,
                kind="Golden thread",
                code=str(thread.number),
                name=thread.name,
                theme="",
                plan_order=(10**6, thread.order, thread.number),
                leads=list(thread.system_leads.all()),
                deputies=[],
                overall_status=update.overall_status,
                forecast_status="",
                status_explanation=update.status_explanation,
                date_of_update=None,
                state=update.state,
                submitted_at=update.submitted_at,
                approved_at=update.approved_at,
                next_quarter_plans=update.next_quarter_plans,
                key_risks=update.key_risks,
                baf_risks=sorted(r.reference for r in update.baf_risks.all()),
                nothing_to_escalate=update.nothing_to_escalate,
                milestones_due=[],
            )
        )
    rows.sort(
        key=lambda r: (
            r.cycle.fy_start_year,
            r.cycle.quarter,
            r.kind != "Workstream",
            r.plan_order,
            r.name,
        )
    )
    return rows


@dataclass
class ReturnSheet:
    """A sheet of the cycle return: one theme's workstreams, or the golden threads."""

    title: str
    rows: list[UpdateRow]


def cycle_return_rows(cycle: ReportingCycle) -> list[ReturnSheet]:
    """The cycle return: a sheet per theme (in plan order) and one for the golden threads."""
    sheets: dict[str, ReturnSheet] = {}
    for row in update_rows(cycle=cycle):
        title = row.theme if row.kind == "Workstream" else "Golden threads"
        sheets.setdefault(title, ReturnSheet(title, [])).rows.append(row)
    return list(sheets.values())


@dataclass
class RegisterGroup:
    """The open BAF risks of one category, for the register export."""

    category: str
    label: str
    rows: list


def baf_register_rows() -> list[RegisterGroup]:
    """Open BAF risks grouped by category (in the order the categories are defined), each
    group in reference order, with derived scores and bands."""
    from risks.models import BAFRisk
    from risks.presenters import register_rows

    groups = {code: RegisterGroup(code, label, []) for code, label in BAFRisk.Category.choices}
    for row in register_rows(status="open", sort="reference"):
        groups[row.risk.category].rows.append(row)
    return [group for group in groups.values() if group.rows]
