"""Governance imports a file big enough for the task worker: the preview waits for the worker
to check it, then shows what it would change; confirm leads to the import's page, which htmx
keeps up to date (waiting, rows done, the result) and which tells screen readers when it
changes; axe-core checks each state. Runs on the demo data, with the task worker played by the
test (the dummy task backend only records what is queued)."""

import pytest

from dataio import running, uploads
from dataio.models import ImportCheck, ImportJob

from ..dataio.support import example
from .conftest import axe_violations, sign_in


@pytest.fixture
def worker_not_running(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.IMPORT_BACKGROUND_ROWS = 10  # the example workstream file has 30 rows


def test_a_big_import_shows_its_progress_and_result(
    demo_data, worker_not_running, live_server, page, screenshot
):
    sign_in(page, live_server, "demo.governance@example.nhs.uk")
    page.goto(f"{live_server.url}/data/")
    page.get_by_role("radio", name="Workstreams", exact=True).check()
    page.set_input_files("#id_file", str(example("workstreams")))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state("networkidle")
    # Too big to check inside the request: the worker checks it while the page waits.
    assert page.locator("h1").inner_text() == "Checking your import"
    assert (
        "Waiting for the task worker to check it: 30 rows."
        in page.locator("#check-progress").inner_text()
    )
    assert axe_violations(page) == []
    screenshot(page, "import-check-queued")
    assert running.run_queued_check(check_id=ImportCheck.objects.get().pk) == "DONE"
    page.get_by_role("heading", name="Check your import", exact=True).wait_for(timeout=10_000)
    page.wait_for_load_state("networkidle")
    assert "the portal's task worker imports it" in page.locator("#in-background").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Import 3 rows").click()
    page.wait_for_load_state("networkidle")
    job = ImportJob.objects.get()
    assert page.locator("h1").inner_text() == "Import of 06-workstreams.xlsx"
    assert (
        "Waiting for the task worker to start: 30 rows to import"
        in page.locator("#import-progress").inner_text()
    )
    assert axe_violations(page) == []
    screenshot(page, "import-job-queued")

    # Part way: the page picks up the rows done within a poll or two.
    ImportJob.objects.filter(pk=job.pk).update(state="RUNNING")
    uploads.note_progress(job.upload_token, 12, 30)
    page.get_by_text("Importing: 12 of 30 rows done").wait_for(timeout=10_000)
    assert page.locator("#import-progress .nhsuk-tag").inner_text() == "Importing"
    assert page.locator("#import-announcement").inner_text() == "Importing: 25% of rows done."
    assert axe_violations(page) == []
    screenshot(page, "import-job-running")

    # The worker runs it (from the start, as it would).
    ImportJob.objects.filter(pk=job.pk).update(state="QUEUED")
    assert running.run_queued_import(job_id=job.pk).state == "DONE"
    result = page.locator("#import-result")
    result.wait_for(timeout=10_000)
    expected = "Workstreams imported from 06-workstreams.xlsx: 0 created, 3 changed, 27 unchanged."
    assert result.inner_text() == expected
    assert page.locator("#import-announcement").inner_text() == expected
    assert page.locator("#import-progress .nhsuk-tag").inner_text() == "Imported"
    assert page.locator("#import-progress[hx-get]").count() == 0  # polling stopped
    assert axe_violations(page) == []
    screenshot(page, "import-job-done")

    # The import page lists it; a second tab shows the same.
    page.goto(f"{live_server.url}/data/")
    page.get_by_role("link", name="06-workstreams.xlsx").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#import-result").inner_text() == expected
