"""Migration workstreams 0003 turns the plain workstream-milestone link into a row model with a
per-workstream date. The links made before it must survive the upgrade, on SQLite and (run with
DATABASE_URL=postgres://…) on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workstreams", "0002_plausible_dates")]
AFTER = [("workstreams", "0003_workstream_milestone_through")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_existing_links_and_adds_per_workstream_dates():
    old = _migrate(BEFORE)
    Theme = old.get_model("workstreams", "Theme")
    Workstream = old.get_model("workstreams", "Workstream")
    Milestone = old.get_model("workstreams", "Milestone")
    theme = Theme.objects.create(number=91, name="Migration theme")
    shared = Milestone.objects.create(
        title="Migration shared milestone", due_date=datetime.date(2021, 9, 30)
    )
    own = Milestone.objects.create(title="Migration own milestone")
    first = Workstream.objects.create(theme=theme, name="Migration one", code="MIG1")
    second = Workstream.objects.create(theme=theme, name="Migration two", code="MIG2")
    first.milestones.add(shared, own)
    second.milestones.add(shared)

    new = _migrate(AFTER)
    Link = new.get_model("workstreams", "WorkstreamMilestone")
    links = {
        (link.workstream.code, link.milestone.title): link
        for link in Link.objects.filter(workstream__code__startswith="MIG").select_related(
            "workstream", "milestone"
        )
    }
    assert set(links) == {
        ("MIG1", "Migration shared milestone"),
        ("MIG1", "Migration own milestone"),
        ("MIG2", "Migration shared milestone"),
    }
    assert all(
        link.due_date is None and link.due_label == "" and link.order == 0
        for link in links.values()
    )
    # The new columns take a per-workstream date, and the pair stays unique.
    link = links[("MIG2", "Migration shared milestone")]
    link.due_date, link.due_label = datetime.date(2021, 7, 31), "Delivery by July 2021"
    link.save()
    assert Link.objects.get(pk=link.pk).due_label == "Delivery by July 2021"
    Workstream2 = new.get_model("workstreams", "Workstream")
    assert Workstream2.objects.get(code="MIG1").milestones.count() == 2
