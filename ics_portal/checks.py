"""System checks for settings that can only be judged against the machine (run by `migrate`,
`runserver`, `check` and the task worker before they start)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register("database")
def sqlite_folder_exists(app_configs=None, **kwargs):
    """SQLite cannot make the folder its file goes in; settings no longer make var/ on import
    (a read-only file system must be able to import them), so say what to do instead of
    Django's "unable to open database file"."""
    return missing_sqlite_folders(settings.DATABASES)


def missing_sqlite_folders(databases: dict) -> list[Error]:
    errors = []
    for alias, database in databases.items():
        if database["ENGINE"] != "django.db.backends.sqlite3":
            continue
        name = str(database["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            continue
        folder = Path(name).parent
        if not folder.is_dir():
            errors.append(
                Error(
                    f"The folder for the SQLite database {alias!r} ({folder}) does not exist.",
                    hint=f"Run `make setup` (or `mkdir -p {folder}`), or set DATABASE_URL "
                    "to your PostgreSQL database.",
                    id="ics_portal.E001",
                )
            )
    return errors


@register("security", deploy=True)
def production_settings_present(app_configs=None, **kwargs):
    """`check --deploy` names each production setting still missing (settings.py)."""
    return [
        Error(problem, id="ics_portal.E002")
        for problem in getattr(settings, "PRODUCTION_SETTINGS_MISSING", [])
    ]
