"""The updates' texts the search box finds: every quarter's workstream and golden-thread
update, with its objective progress and milestone commentary (ics_portal/search_sources.py)."""

from django.db.models import Prefetch

from ics_portal.search_sources import SearchEntry, SearchSource, Visibility, plain_text
from workstreams.models import GoldenThread, Workstream

from .models import GoldenThreadUpdate, MilestoneProgress, ObjectiveProgress, WorkstreamUpdate


def workstream_update_entries(updates):
    updates = updates.select_related("workstream", "cycle").prefetch_related(
        Prefetch(
            "objective_progress",
            queryset=ObjectiveProgress.objects.select_related("objective"),
        ),
        Prefetch(
            "milestone_progress", queryset=MilestoneProgress.objects.select_related("milestone")
        ),
    )
    for update in updates:
        workstream = update.workstream
        objectives = [
            f"Objective {row.objective.number}: {plain_text(row.progress)}"
            for row in update.objective_progress.all()
            if row.progress
        ]
        milestones = [
            f"{row.milestone.title}: {row.note}"
            for row in update.milestone_progress.all()
            if row.note
        ]
        yield SearchEntry(
            kind="workstream_update",
            object_id=update.pk,
            title=f"{workstream.name}: {update.cycle.label} update",
            text=plain_text(
                update.status_explanation,
                *objectives,
                *milestones,
                update.next_quarter_plans,
                update.key_risks,
            ),
            url=update.get_absolute_url(),
            subject=workstream.label,
            cycle_id=update.cycle_id,
            theme_ids=(workstream.theme_id,),
            workstream_id=workstream.pk,
            status=update.overall_status,
            state=update.state,
        )


def thread_update_entries(updates):
    updates = updates.select_related("golden_thread", "cycle").prefetch_related(
        Prefetch("golden_thread__workstreams", queryset=Workstream.objects.only("theme_id"))
    )
    for update in updates:
        thread = update.golden_thread
        themes = {workstream.theme_id for workstream in thread.workstreams.all()}
        yield SearchEntry(
            kind="thread_update",
            object_id=update.pk,
            title=f"{thread.label}: {update.cycle.label} update",
            text=plain_text(
                update.status_explanation,
                update.quarter_update,
                update.next_quarter_plans,
                update.key_risks,
            ),
            url=update.get_absolute_url(),
            subject=thread.label,
            cycle_id=update.cycle_id,
            golden_thread_id=thread.pk,
            theme_ids=tuple(sorted(themes)),
            status=update.overall_status,
            state=update.state,
        )


SOURCES = (
    SearchSource(
        kind="workstream_update",
        label="Workstream update",
        model=WorkstreamUpdate,
        entries=workstream_update_entries,
        visibility=Visibility.REVIEWED,
        leads_by="workstream_id",
        touched_by={
            ObjectiveProgress: lambda row: [row.update_id],
            MilestoneProgress: lambda row: [row.update_id],
            Workstream: lambda workstream: workstream.updates.values_list("pk", flat=True),
        },
        order=10,
    ),
    SearchSource(
        kind="thread_update",
        label="Golden thread update",
        model=GoldenThreadUpdate,
        entries=thread_update_entries,
        visibility=Visibility.REVIEWED,
        leads_by="golden_thread_id",
        # A thread's updates belong to the themes of the workstreams tagged with it.
        touched_by={
            GoldenThread: lambda thread: thread.updates.values_list("pk", flat=True),
            Workstream: lambda workstream: GoldenThreadUpdate.objects.filter(
                golden_thread__workstreams=workstream
            ).values_list("pk", flat=True),
        },
        links=(Workstream.golden_threads.through,),
        order=20,
    ),
)
