"""Governance asks for a pack's PDF while the task worker is busy elsewhere: the page shows the
generation's progress, and when the worker finishes (played here by the test) the actions for
the ready draft appear without the person reloading the page; a failed render shows why."""

import pytest

from packs import generation
from packs.models import BoardPack

from .conftest import axe_violations, fill_date, sign_in


@pytest.fixture
def worker_not_running(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _start_generating(page, live_server) -> BoardPack:
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.goto(f"{live_server.url}/packs/new/")
    page.get_by_label("Reporting cycle").select_option(label="Q2 2021/22")
    page.get_by_label("Title").fill("Progress report, Q2 2021/22")
    fill_date(page, "Date of meeting", 27, 10, 2021)
    page.get_by_label("Lead", exact=True).fill("Jan Thomas, Joint Accountable Officer")
    page.get_by_label("Author", exact=True).fill("Sharon Fox, Director of Governance")
    page.get_by_label("Inform").check()
    page.get_by_label("Purpose of the paper").fill("To report progress.")
    page.get_by_label("Recommendation").fill("The Board is asked to note the report.")
    page.get_by_role("button", name="Create board pack").click()
    page.get_by_role("heading", name="Progress report, Q2 2021/22").wait_for()
    page.get_by_role("button", name="Generate the PDF").click()
    page.wait_for_load_state("networkidle")
    return BoardPack.objects.get(state=BoardPack.State.GENERATING)


def test_the_actions_appear_when_generation_ends(
    demo_data, worker_not_running, live_server, page, screenshot
):
    pack = _start_generating(page, live_server)
    progress = page.locator("#pack-progress")
    assert "Generating the PDF" in progress.inner_text()
    assert page.get_by_role("link", name="Publish this version").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "pack-generating")

    generation.generate_now(pack_id=pack.pk)  # the worker finishes

    # Within a poll or two the page shows the ready draft and its actions, with no reload.
    page.get_by_role("link", name="Publish this version").wait_for(timeout=15_000)
    assert "Draft PDF ready" in page.locator("#pack-progress").inner_text()
    assert page.get_by_role("link", name="Download the draft PDF").count() == 1
    assert axe_violations(page) == []
    screenshot(page, "pack-generated")


def test_a_failed_render_says_why_without_a_reload(
    demo_data, worker_not_running, live_server, page, monkeypatch
):
    pack = _start_generating(page, live_server)

    def broken(html):
        raise RuntimeError("Font file missing: LiberationSans-Regular.ttf")

    monkeypatch.setattr(generation, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        generation.generate_now(pack_id=pack.pk)

    page.get_by_text("The PDF could not be generated").wait_for(timeout=15_000)
    assert "Font file missing" in page.locator("#pack-progress").inner_text()
    assert page.get_by_role("button", name="Generate the PDF").count() == 1
