"""Which request or task a log line (or an error report) belongs to.

django-guid gives each request its id (the X-Request-ID a proxy sent, when it is a UUID, or a
new one) and returns it in the X-Request-ID response header; the task id is noted while a task
runs, in the worker or inside a request. The filter below puts both on every log record, for
the text and JSON formats alike (settings.LOGGING), and `tag_event` puts them on Sentry's
error reports.

Imported by the logging configuration, before the apps are ready: nothing here may touch
models or settings at import.
"""

import contextvars
import logging

from django.core.signals import request_finished
from django_guid import clear_guid, get_guid

current_task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_task_id", default=None
)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record; `missing` when there is none (None
    for JSON, where it becomes null; a dash for text)."""

    def __init__(self, missing: str | None = None):
        super().__init__()
        self.missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_guid() or self.missing
        record.task_id = current_task_id.get() or self.missing
        return True


def _task_started(sender, task_result, **kwargs):
    current_task_id.set(str(task_result.id))


def _task_finished(sender, task_result, **kwargs):
    current_task_id.set(None)


def _request_finished(sender, **kwargs):
    # django-guid leaves the id in place after the response; a line the same thread logs
    # later (between requests) belongs to no request.
    clear_guid()


def connect_signals() -> None:
    """From IcsPortalConfig.ready(). django_tasks logs "Task id=... state=..." from its own
    receivers, connected on import, so they run before ours: the finishing line still carries
    the task id."""
    from django_tasks.signals import task_finished, task_started

    task_started.connect(_task_started, dispatch_uid="ics_portal.observability.task_started")
    task_finished.connect(_task_finished, dispatch_uid="ics_portal.observability.task_finished")
    request_finished.connect(
        _request_finished, dispatch_uid="ics_portal.observability.request_finished"
    )


def tag_event(event: dict, hint: dict) -> dict:
    """Sentry's before_send: the report carries the request id (as the response header and
    the log lines do) and the task id, so one can be found from the other."""
    tags = event.setdefault("tags", {})
    if request_id := get_guid():
        tags["request_id"] = request_id
    if task_id := current_task_id.get():
        tags["task_id"] = task_id
    return event
