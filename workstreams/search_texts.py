"""The plan's texts the search box finds: objectives and milestones (ics_portal/search_sources.py).
They have no quarter: they are the plan as it stands."""

from ics_portal.search_sources import SearchEntry, SearchSource, Visibility

from .models import Milestone, Objective, Workstream, WorkstreamMilestone


def objective_entries(objectives):
    for objective in objectives.select_related("workstream"):
        workstream = objective.workstream
        yield SearchEntry(
            kind="objective",
            object_id=objective.pk,
            title=f"{workstream.name} objective {objective.number}",
            text=objective.text,
            subject=workstream.label,
            theme_ids=(workstream.theme_id,),
            workstream_id=workstream.pk,
        )


def milestone_entries(milestones):
    for milestone in milestones.prefetch_related("workstream_links__workstream"):
        themes = {link.workstream.theme_id for link in milestone.workstream_links.all()}
        yield SearchEntry(
            kind="milestone",
            object_id=milestone.pk,
            title=milestone.title,
            text=milestone.due_label,
            subject="Key milestone",
            theme_ids=tuple(sorted(themes)),
        )


SOURCES = (
    SearchSource(
        kind="objective",
        label="Objective",
        model=Objective,
        entries=objective_entries,
        visibility=Visibility.PLAN,
        # A workstream renamed or moved to another theme: its objectives say so.
        touched_by={
            Workstream: lambda workstream: workstream.objectives.values_list("pk", flat=True)
        },
        order=30,
    ),
    SearchSource(
        kind="milestone",
        label="Milestone",
        model=Milestone,
        entries=milestone_entries,
        visibility=Visibility.PLAN,
        # A milestone belongs to the themes of the workstreams it sits in.
        touched_by={
            WorkstreamMilestone: lambda link: [link.milestone_id],
            Workstream: lambda workstream: workstream.milestone_links.values_list(
                "milestone_id", flat=True
            ),
        },
        order=40,
    ),
)
