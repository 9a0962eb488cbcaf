"""Board-pack generation stays right with several task workers (issue 12): each request to
generate counts up the pack's `generation`, and only that request's task, while the pack is still
generating for it, may note progress, fail the pack or keep its PDF. A task delivered twice, or
overtaken by an edit and a newer request while it renders, changes nothing.

The renderer is replaced by a fast fake whose `meanwhile` hook lets a test do what another worker
or person does while a render is under way (tests/deploy/test_workers.py runs two real workers)."""

import hashlib

import pytest

from packs import actions, generation
from packs.defaults import default_pack
from packs.models import BoardPack
from packs.render import RenderedPDF
from packs.tasks import generate_board_pack

from .. import factories


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class FakeRenderer:
    """Renders "PDF of version N" at once; runs `meanwhile` (once) in the middle of a render."""

    def __init__(self):
        self.renders = 0
        self.meanwhile = None
        self.error: Exception | None = None

    def html(self, pack):
        return f"<p>{pack.title} v{pack.version}</p>"

    def pdf(self, html):
        self.renders += 1
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        if self.error is not None:
            raise self.error
        return RenderedPDF(f"%PDF-1.7 {html}".encode(), 3)


@pytest.fixture
def renderer(monkeypatch):
    fake = FakeRenderer()
    monkeypatch.setattr(generation, "render_pack_html", fake.html)
    monkeypatch.setattr(generation, "render_pdf", fake.pdf)
    return fake


@pytest.fixture
def pack(db, governance):
    cycle = factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    pack = default_pack(cycle)
    pack.created_by = governance
    pack.lead = pack.author = "Gus Governance, Head of Governance"
    pack.save()
    return pack


def request(pack, governance, django_capture_on_commit_callbacks) -> int:
    """Ask for the PDF; the task is queued but not run. Returns the request's number."""
    with django_capture_on_commit_callbacks():  # not executed: the worker has not run yet
        actions.request_generation(pack=BoardPack.objects.get(pk=pack.pk), by=governance)
    return BoardPack.objects.get(pk=pack.pk).generation


def drafts(tmp_path) -> list[str]:
    folder = tmp_path / "media" / "packs" / "drafts"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_each_request_counts_up_and_its_task_carries_the_number(
    pack, governance, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_generation(pack=pack, by=governance)
    (queued,) = default_task_backend.results
    assert queued.kwargs == {"pack_id": pack.pk, "generation": 1}
    assert BoardPack.objects.get(pk=pack.pk).generation == 1
    default_task_backend.clear()


def test_a_task_delivered_twice_renders_once(
    pack, governance, renderer, tmp_path, django_capture_on_commit_callbacks
):
    number = request(pack, governance, django_capture_on_commit_callbacks)
    assert generate_board_pack.call(pack_id=pack.pk, generation=number) == 3
    kept = BoardPack.objects.get(pk=pack.pk)
    assert generate_board_pack.call(pack_id=pack.pk, generation=number) == 0  # again: nothing
    again = BoardPack.objects.get(pk=pack.pk)
    assert renderer.renders == 1
    assert (again.state, again.draft_sha256, again.generated_at) == (
        "READY",
        kept.draft_sha256,
        kept.generated_at,
    )
    assert drafts(tmp_path) == [f"pack-{pack.pk}-v1.pdf"]


def test_two_workers_on_the_same_request_keep_one_pdf(
    pack, governance, renderer, tmp_path, django_capture_on_commit_callbacks
):
    """Both start while the pack is generating; the one that finishes first is kept."""
    number = request(pack, governance, django_capture_on_commit_callbacks)
    other = {}
    renderer.meanwhile = lambda: other.update(
        pages=generate_board_pack.call(pack_id=pack.pk, generation=number)
    )
    assert generate_board_pack.call(pack_id=pack.pk, generation=number) == 0
    assert other == {"pages": 3} and renderer.renders == 2
    pack.refresh_from_db()
    assert pack.state == "READY" and drafts(tmp_path) == [f"pack-{pack.pk}-v1.pdf"]
    with pack.draft_pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == pack.draft_sha256


def test_a_render_overtaken_by_an_edit_and_a_newer_request_is_not_kept(
    pack, governance, renderer, tmp_path, django_capture_on_commit_callbacks
):
    first = request(pack, governance, django_capture_on_commit_callbacks)

    def meanwhile():
        # Another worker finishes the same request; the pack is edited (version 2) and the
        # PDF asked for again, all while this render of version 1 is still under way.
        generate_board_pack.call(pack_id=pack.pk, generation=first)
        actions.edit_pack(pack=BoardPack.objects.get(pk=pack.pk), by=governance, title="New")
        request(pack, governance, django_capture_on_commit_callbacks)

    renderer.meanwhile = meanwhile
    assert generate_board_pack.call(pack_id=pack.pk, generation=first) == 0
    pack.refresh_from_db()
    assert (pack.state, pack.generation, pack.version) == ("GENERATING", 2, 2)
    assert not pack.draft_pdf and drafts(tmp_path) == []  # version 1's PDF is nowhere

    assert generate_board_pack.call(pack_id=pack.pk, generation=2) == 3
    pack.refresh_from_db()
    assert pack.state == "READY" and "New v2" in pack.draft_html
    assert drafts(tmp_path) == [f"pack-{pack.pk}-v2.pdf"]
    # The first request's task, delivered again now, does nothing either.
    assert generate_board_pack.call(pack_id=pack.pk, generation=first) == 0
    assert BoardPack.objects.get(pk=pack.pk).draft_sha256 == pack.draft_sha256


def test_a_stale_failure_does_not_fail_the_current_request(
    pack, governance, renderer, django_capture_on_commit_callbacks
):
    first = request(pack, governance, django_capture_on_commit_callbacks)

    def meanwhile():
        generate_board_pack.call(pack_id=pack.pk, generation=first)  # another worker
        request(pack, governance, django_capture_on_commit_callbacks)  # asked for again
        renderer.error = RuntimeError("font missing")  # ...and this render then fails

    renderer.meanwhile = meanwhile
    with pytest.raises(RuntimeError):
        generate_board_pack.call(pack_id=pack.pk, generation=first)
    pack.refresh_from_db()
    assert (pack.state, pack.generation, pack.generation_error) == ("GENERATING", 2, "")


def test_the_current_request_still_fails_visibly(
    pack, governance, renderer, django_capture_on_commit_callbacks
):
    number = request(pack, governance, django_capture_on_commit_callbacks)
    renderer.error = RuntimeError("font missing")
    with pytest.raises(RuntimeError):
        generate_board_pack.call(pack_id=pack.pk, generation=number)
    pack.refresh_from_db()
    assert (pack.state, pack.generation_error) == ("DRAFT", "font missing")


def test_progress_is_noted_only_by_the_current_request(
    pack, governance, renderer, django_capture_on_commit_callbacks
):
    number = request(pack, governance, django_capture_on_commit_callbacks)
    generation.set_progress(pack.pk, 40, "Laying out pages", number - 1)  # a stale task
    assert BoardPack.objects.get(pk=pack.pk).progress_message == "Queued"
    generation.set_progress(pack.pk, 40, "Laying out pages", number)
    assert BoardPack.objects.get(pk=pack.pk).progress_message == "Laying out pages"


def test_without_a_number_it_renders_as_before(pack, renderer, tmp_path):
    """The demo loader and the command line render a pack directly, in any state."""
    assert pack.state == "DRAFT"
    rendered = generation.generate_now(pack_id=pack.pk)
    assert rendered.state == "READY" and renderer.renders == 1
