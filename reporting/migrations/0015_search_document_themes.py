"""A search document belongs to every theme of what it comes from (issue 15): a BAF risk to its
strategic themes, a golden thread's update to the themes of its workstreams, a milestone to
those of the workstreams it sits in. One theme id became a `themes` column (" 3 7 ").

The index is derived data: this step fills it again from the apps' search sources (their
current models), as 0014 did before it was emptied. On a fresh database there is nothing to
index. Should a later migration make the current models unable to read these tables, this
step can be emptied: `manage.py rebuild_search_index` does the same.
"""

import importlib

from django.db import migrations, models

# SQLite copies the table to alter it, which drops the full-text index's triggers (0013).
_INDEX = importlib.import_module("reporting.migrations.0013_search_document")


def follow_table_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _INDEX._run(schema_editor, _INDEX.FTS_SQLITE_TRIGGERS)


def fill(apps, schema_editor):
    WorkstreamUpdate = apps.get_model("reporting", "WorkstreamUpdate")
    Objective = apps.get_model("workstreams", "Objective")
    BAFRisk = apps.get_model("risks", "BAFRisk")
    if not (
        WorkstreamUpdate.objects.exists() or Objective.objects.exists() or BAFRisk.objects.exists()
    ):
        return
    from reporting.search_index import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0014_fill_search_index"),
        ("risks", "0010_cycle_moves_to_ics_portal"),
        ("workstreams", "0003_workstream_milestone_through"),
    ]

    operations = [
        migrations.RemoveField(model_name="searchdocument", name="theme_id"),
        migrations.AddField(
            model_name="searchdocument",
            name="themes",
            field=models.CharField(blank=True, default="", max_length=400),
        ),
        migrations.RunPython(follow_table_again, follow_table_again, elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
