"""Fill the search index from what the database already holds (issue 15).

It uses the apps' search sources (their current models), not historical ones: the index is
derived data, built by the same code that keeps it up to date. On a fresh database there is
nothing to index and it does nothing. Should a later migration make the current models unable
to read these tables, this step can be emptied: `manage.py rebuild_search_index` does the same.
"""

from django.db import migrations


def fill(apps, schema_editor):
    """Emptied by 0015, which changed the table the current models read (theme_id became
    themes) and fills the index after that change, as this step did."""


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0013_search_document"),
        ("risks", "0010_cycle_moves_to_ics_portal"),
        ("workstreams", "0003_workstream_milestone_through"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
