"""Every import runs in the task worker, never inside the request: confirm queues the job and
shows its page, which follows the rows done and then shows how it ended. Jobs are kept (a
reload or a second tab shows the same), belong to their uploader and governance, end in a
clear failed state when anything goes wrong, and never write part of a file. The preview of a
big file is checked in the task worker too (tests/dataio/test_checks.py)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dataio import actions, importers, presenters, running, uploads
from dataio.models import ImportCheck, ImportJob
from dataio.views import SESSION_KEY
from ics_portal.models import AuditEvent
from workstreams.models import Theme, Workstream

from .support import xlsx_bytes

THEMES = [["Number", "Name"], [1, "Direction & Engagement"], [2, "Digital"], [3, "Finance"]]


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_ROWS = 2  # three rows are "big" here


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def kept(tmp_path) -> list[str]:
    folder = tmp_path / uploads.FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload_and_confirm(client, rows=THEMES, kind="themes", *, callbacks):
    """Upload, preview (a big file: checked by the worker, run at once) and confirm; returns
    the response to the confirm. `callbacks` is django_capture_on_commit_callbacks: the
    import's task is enqueued only when they run."""
    client.post(
        reverse("dataio:upload"),
        {"kind": kind, "file": SimpleUploadedFile(f"{kind}.xlsx", xlsx_bytes(rows))},
    )
    with callbacks(execute=True):
        checking = client.get(reverse("dataio:preview")).content.decode()
    assert "<h1>Checking your import</h1>" in checking
    preview = client.get(reverse("dataio:preview")).content.decode()
    assert 'id="in-background"' in preview
    with callbacks() as queued:
        response = client.post(
            reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}
        )
    return response, queued


def run_worker(queued) -> None:
    """What `manage.py db_worker` does: run the enqueued task (the immediate backend)."""
    for callback in queued:
        callback()


# --- the journey ----------------------------------------------------------------------------------


def test_a_big_import_is_queued_then_shows_progress_then_the_result(
    governance, tmp_path, django_capture_on_commit_callbacks
):
    client = client_for(governance)
    response, queued = upload_and_confirm(client, callbacks=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dataio:import_job", args=[job.pk])
    assert (job.state, job.rows_total, job.owner, job.filename) == (
        "QUEUED",
        3,
        governance,
        "themes.xlsx",
    )
    assert not Theme.objects.exists()  # nothing imported inside the request
    assert SESSION_KEY not in client.session
    # The worker still needs the rows (the check's report goes with them).
    assert kept(tmp_path) == [f"{job.upload_token}.json", f"{job.upload_token}.report"]
    assert AuditEvent.objects.filter(verb="data.import_queued").count() == 1

    html = client.get(response.url).content.decode()
    assert "Waiting for the task worker to start</strong>: 3 rows to import" in html
    polling = f'hx-get="{reverse("dataio:import_job_progress", args=[job.pk])}?announced=QUEUED"'
    assert polling in html and 'hx-trigger="every 2s"' in html

    run_worker(queued)
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total) == ("DONE", 3, 3)
    assert job.summary == "3 created, 0 changed, 0 unchanged"
    assert Theme.objects.count() == 3
    assert AuditEvent.objects.get(verb="data.import").actor_id == governance.pk
    assert kept(tmp_path) == []  # deleted once imported

    for tab in (client, client_for(governance)):  # a reload, and a second browser
        html = tab.get(response.url).content.decode()
        assert "Themes imported from themes.xlsx: 3 created, 0 changed, 0 unchanged." in html
        assert "hx-trigger" not in html  # finished: no more polling
        assert 'nhsuk-tag nhsuk-tag--green">Imported</strong>' in html


def test_a_small_file_is_previewed_in_the_request_and_imported_by_the_worker(
    governance, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 500
    client = client_for(governance)
    client.post(
        reverse("dataio:upload"),
        {"kind": "themes", "file": SimpleUploadedFile("t.xlsx", xlsx_bytes(THEMES))},
    )
    with django_capture_on_commit_callbacks() as queued:
        preview = client.get(reverse("dataio:preview")).content.decode()
    assert queued == [] and not ImportCheck.objects.exists()  # checked in the request
    assert "3 to create, 0 to change, 0 unchanged" in preview
    assert "the portal's task worker imports it" in preview
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}
        )
    job = ImportJob.objects.get()
    assert response.url == reverse("dataio:import_job", args=[job.pk])
    assert not Theme.objects.exists() and job.state == "QUEUED"  # not inside the request
    run_worker(queued)
    assert Theme.objects.count() == 3
    html = client.get(response.url).content.decode()
    assert "Themes imported from t.xlsx: 3 created, 0 changed, 0 unchanged." in html


def test_confirming_again_from_another_tab_shows_the_running_import(
    governance, django_capture_on_commit_callbacks
):
    client = client_for(governance)
    upload_and_confirm(client, callbacks=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    response = client.post(reverse("dataio:confirm"), {"token": job.upload_token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dataio:import_job", args=[job.pk])
    assert "This file is already being imported." in response.content.decode()
    assert ImportJob.objects.count() == 1


# --- progress -------------------------------------------------------------------------------------


def _job(owner, **fields) -> ImportJob:
    token = "t" * 43
    return ImportJob.objects.create(
        owner=owner,
        kind="themes",
        label="Themes",
        filename="themes.xlsx",
        upload_token=fields.pop("upload_token", token),
        rows_total=fields.pop("rows_total", 5000),
        **fields,
    )


def test_the_page_shows_rows_done_of_the_total_while_it_runs(governance):
    job = _job(governance, state="RUNNING", started_at=timezone.now())
    uploads.note_progress(job.upload_token, 1200, 5000)
    client = client_for(governance)
    fragment = client.get(reverse("dataio:import_job_progress", args=[job.pk])).content.decode()
    assert "Importing: 1,200 of 5,000 rows done</strong> (24%)" in fragment
    assert '<progress max="5000" value="1200" aria-label="Rows imported">' in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert "?announced=RUNNING-0" in fragment
    uploads.note_progress(job.upload_token, 2600, 5000)
    assert (
        "2,600 of 5,000 rows done"
        in client.get(reverse("dataio:import_job", args=[job.pk])).content.decode()
    )


def test_screen_readers_are_told_of_changes_only(governance):
    job = _job(governance, state="RUNNING", started_at=timezone.now())
    uploads.note_progress(job.upload_token, 2600, 5000)
    client = client_for(governance)
    url = reverse("dataio:import_job_progress", args=[job.pk])
    changed = client.get(url, {"announced": "RUNNING-25"}).content.decode()
    assert (
        '<p id="import-announcement" hx-swap-oob="innerHTML">Importing: 50% of rows done.</p>'
        in changed
    )
    same = client.get(url, {"announced": "RUNNING-50"}).content.decode()
    assert "hx-swap-oob" not in same
    page = client.get(reverse("dataio:import_job", args=[job.pk])).content.decode()
    assert 'role="status" id="import-announcement">Importing: 50% of rows done.</p>' in page


def test_rows_are_noted_as_they_are_imported(
    governance, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(running, "PROGRESS_EVERY", 0)
    noted = []
    monkeypatch.setattr(uploads, "note_progress", lambda token, *counts: noted.append(counts))
    _, queued = upload_and_confirm(
        client_for(governance), callbacks=django_capture_on_commit_callbacks
    )
    run_worker(queued)
    assert noted == [(0, 3), (1, 3), (2, 3), (3, 3)] * 2  # the preview's check, the import


def test_a_job_still_waiting_after_minutes_says_the_worker_may_be_down(governance):
    job = _job(governance)
    page = client_for(governance).get(reverse("dataio:import_job", args=[job.pk]))
    assert "may not be running" not in page.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    page = client_for(governance).get(reverse("dataio:import_job", args=[job.pk]))
    assert "the portal's task worker may not be running" in page.content.decode()


# --- failures -------------------------------------------------------------------------------------


def test_a_failure_in_the_worker_ends_failed_with_the_message_and_writes_nothing(
    governance, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    real_run_import = importers.run_import

    def imports_then_fails(*args, **kwargs):
        report = real_run_import(*args, **kwargs)
        if not kwargs["commit"]:  # the preview's check
            return report
        assert report.committed and Theme.objects.count() == 3  # every row was written...
        raise OSError("disk full")  # ...and then the worker fails before the end

    monkeypatch.setattr(running, "run_import", imports_then_fails)
    client = client_for(governance)
    response, queued = upload_and_confirm(client, callbacks=django_capture_on_commit_callbacks)
    run_worker(queued)
    job = ImportJob.objects.get()
    assert job.state == "FAILED" and job.finished_at is not None
    assert "unexpected error, so nothing was imported" in job.error
    assert "(the error was: disk full)" in job.error
    assert not Theme.objects.exists()  # all or nothing
    assert not AuditEvent.objects.filter(verb="data.import").exists()
    assert kept(tmp_path) == []
    html = client.get(response.url).content.decode()
    assert "Nothing was imported" in html and "disk full" in html
    assert "<title>Error: Import of themes.xlsx" in html and "hx-trigger" not in html


def test_rows_that_no_longer_import_end_failed_with_every_problem(
    governance, plan, django_capture_on_commit_callbacks
):
    rows = [
        ["Code", "Name", "Theme", "Leads"],
        ["DIG", "DIGITAL", "Direction & Engagement", "bob.deputy@example.nhs.uk"],
        ["FIN", "FINANCE", "Direction & Engagement", "ann.lead@example.nhs.uk"],
        ["EST", "ESTATES", "Direction & Engagement", "ann.lead@example.nhs.uk"],
    ]
    client = client_for(governance)
    response, queued = upload_and_confirm(
        client, rows, "workstreams", callbacks=django_capture_on_commit_callbacks
    )
    plan["people"]["bob.deputy@example.nhs.uk"].delete()  # after the preview, before the run
    run_worker(queued)
    job = ImportJob.objects.get()
    assert job.state == "FAILED" and job.problem_count == 1
    assert job.error.startswith("1 problem found when the rows were imported")
    assert job.problems[0].startswith('Row 2, Leads: "bob.deputy@example.nhs.uk" is not')
    assert not Workstream.objects.filter(code__in=["DIG", "FIN", "EST"]).exists()
    html = client.get(response.url).content.decode()
    assert "Row 2, Leads: &quot;bob.deputy@example.nhs.uk&quot; is not" in html
    assert reverse("dataio:index") + "#import" in html  # the way on: upload again


def test_a_job_whose_rows_were_swept_before_it_ran_fails_clearly(governance):
    job = _job(governance, upload_token="g" * 43, rows_total=3)
    job = running.run_queued_import(job_id=job.pk)
    assert job.state == "FAILED" and job.error == running.GONE


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(
    governance, django_capture_on_commit_callbacks
):
    _, queued = upload_and_confirm(
        client_for(governance), callbacks=django_capture_on_commit_callbacks
    )
    run_worker(queued)
    job = running.run_queued_import(job_id=ImportJob.objects.get().pk)
    assert job.state == "DONE" and Theme.objects.count() == 3
    assert AuditEvent.objects.filter(verb="data.import").count() == 1


def test_prune_uploads_ends_jobs_a_stopped_worker_left_behind(governance):
    old = timezone.now() - timedelta(days=2)
    queued = _job(governance, upload_token="q" * 43, created_at=old)
    running = _job(governance, upload_token="r" * 43, created_at=old, state="RUNNING")
    recent = _job(governance, upload_token="n" * 43)
    out = io.StringIO()
    call_command("prune_uploads", stdout=out)
    assert "2 unfinished imports marked as failed." in out.getvalue()
    for job in (queued, running):
        job.refresh_from_db()
        assert job.state == "FAILED" and job.error == actions.ABANDONED
    recent.refresh_from_db()
    assert recent.state == "QUEUED"


# --- who sees a job -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dataio:import_job", "dataio:import_job_progress"])
def test_a_job_is_for_whoever_started_it_and_governance(
    name, governance, lead, other_lead, board_member, outsider
):
    from ics_portal.models import User

    job = _job(lead)  # someone who has since lost the governance role
    url = reverse(name, args=[job.pk])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    for user, status in [
        (lead, 200),
        (governance, 200),
        (other_lead, 404),
        (board_member, 404),
        (outsider, 404),
    ]:
        assert client_for(user).get(url).status_code == status, user
    assert client_for(governance).get(reverse(name, args=[job.pk + 1])).status_code == 404
    assert User.objects.filter(pk=lead.pk).exists()


def test_the_import_page_lists_recent_imports(governance, lead):
    mine = _job(governance, state="DONE", finished_at=timezone.now(), summary="3 created")
    theirs = _job(lead, upload_token="x" * 43)
    html = client_for(governance).get(reverse("dataio:index")).content.decode()
    assert "Recent imports</h2>" in html
    for job in (mine, theirs):
        assert reverse("dataio:import_job", args=[job.pk]) in html
    assert presenters.recent_imports(lead) == [theirs]  # a non-governance owner: their own


# --- query counts do not grow with data ------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_cost_the_same_queries_however_many_jobs_there_are(governance, lead):
    client = client_for(governance)
    job = _job(lead)
    urls = [
        reverse("dataio:index"),
        reverse("dataio:import_job", args=[job.pk]),
        reverse("dataio:import_job_progress", args=[job.pk]),
    ]
    before = [_queries(client, url) for url in urls]
    for n in range(12):
        _job(lead if n % 2 else governance, upload_token=f"{n:02d}" + "z" * 41)
    assert [_queries(client, url) for url in urls] == before


@pytest.mark.parametrize("change", ["deleted", "inactive", "role removed"])
def test_a_job_runs_only_while_whoever_confirmed_it_may_still_import(
    governance, change, django_capture_on_commit_callbacks
):
    # The import acts with its person's rights; with nobody behind it, it would run as "the
    # system", unrestricted (issue 13: the import is no way round least privilege).
    _, queued = upload_and_confirm(
        client_for(governance), callbacks=django_capture_on_commit_callbacks
    )
    if change == "deleted":
        governance.delete()
    elif change == "inactive":
        governance.is_active = False
        governance.save()
    else:
        governance.groups.clear()
    run_worker(queued)
    job = ImportJob.objects.get()
    assert job.state == "FAILED" and "Nothing was imported" in job.error
    assert ("deleted" in job.error) == (change == "deleted")
    assert not Theme.objects.exists()
    assert not AuditEvent.objects.filter(verb="data.import").exists()
