"""A pack whose PDF stopped generating (the task worker died or lost the task) is not stuck in
"Generating" for ever: after longer than a task may run with no sign of life, its page says so,
the poll stops and reloads the page, and governance can generate the PDF again; a task that
then turns up late finishes nothing (its generation is no longer the pack's)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ics_portal.workflow.errors import ActionError
from packs import actions, generation
from packs.models import BoardPack

from .test_board_packs import _pack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cycle(db):
    from .. import factories

    return factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)


def _generating(pack, *, quiet_seconds: int, settings) -> BoardPack:
    BoardPack.objects.filter(pk=pack.pk).update(
        state=BoardPack.State.GENERATING,
        generation=3,
        progress=40,
        progress_message="Laying out pages",
        updated_at=timezone.now() - datetime.timedelta(seconds=quiet_seconds),
    )
    return BoardPack.objects.get(pk=pack.pk)


def test_a_pack_generating_within_the_task_time_cannot_be_asked_for_again(
    cycle, governance, settings
):
    pack = _generating(_pack(cycle, governance), quiet_seconds=60, settings=settings)
    assert not pack.generation_stalled
    with pytest.raises(ActionError, match="already being generated"):
        actions.request_generation(pack=pack, by=governance)


def test_a_stalled_pack_can_be_generated_again_and_the_late_task_keeps_nothing(
    cycle, governance, settings, django_capture_on_commit_callbacks
):
    quiet = settings.TASK_TIMEOUT_SECONDS + 60
    pack = _generating(_pack(cycle, governance), quiet_seconds=quiet, settings=settings)
    assert pack.generation_stalled
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.request_generation(pack=pack, by=governance)
    assert again.generation == 4
    pack.refresh_from_db()
    assert pack.state == BoardPack.State.READY  # the new task ran (immediate backend)
    assert pack.generation == 4
    _, kept = generation.generate(pack_id=pack.pk, generation=3)  # the lost task, late
    assert kept is False


def test_progress_is_a_sign_of_life(cycle, governance, settings):
    quiet = settings.TASK_TIMEOUT_SECONDS + 60
    pack = _generating(_pack(cycle, governance), quiet_seconds=quiet, settings=settings)
    generation.set_progress(pack.pk, 60, "Saving the PDF", 3)
    pack.refresh_from_db()
    assert not pack.generation_stalled


def test_the_page_says_it_stopped_and_offers_to_generate_again(client, cycle, governance, settings):
    quiet = settings.TASK_TIMEOUT_SECONDS + 60
    pack = _generating(_pack(cycle, governance), quiet_seconds=quiet, settings=settings)
    client.force_login(governance)
    page = client.get(reverse("packs:detail", args=[pack.pk])).content.decode()
    assert "The PDF has stopped generating" in page
    assert "(40%, laying out pages)" in page
    assert reverse("packs:generate", args=[pack.pk]) in page
    assert "hx-trigger" not in page.split('id="pack-progress"')[1].split(">")[0]
    poll = client.get(reverse("packs:progress", args=[pack.pk]), headers={"HX-Request": "true"})
    assert poll.headers["HX-Refresh"] == "true"
    _generating(pack, quiet_seconds=60, settings=settings)
    page = client.get(reverse("packs:detail", args=[pack.pk])).content.decode()
    assert "The PDF has stopped generating" not in page
    assert reverse("packs:generate", args=[pack.pk]) not in page
