"""Helpers for the task-queue tests: a closed-enough quarter with one approved update and a
board pack for it, made through the real actions."""

from ics_portal.status import DeliveryStatus
from ics_portal.workflow import actions as workflow
from packs import actions
from packs.defaults import default_pack
from reporting import actions as update_actions

from ... import factories

COVER = ("meeting", "date_of_meeting", "title", "purpose", "purpose_of_paper", "recommendation")


def approved_cycle(governance):
    """Q2 2021/22 with DIGITAL's update approved."""
    cycle = factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    lead = factories.UserFactory(full_name="Lee Lead")
    workstream = factories.WorkstreamFactory(name="DIGITAL")
    workstream.leads.add(lead)
    objective = factories.ObjectiveFactory(workstream=workstream, number=1, text="Agree priorities")
    update = factories.WorkstreamUpdateFactory(cycle=cycle, workstream=workstream)
    update = update_actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={
            "overall_status": DeliveryStatus.ON_TRACK,
            "forecast_status": DeliveryStatus.ON_TRACK,
            "nothing_to_escalate": True,
        },
        objective_progress={objective.pk: "<p>Priorities agreed.</p>"},
    )
    workflow.submit(update=update, by=lead)
    workflow.approve(update=update, by=governance)
    return cycle


def make_pack(cycle, governance):
    template = default_pack(cycle)
    return actions.create_pack(
        cycle=cycle,
        by=governance,
        lead="Jan Thomas, Accountable Officer",
        author="Sharon Fox, Director of Governance",
        sections=template.sections,
        **{field: getattr(template, field) for field in COVER},
    )
