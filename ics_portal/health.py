"""/health/ for load balancers and monitoring (django-health-check): the database answers, the
default file storage saves, reads and deletes a file, the cache sets and gets a key, and the
oldest queued task has waited no longer than HEALTH_TASK_QUEUE_MAX_AGE seconds.

200 when every check works, 503 otherwise. No sign-in, and no plain-HTTP redirect
(SECURE_REDIRECT_EXEMPT), so a load balancer can probe an app server directly. The answer
names each check and says "working" or "unavailable", nothing more: why a check failed
(exception text, host names, versions) goes to the log only, where the library writes it.
Plain text by default; JSON for `?format=json` or `Accept: application/json`.

/health/live/ is the liveness probe: the process answers requests, and nothing else is asked
(no database, storage, cache or queue), so an orchestrator restarts a hung server but not every
server while the database is down; /health/ is the readiness probe.
"""

import asyncio
import dataclasses

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from health_check import Cache, Database, Storage
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView, MediaType

from .taskqueue import oldest_queued_age, queue_reachable


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """Unavailable when the queue's store does not answer (the database, or Redis with
    TASK_BACKEND=rq), or when the oldest task waiting to start has waited longer than
    HEALTH_TASK_QUEUE_MAX_AGE seconds: no worker is taking tasks (or too few are)."""

    async def run(self):
        # In the request's own thread and database connection, like the rest of the request.
        if not await sync_to_async(queue_reachable)():
            raise ServiceUnavailable("The task queue's store (database or Redis) does not answer.")
        age = await sync_to_async(oldest_queued_age)()
        limit = settings.HEALTH_TASK_QUEUE_MAX_AGE
        if age is not None and age.total_seconds() > limit:
            raise ServiceUnavailable(
                f"The oldest queued task has waited {age.total_seconds():.0f} s "
                f"(HEALTH_TASK_QUEUE_MAX_AGE is {limit} s): is a task worker running?"
            )


# The name each check has in the answer, in the answer's order.
NAMES = {Database: "database", Storage: "file_storage", Cache: "cache", TaskQueue: "task_queue"}


def wants_json(request) -> bool:
    """`?format=json`, or an Accept header preferring JSON to text (as the library decides)."""
    if "format" in request.GET:
        return request.GET["format"] == "json"
    try:
        for media in MediaType.parse_header(request.headers.get("accept", "*/*")):
            if media.mime_type in ("application/json", "application/*"):
                return True
            if media.mime_type in ("text/plain", "text/html", "text/*", "*/*"):
                return False
    except ValueError:  # an Accept header the library cannot read: plain text
        pass
    return False


class HealthView(HealthCheckView):
    checks = tuple(NAMES)

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        report = {
            NAMES[type(result.check)]: "unavailable" if result.error else "working"
            for result in results
        }
        status = 503 if any(result.error for result in results) else 200
        if wants_json(request):
            return JsonResponse(report, status=status)
        return HttpResponse(
            "".join(f"{name}: {state}\n" for name, state in report.items()),
            content_type="text/plain; charset=utf-8",
            status=status,
        )


view = HealthView.as_view()


def live(request):
    """200 "alive" while the process answers; touches nothing else (see the docstring)."""
    return HttpResponse("alive\n", content_type="text/plain; charset=utf-8")
