from django.db import migrations

# NHS/NPSA 5×5 matrix: score = likelihood × consequence (1-25).
DEFAULT_BANDS = [
    ("Low", 1, 3, "green"),
    ("Moderate", 4, 6, "yellow"),
    ("High", 8, 12, "amber"),
    ("Extreme", 15, 25, "red"),
]


def create_default_matrix(apps, schema_editor):
    RiskMatrix = apps.get_model("risks", "RiskMatrix")
    RiskBand = apps.get_model("risks", "RiskBand")
    matrix, created = RiskMatrix.objects.get_or_create(
        version=1, defaults={"name": "NHS/NPSA 5×5 risk matrix"}
    )
    if created:
        for name, low, high, colour in DEFAULT_BANDS:
            RiskBand.objects.create(matrix=matrix, name=name, min_score=low, max_score=high, colour=colour)


class Migration(migrations.Migration):
    dependencies = [("risks", "0002_initial")]
    operations = [migrations.RunPython(create_default_matrix, migrations.RunPython.noop)]
