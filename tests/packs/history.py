"""Helpers for the pack's what-changed and exception-mode tests (no tests here): quarters of
updates, golden-thread updates and risk reviews written straight to the database in the state
wanted, and the pack's HTML as text."""

import html
import re

from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.status import DeliveryStatus, WorkflowState
from packs.models import BoardPack
from packs.render import render_pack_html
from reporting.models import MilestoneProgress

from .. import factories

ON_TRACK, AT_RISK, DELAYED, COMPLETE = (
    DeliveryStatus.ON_TRACK,
    DeliveryStatus.AT_RISK,
    DeliveryStatus.DELAYED,
    DeliveryStatus.COMPLETE,
)
APPROVED, SUBMITTED, NOT_STARTED = (
    WorkflowState.APPROVED,
    WorkflowState.SUBMITTED,
    WorkflowState.NOT_STARTED,
)


def quarter(number: int, status=ReportingCycle.Status.CLOSED):
    return factories.ReportingCycleFactory(fy_start_year=2021, quarter=number, status=status)


def _workflow(state, approver) -> dict:
    if state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED):
        return {"state": state, "approved_at": timezone.now(), "approved_by": approver}
    return {"state": state}


def ws_update(
    cycle, workstream, approver, *, status=ON_TRACK, forecast=None, state=APPROVED, milestones=()
):
    """`milestones`: (milestone, status, revised date or None) reported by the update."""
    update = factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=workstream,
        overall_status=status,
        forecast_status=forecast or status,
        **_workflow(state, approver),
    )
    for milestone, milestone_status, revised in milestones:
        workstream.milestones.add(milestone)
        MilestoneProgress.objects.create(
            update=update, milestone=milestone, status=milestone_status, revised_date=revised
        )
    return update


def thread_update(cycle, thread, approver, *, status=ON_TRACK, state=APPROVED):
    return factories.GoldenThreadUpdateFactory(
        cycle=cycle, golden_thread=thread, overall_status=status, **_workflow(state, approver)
    )


def review(risk, cycle, approver, likelihood, consequence, *, state=APPROVED, **fields):
    return factories.RiskReviewFactory(
        risk=risk,
        cycle=cycle,
        likelihood=likelihood,
        consequence=consequence,
        **fields,
        **_workflow(state, approver),
    )


def pack_for(cycle, *, exception_only=False):
    return factories.BoardPackFactory(
        cycle=cycle,
        exception_only=exception_only,
        sections=[s.value for s in BoardPack.Section],
    )


def text_of(markup: str) -> str:
    """The words of some HTML, one space between each."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def section_text(markup: str, section_id: str) -> str:
    """The words of the pack section labelled by `section_id` ("summary", "workstreams")."""
    start = markup.index(f'aria-labelledby="{section_id}"')
    depth, i = 1, markup.index(">", start)
    for tag in re.finditer(r"<(/?)section\b", markup[i:]):
        depth += -1 if tag.group(1) else 1
        if not depth:
            return text_of(markup[i : i + tag.start()])
    raise AssertionError(f"section {section_id} is not closed")


def pack_html(cycle, *, exception_only=False) -> str:
    return render_pack_html(pack_for(cycle, exception_only=exception_only))
