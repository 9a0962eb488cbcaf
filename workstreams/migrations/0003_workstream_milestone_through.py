"""A workstream's milestones get their own row model (WorkstreamMilestone) so a shared milestone
can carry a delivery date per workstream. The link table and its rows are kept: the model takes
over the existing table in the migration state only, then the new columns are added to it."""

import django.db.models.deletion
from django.db import migrations, models

import ics_portal.dates


class Migration(migrations.Migration):
    dependencies = [
        ("workstreams", "0002_plausible_dates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkstreamMilestone",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "milestone",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="workstream_links",
                                to="workstreams.milestone",
                            ),
                        ),
                        (
                            "workstream",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="milestone_links",
                                to="workstreams.workstream",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "workstreams_workstream_milestones",
                        "unique_together": {("workstream", "milestone")},
                    },
                ),
                migrations.AlterField(
                    model_name="workstream",
                    name="milestones",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="workstreams",
                        through="workstreams.WorkstreamMilestone",
                        to="workstreams.milestone",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelOptions(
            name="workstreammilestone",
            options={
                "ordering": ["order", "milestone__due_date", "milestone__title"],
                "verbose_name": "workstream milestone",
            },
        ),
        migrations.AddField(
            model_name="workstreammilestone",
            name="due_date",
            field=ics_portal.dates.PlanDateField(
                blank=True,
                help_text="Only where this workstream's date differs from the milestone's.",
                null=True,
                verbose_name="delivery by (this workstream)",
                what="Delivery date",
            ),
        ),
        migrations.AddField(
            model_name="workstreammilestone",
            name="due_precision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("DAY", "Day"),
                    ("MONTH", "Month"),
                    ("QUARTER", "Quarter"),
                    ("YEAR", "Financial year"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="workstreammilestone",
            name="due_label",
            field=models.CharField(
                blank=True,
                help_text='e.g. "Delivery by July 2021"; blank uses the milestone\'s.',
                max_length=100,
                verbose_name="delivery by as written (this workstream)",
            ),
        ),
        migrations.AddField(
            model_name="workstreammilestone",
            name="order",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
