"""The preview of a big file (more than IMPORT_BACKGROUND_ROWS rows) is checked in the task worker,
never inside the request: the preview page shows the check's progress, then the same preview a
small file gets at once, from the report the worker kept beside the rows in file storage.
Nothing is written by a check; a check that cannot end says why; a file with problems cannot be
confirmed; cancelling forgets the check with the rows."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dataio import running, uploads
from dataio.models import ImportCheck, ImportJob
from dataio.views import SESSION_KEY
from workstreams.models import Theme, Workstream

from .support import xlsx_bytes

THEMES = [["Number", "Name"], [1, "Direction & Engagement"], [2, "Digital"], [3, "Finance"]]
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_ROWS = 2  # three rows are "big" here


@pytest.fixture
def client(governance) -> Client:
    client = Client()
    client.force_login(governance)
    return client


def upload(client, rows=THEMES, kind="themes", filename=None):
    filename = filename or f"{kind}.xlsx"
    return client.post(
        reverse("dataio:upload"),
        {"kind": kind, "file": SimpleUploadedFile(filename, xlsx_bytes(rows))},
    )


def kept(tmp_path) -> list[str]:
    folder = tmp_path / uploads.FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def preview_checked(client, callbacks) -> str:
    """Ask for the preview, let the worker check the file, and show the preview."""
    with callbacks(execute=True):
        client.get(reverse("dataio:preview"))
    return client.get(reverse("dataio:preview")).content.decode()


# --- the journey ----------------------------------------------------------------------------------


def test_a_big_file_is_checked_by_the_worker_then_previewed(
    client, governance, tmp_path, django_capture_on_commit_callbacks
):
    upload(client)
    token = client.session[SESSION_KEY]["token"]
    with django_capture_on_commit_callbacks() as queued:
        page = client.get(reverse("dataio:preview"))
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>Checking your import</h1>" in html
    assert "Waiting for the task worker to check it</strong>: 3 rows." in html
    polling = f'hx-get="{reverse("dataio:preview_progress")}?announced=QUEUED"'
    assert polling in html and 'hx-trigger="every 2s"' in html
    assert "To create" not in html and "Cancel: import nothing" in html
    check = ImportCheck.objects.get()
    assert (check.state, check.rows_total, check.owner, check.upload_token) == (
        "QUEUED",
        3,
        governance,
        token,
    )
    assert len(queued) == 1  # the check's task, once the request commits

    with django_capture_on_commit_callbacks() as again:  # a reload, or a second tab
        assert "Checking your import" in client.get(reverse("dataio:preview")).content.decode()
    assert again == [] and ImportCheck.objects.count() == 1

    for callback in queued:  # the worker
        callback()
    check.refresh_from_db()
    assert check.state == "DONE" and check.finished_at is not None
    assert kept(tmp_path) == [f"{token}.json", f"{token}.report"]  # no progress note left
    html = client.get(reverse("dataio:preview")).content.decode()
    assert "<h1>Check your import</h1>" in html
    assert "3 to create, 0 to change, 0 unchanged" in html and "Import 3 rows" in html
    assert not Theme.objects.exists()  # a check writes nothing


def _main(html: str) -> str:
    main = html[html.index('<main class="nhsuk-main-wrapper"') : html.index("</main>")]
    return re.sub(r'name="(csrfmiddlewaretoken|token)" value="[^"]*"', "", main)


WITH_PROBLEMS = [
    ["Code", "Name", "Theme", "Leads", "Notes"],
    ["W1", "WORKSTREAM 1", "Direction & Engagement", "ann.lead@example.nhs.uk", "x"],
    ["DE", "DIRECTION & ENGAGEMENT", "Direction & Engagement", "ann.lead@example.nhs.uk", ""],
    ["W2", "SECOND", "Direction & Engagement", "", ""],
    ["W3", "THIRD", "Nowhere", "x@y", ""],
]
VALID = [
    ["Code", "Name", "Theme", "Leads"],
    *[[f"W{n}", f"WORKSTREAM {n}", "Direction & Engagement", ""] for n in range(1, 5)],
    ["DE", "DIRECTION AND ENGAGEMENT", "Direction & Engagement", ""],
]


@pytest.mark.parametrize("rows", [WITH_PROBLEMS, VALID], ids=["with problems", "valid"])
def test_the_worker_shows_the_same_preview_as_the_request(
    rows, plan, governance, settings, django_capture_on_commit_callbacks
):
    pages = []
    for threshold in (500, 2):  # checked in the request, then by the worker
        settings.IMPORT_BACKGROUND_ROWS = threshold
        client = Client()
        client.force_login(governance)
        upload(client, rows, "workstreams")
        pages.append(_main(preview_checked(client, django_capture_on_commit_callbacks)))
    assert ImportCheck.objects.count() == 1
    assert pages[0] == pages[1]
    assert "Check your import" in pages[0]
    assert ("2 problems in workstreams.xlsx" in pages[0]) == (rows is WITH_PROBLEMS), pages[0]
    assert ("To create (4)" in pages[0]) == (rows is VALID)
    assert not Workstream.objects.exclude(code="DE").exists()


# --- progress -------------------------------------------------------------------------------------


def test_the_page_follows_the_rows_checked_then_loads_the_preview(
    client, django_capture_on_commit_callbacks
):
    upload(client)
    with django_capture_on_commit_callbacks() as queued:
        client.get(reverse("dataio:preview"))
    check = ImportCheck.objects.get()
    ImportCheck.objects.filter(pk=check.pk).update(state="RUNNING", started_at=timezone.now())
    uploads.note_progress(check.upload_token, 1200, 5000)
    url = reverse("dataio:preview_progress")
    fragment = client.get(url, {"announced": "QUEUED"}, headers=HTMX).content.decode()
    assert "Checking: 1,200 of 5,000 rows done</strong> (24%)" in fragment
    assert '<progress max="5000" value="1200" aria-label="Rows checked">' in fragment
    assert '<p id="check-announcement" hx-swap-oob="innerHTML">Checking.</p>' in fragment
    same = client.get(url, {"announced": "RUNNING-0"}, headers=HTMX).content.decode()
    assert "hx-swap-oob" not in same and 'hx-trigger="every 2s"' in same
    page = client.get(reverse("dataio:preview")).content.decode()
    assert "1,200 of 5,000 rows done" in page

    ImportCheck.objects.filter(pk=check.pk).update(state="QUEUED", started_at=None)
    for callback in queued:
        callback()
    ended = client.get(url, headers=HTMX)
    assert ended.headers["HX-Refresh"] == "true"  # the whole page again: the preview
    assert client.get(url).url == reverse("dataio:preview")  # without htmx: the page


def test_a_check_still_waiting_after_minutes_says_the_worker_may_be_down(client):
    upload(client)
    client.get(reverse("dataio:preview"))
    assert "may not be running" not in client.get(reverse("dataio:preview")).content.decode()
    ImportCheck.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    html = client.get(reverse("dataio:preview")).content.decode()
    assert "the portal's task worker may not be running" in html


def test_someone_else_never_sees_the_check(client, governance, django_capture_on_commit_callbacks):
    upload(client)
    client.get(reverse("dataio:preview"))
    other = Client()
    other.force_login(governance)  # the same person, another browser: no upload there
    assert other.get(reverse("dataio:preview_progress"), headers=HTMX).headers["HX-Refresh"]
    assert other.get(reverse("dataio:preview")).url == reverse("dataio:index")


# --- confirming ----------------------------------------------------------------------------------


def test_a_file_with_problems_found_by_the_worker_cannot_be_confirmed(
    client, django_capture_on_commit_callbacks
):
    upload(client, [*THEMES, ["four", "Estates"]])
    html = preview_checked(client, django_capture_on_commit_callbacks)
    assert "1 problem in themes.xlsx" in html
    assert "Row 5, Number: &quot;four&quot; is not a whole number" in html
    assert reverse("dataio:confirm") not in html
    response = client.post(
        reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}, follow=True
    )
    assert response.redirect_chain == [(reverse("dataio:preview"), 302)]
    assert "Nothing was imported: fix the problems in the file first." in (
        response.content.decode()
    )
    assert not ImportJob.objects.exists() and not Theme.objects.exists()


def test_confirming_before_the_check_has_ended_imports_nothing(client):
    upload(client)
    client.get(reverse("dataio:preview"))  # the check is queued, the worker has not run
    response = client.post(
        reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}, follow=True
    )
    assert response.redirect_chain == [(reverse("dataio:preview"), 302)]
    assert "The file is still being checked." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_checked_file_is_imported_by_the_worker(
    client, tmp_path, django_capture_on_commit_callbacks
):
    upload(client)
    preview_checked(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}
        )
    job = ImportJob.objects.get()
    assert response.url == reverse("dataio:import_job", args=[job.pk])
    assert job.state == "DONE" and Theme.objects.count() == 3
    assert not ImportCheck.objects.exists() and kept(tmp_path) == []


# --- failures -------------------------------------------------------------------------------------


def test_a_check_that_fails_says_why_and_writes_nothing(
    client, monkeypatch, tmp_path, django_capture_on_commit_callbacks, caplog
):
    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(running, "run_import", fails)
    upload(client)
    token = client.session[SESSION_KEY]["token"]
    html = preview_checked(client, django_capture_on_commit_callbacks)
    check = ImportCheck.objects.get()
    assert check.state == "FAILED" and "(the error was: disk full)" in check.error
    assert "<title>Error: Checking your import" in html
    assert "The file could not be checked" in html and "disk full" in html
    assert "hx-trigger" not in html and "Start again" in html
    assert "Import check" in caplog.text  # logged for the administrators
    assert kept(tmp_path) == [f"{token}.json"] and not Theme.objects.exists()


def test_a_check_whose_rows_were_swept_before_it_ran_fails_clearly(client):
    upload(client)
    client.get(reverse("dataio:preview"))
    check = ImportCheck.objects.get()
    uploads.discard(check.upload_token)
    assert running.run_queued_check(check_id=check.pk) == "FAILED"
    check.refresh_from_db()
    assert check.error == running.CHECK_GONE


def test_a_check_runs_once_even_if_the_task_is_delivered_twice(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    upload(client)
    preview_checked(client, django_capture_on_commit_callbacks)
    check = ImportCheck.objects.get()
    monkeypatch.setattr(running, "run_import", None)  # would fail if it ran again
    assert running.run_queued_check(check_id=check.pk) == ""
    check.refresh_from_db()
    assert check.state == "DONE"


def test_cancelling_while_checking_forgets_the_check_and_the_rows(
    client, tmp_path, django_capture_on_commit_callbacks
):
    upload(client)
    with django_capture_on_commit_callbacks() as queued:
        client.get(reverse("dataio:preview"))
    client.post(reverse("dataio:cancel"))
    assert not ImportCheck.objects.exists() and kept(tmp_path) == []
    for callback in queued:  # the worker comes to it afterwards: nothing to do
        callback()
    assert kept(tmp_path) == []


def test_a_lost_report_is_checked_again(client, tmp_path, django_capture_on_commit_callbacks):
    upload(client)
    preview_checked(client, django_capture_on_commit_callbacks)
    token = client.session[SESSION_KEY]["token"]
    (tmp_path / uploads.FOLDER / f"{token}.report").unlink()
    html = preview_checked(client, django_capture_on_commit_callbacks)
    assert "3 to create" in html and ImportCheck.objects.get().state == "DONE"


def test_prune_uploads_deletes_checks_of_uploads_gone_after_a_day(client):
    upload(client)
    client.get(reverse("dataio:preview"))
    ImportCheck.objects.update(created_at=timezone.now() - timedelta(days=2))
    out = io.StringIO()
    call_command("prune_uploads", stdout=out)
    assert "1 check of old uploads deleted." in out.getvalue()
    assert not ImportCheck.objects.exists()
