"""Read models for reporting pages, emails and exports: one function per shape, so a page,
an export and the board pack show the same rows. Counts, who owes what, the latest approved
update and milestone rows come from reporting/numbers.py, the one place they are made."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from .models import ReportingCycle, WorkstreamUpdate
from .numbers import (
    MilestoneRow,
    OwedUpdate,
    cycle_row,
    milestone_rows,
    owed_updates,
    thread_updates,
    workstream_updates,
)
from .status import WorkflowState
from .workflow import OUTSTANDING_STATES, leads_window_open


def shown_to_leads() -> Q:
    """The cycles a lead's lists show: open ones; the latest cycle if it has closed (until the
    next one opens, so a lead sees what they missed and that they must ask governance to
    reopen it); and any closed cycle where governance gave them an extension."""
    shown = Q(cycle__status=ReportingCycle.Status.OPEN) | Q(
        cycle__status=ReportingCycle.Status.CLOSED, extended_until__gte=timezone.localdate()
    )
    latest = (
        ReportingCycle.objects.exclude(status=ReportingCycle.Status.DRAFT)
        .order_by("-fy_start_year", "-quarter")
        .values_list("pk", "status")
        .first()
    )
    if latest and latest[1] == ReportingCycle.Status.CLOSED:
        shown |= Q(cycle_id=latest[0], state__in=OUTSTANDING_STATES)
    return shown


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


# --- what an update's page says about its leads' window (docs/adr/0006) ------------------------


@dataclass(frozen=True)
class WorkflowWindow:
    """When an update's (or risk review's) leads can act, as its page tells the person looking,
    and what governance can do to unblock it."""

    update: object
    noun: str  # "update" or "risk review"
    lead_message: str  # for a lead whose window is shut; "" otherwise
    extended_until: date | None  # shown while the update is not yet approved
    extension_active: bool
    extend_url: str  # "" unless the person may give an extension
    reopen_url: str  # "" unless the person may reopen the approved update

    @property
    def cycle(self) -> ReportingCycle:
        return self.update.cycle


def workflow_window(update, user) -> WorkflowWindow:
    """No queries beyond the permission checks the page already makes."""
    from django.urls import reverse

    from ics_portal.permissions import Perm, closed_window_message, has_permission, leads_update

    is_review = update._meta.label == "risks.RiskReview"
    if is_review:
        urls = {
            "extend": reverse("risks:review_extend", kwargs={"pk": update.pk}),
            "reopen": reverse("risks:review_reopen", kwargs={"pk": update.pk}),
        }
    else:
        kind = "workstream" if isinstance(update, WorkstreamUpdate) else "thread"
        urls = {
            name: reverse(f"reporting:update_{name}", kwargs={"kind": kind, "pk": update.pk})
            for name in ("extend", "reopen")
        }
    shut = (
        update.cycle.status == ReportingCycle.Status.CLOSED
        and update.state in OUTSTANDING_STATES | {WorkflowState.SUBMITTED}
        and not leads_window_open(update)
    )
    waiting = update.state not in (WorkflowState.APPROVED, WorkflowState.PUBLISHED)
    return WorkflowWindow(
        update=update,
        noun="risk review" if is_review else "update",
        lead_message=closed_window_message(update) if shut and leads_update(user, update) else "",
        extended_until=update.extended_until if waiting else None,
        extension_active=update.has_extension,
        extend_url=urls["extend"] if has_permission(user, Perm.UPDATE_EXTEND, update) else "",
        reopen_url=urls["reopen"] if has_permission(user, Perm.UPDATE_REOPEN, update) else "",
    )


# --- the current cycle ------------------------------------------------------------------------


def current_cycle() -> ReportingCycle | None:
    """The open cycle (latest if several), else the most recent one."""
    cycles = ReportingCycle.objects.order_by("-fy_start_year", "-quarter")
    return cycles.filter(status=ReportingCycle.Status.OPEN).first() or cycles.first()


# --- exports: cycle return, updates CSV and the BAF register (ics_portal/dataio) --------------


@dataclass(frozen=True)
class UpdateRow:
    """One workstream or golden-thread update, as the cycle return and the updates CSV show it."""

    update: object
    cycle: ReportingCycle
    kind: str  # "Workstream" or "Golden thread"
    code: str
    name: str
    theme: str
    theme_order: tuple
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
    rows = milestone_rows(update.workstream.milestones.all(), update.milestone_progress.all())
    return sorted((row for row in rows if row.falls_in(quarter)), key=lambda row: row.title)


def update_rows(*, cycle: ReportingCycle | None = None) -> list[UpdateRow]:
    """Every workstream and golden-thread update (of one cycle, or all), in plan order: a
    fixed number of queries however many updates there are."""
    flt = {"cycle": cycle} if cycle else {}
    workstreams = workstream_updates(**flt).prefetch_related(
        "workstream__milestones", "milestone_progress", "baf_risks"
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
                theme_order=(workstream.theme.order, workstream.theme.number),
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
                theme_order=(10**6, thread.order, thread.number),
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
            r.theme_order,
            getattr(getattr(r.update, "workstream", None), "order", 0),
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
