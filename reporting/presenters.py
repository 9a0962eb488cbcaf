"""Read models for reporting pages, emails and exports: one function per shape, so a page,
an export and the board pack show the same rows. Counts, who owes what, the latest approved
update and milestone rows come from reporting/numbers.py, the one place they are made."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from ics_portal.models import ReportingCycle
from ics_portal.workflow.queries import shown_to_leads

from .numbers import (
    MilestoneRow,
    OwedUpdate,
    cycle_row,
    milestone_rows,
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


# --- the current cycle ------------------------------------------------------------------------


def current_cycle() -> ReportingCycle | None:
    """The open cycle (latest if several), else the most recent one."""
    cycles = ReportingCycle.objects.order_by("-fy_start_year", "-quarter")
    return cycles.filter(status=ReportingCycle.Status.OPEN).first() or cycles.first()


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
