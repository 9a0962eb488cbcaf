"""A board pack generated through Redis/RQ as TASK_BACKEND=rq runs it: governance asks for the
pack as the portal does (packs/actions.py), the task waits in Redis, `manage.py task_worker
--burst` runs it, the PDF is there and the pack is ready; publishing then emails the board
through the same queue. Needs the machine's Redis (conftest.py)."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django_rq import get_queue
from django_rq.management.commands import rqworker
from rq.registry import FinishedJobRegistry

from ics_portal import taskqueue
from ics_portal.roles import BOARD_MEMBER
from packs import actions
from packs.models import BoardPack
from reporting import actions as update_actions

from .support import approved_cycle, make_pack

# Not transactional: a transactional test's flush would take the risk matrix the migrations
# put in away from the tests after it. The worker runs in this process on the test's own
# connection (rqworker's closing of connections before it forks is held off), and what the
# portal does "when the change commits" is run by capturing those callbacks.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _same_connection():
    with mock.patch.object(rqworker, "reset_db_connections"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def work_through_the_queue():
    """`manage.py task_worker --burst` with the in-process worker, so the task uses this test's
    database connection and its locmem outbox; what the tasks queue when they "commit" is
    worked through in turn."""
    for _ in range(5):
        if get_queue("default").count == 0:
            return
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("task_worker", "--burst", "--worker-class", "rq.SimpleWorker", verbosity=0)
    raise AssertionError("The queue did not empty.")


def committed(action, **kwargs):
    """Run a portal action and what it does once its change commits (here: enqueue)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action(**kwargs)


def finished_jobs():
    queue = get_queue("default")
    registry = FinishedJobRegistry(queue=queue)
    return [queue.fetch_job(job_id) for job_id in registry.get_job_ids()]


def test_a_pack_generated_through_rq_has_its_pdf_and_is_ready(
    rq_settings, governance, keep_signal_handlers
):
    cycle = approved_cycle(governance)
    pack = make_pack(cycle, governance)

    committed(actions.request_generation, pack=pack, by=governance)  # enqueued on commit

    assert get_queue("default").count == 1
    assert BoardPack.objects.get(pk=pack.pk).state == BoardPack.State.GENERATING
    assert taskqueue.oldest_queued_age() is not None

    work_through_the_queue()

    pack.refresh_from_db()
    assert pack.state == BoardPack.State.READY, pack.generation_error
    assert pack.progress == 100
    with pack.draft_pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert pack.draft_page_count >= 4
    assert get_queue("default").count == 0
    assert taskqueue.oldest_queued_age() is None
    (job,) = finished_jobs()
    assert job.func_name == "packs.tasks.generate_board_pack"
    assert job.return_value() == pack.draft_page_count
    # The portal's limits: ten minutes to run, the result kept as long as the database
    # queue keeps its results.
    assert job.timeout == 600
    assert job.result_ttl == int(datetime.timedelta(days=14).total_seconds())
    result = taskqueue.backend().get_result(job.id)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == pack.draft_page_count


def test_publishing_emails_the_board_through_rq(
    rq_settings, governance, board_member, keep_signal_handlers
):
    assert board_member.groups.filter(name=BOARD_MEMBER.group_name).exists()
    cycle = approved_cycle(governance)
    pack = make_pack(cycle, governance)
    committed(actions.request_generation, pack=pack, by=governance)
    work_through_the_queue()
    update_actions.close_cycle(cycle=cycle, by=governance)
    mail.outbox.clear()

    published = committed(
        actions.publish_pack, pack=BoardPack.objects.get(pk=pack.pk), by=governance
    )

    assert mail.outbox == []  # waiting in Redis, not sent inside the request
    assert get_queue("default").count >= 1
    work_through_the_queue()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([board_member.email, governance.email])
    assert mail.outbox[0].subject == f"Published: {published.title} (version 1)"
    assert "packs.tasks.announce_publication" in {job.func_name for job in finished_jobs()}
