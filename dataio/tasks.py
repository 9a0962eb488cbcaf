"""Background work of spreadsheet import, run by the task worker (`manage.py task_worker`)."""

from django_tasks import task

from .running import run_queued_check, run_queued_import


@task()
def import_spreadsheet(job_id: int) -> str:
    """Import a confirmed upload (every import runs here); its job records progress and end."""
    return run_queued_import(job_id=job_id).state


@task()
def check_spreadsheet(check_id: int) -> str:
    """Check (preview) an upload too big to check inside the request; the report is kept."""
    return run_queued_check(check_id=check_id)
