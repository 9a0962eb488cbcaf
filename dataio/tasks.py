"""Background work of spreadsheet import, run by the task worker (`manage.py task_worker`)."""

from django_tasks import task

from .running import run_queued_import


@task()
def import_spreadsheet(job_id: int) -> str:
    """Import a confirmed upload too big for the request; its job records progress and end."""
    return run_queued_import(job_id=job_id).state
