"""A file is parsed once, on upload: its rows are kept (as JSON, in file storage) for the
preview and the import, and deleted after the import, after cancelling, and after a day."""

import hashlib
import io
import os
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from dataio import safety, uploads
from dataio.models import ImportJob
from dataio.safety import Sheet
from dataio.views import SESSION_KEY
from ics_portal.models import AuditEvent
from workstreams.models import Theme

from .support import csv_bytes, xlsx_bytes

THEMES = [["Number", "Name"], [1, "Direction & Engagement"], [2, "Digital"]]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client(governance) -> Client:
    client = Client()
    client.force_login(governance)
    return client


def upload(client, content=None, filename="themes.xlsx", kind="themes"):
    content = xlsx_bytes(THEMES) if content is None else content
    return client.post(
        reverse("dataio:upload"), {"kind": kind, "file": SimpleUploadedFile(filename, content)}
    )


def kept(tmp_path) -> list[str]:
    folder = tmp_path / uploads.FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def parses():
    """Counts every parse of a file: safety's workbook and CSV readers (however read_upload
    is reached), and openpyxl opening a workbook."""
    with (
        mock.patch.object(safety, "_read_xlsx", wraps=safety._read_xlsx) as read_xlsx,
        mock.patch.object(safety, "_read_csv", wraps=safety._read_csv) as read_csv,
        mock.patch("openpyxl.load_workbook", wraps=openpyxl.load_workbook) as load_workbook,
    ):
        yield lambda: (read_xlsx.call_count + read_csv.call_count, load_workbook.call_count)


# --- parsed once ----------------------------------------------------------------------------------


def test_the_file_is_parsed_on_upload_and_never_again_on_preview_or_confirm(
    client, parses, governance, django_capture_on_commit_callbacks
):
    upload(client)
    assert parses() == (1, 1)
    token = client.session[SESSION_KEY]["token"]
    for _ in range(2):  # a reload of the preview reads the kept rows again, not the file
        assert "2 to create" in client.get(reverse("dataio:preview")).content.decode()
    assert parses() == (1, 1)
    with django_capture_on_commit_callbacks(execute=True):  # the worker imports it
        response = client.post(reverse("dataio:confirm"), {"token": token})
    assert response.status_code == 302
    assert parses() == (1, 1)
    assert Theme.objects.count() == 2


def test_an_import_in_the_task_worker_does_not_parse_the_file_again(
    client, parses, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1  # the preview is checked in the worker too
    upload(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("dataio:preview"))
    assert "2 to create" in client.get(reverse("dataio:preview")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]})
    assert ImportJob.objects.get().state == "DONE" and Theme.objects.count() == 2
    assert parses() == (1, 1)


def test_confirm_checks_the_kept_rows_against_the_plan_as_it_is_now(
    client, parses, django_capture_on_commit_callbacks
):
    upload(client)
    client.get(reverse("dataio:preview"))
    Theme.objects.create(number=1, name="Direction & Engagement", order=1)  # someone else
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}
        )
    assert "1 created, 0 changed, 1 unchanged" in client.get(response.url).content.decode()
    assert parses() == (1, 1)


def test_the_audit_trail_names_the_file_by_the_digest_of_what_was_uploaded(
    client, django_capture_on_commit_callbacks
):
    content = xlsx_bytes(THEMES)
    upload(client, content)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]})
    event = AuditEvent.objects.get(verb="data.import")
    assert event.object_id == hashlib.sha256(content).hexdigest()


def test_what_is_kept_is_the_rows_not_the_file(client, tmp_path):
    content = xlsx_bytes(THEMES)
    upload(client, content)
    token = client.session[SESSION_KEY]["token"]
    assert kept(tmp_path) == [f"{token}.json"]
    stored = (tmp_path / uploads.FOLDER / f"{token}.json").read_bytes()
    assert b"PK" not in stored[:2] and b"Direction & Engagement" in stored
    sheet = uploads.load(token)
    assert sheet.rows == [
        (1, ["Number", "Name"]),
        (2, [1, "Direction & Engagement"]),
        (3, [2, "Digital"]),
    ]
    assert (sheet.filename, sheet.format) == ("themes.xlsx", "xlsx")
    assert sheet.sha256 == hashlib.sha256(content).hexdigest()


def test_a_csv_keeps_its_format_and_encoding(client):
    rows = [["Number", "Name"], [1, "Dirección"]]
    upload(client, csv_bytes(rows, encoding="cp1252"), "themes.csv")
    sheet = uploads.load(client.session[SESSION_KEY]["token"])
    assert (sheet.format, sheet.encoding) == ("csv", "cp1252")
    assert sheet.rows[1] == (2, ["1", "Dirección"])


def test_kept_rows_that_cannot_be_read_count_as_gone(client, tmp_path):
    upload(client)
    token = client.session[SESSION_KEY]["token"]
    (tmp_path / uploads.FOLDER / f"{token}.json").write_bytes(b"{not json")
    response = client.get(reverse("dataio:preview"), follow=True)
    assert "The uploaded file is no longer here. Upload it again." in response.content.decode()


# --- cells survive being kept ---------------------------------------------------------------------

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(),
    st.text(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-999), max_value=timedelta(days=999)),
)


@given(st.lists(st.tuples(st.integers(1, 10_000), st.lists(cells, max_size=8)), max_size=8))
def test_every_kind_of_cell_comes_back_as_it_went_in(rows):
    sheet = Sheet("plan.xlsx", "xlsx", rows, sha256="0" * 64)
    back = uploads.sheet_from_json(uploads.sheet_to_json(sheet))
    assert len(back.rows) == len(rows)
    for (number, values), (number_back, values_back) in zip(rows, back.rows, strict=True):
        assert number_back == number
        for value, value_back in zip(values, values_back, strict=True):
            assert type(value_back) is type(value)
            assert value_back == value or (value != value and value_back != value_back)  # NaN


def test_a_date_typed_as_a_date_is_still_a_date():
    sheet = Sheet(
        "m.xlsx", "xlsx", [(2, [date(2021, 6, 30), datetime(2021, 6, 30, 9, 30), clock(9)])]
    )
    values = uploads.sheet_from_json(uploads.sheet_to_json(sheet)).rows[0][1]
    assert values == [date(2021, 6, 30), datetime(2021, 6, 30, 9, 30), clock(9)]
    assert type(values[0]) is date


# --- deleted after the import, after cancelling, and after a day ----------------------------------


def test_the_rows_are_deleted_after_the_import(
    client, tmp_path, django_capture_on_commit_callbacks
):
    upload(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]})
    assert Theme.objects.count() == 2 and kept(tmp_path) == []


def test_the_rows_are_deleted_after_cancelling(client, tmp_path):
    upload(client)
    client.post(reverse("dataio:cancel"))
    assert kept(tmp_path) == [] and not Theme.objects.exists()


def _age(tmp_path, hours: float) -> None:
    then = time.time() - hours * 3600
    for path in (tmp_path / uploads.FOLDER).iterdir():
        os.utime(path, (then, then))


def test_prune_uploads_deletes_what_waited_more_than_a_day_without_anyone_uploading(
    client, tmp_path
):
    upload(client)
    _age(tmp_path, 25)
    out = io.StringIO()
    call_command("prune_uploads", stdout=out)
    assert kept(tmp_path) == []
    assert out.getvalue().startswith(
        "1 upload file older than a day deleted; 0 unfinished imports marked as failed."
    )
    response = client.get(reverse("dataio:preview"), follow=True)
    assert "The uploaded file is no longer here. Upload it again." in response.content.decode()


def test_prune_uploads_keeps_what_is_less_than_a_day_old(client, tmp_path):
    upload(client)
    _age(tmp_path, 23)
    out = io.StringIO()
    call_command("prune_uploads", stdout=out)
    assert len(kept(tmp_path)) == 1
    assert out.getvalue().startswith("0 upload files older than a day deleted; 0 unfinished")
    assert "2 to create" in client.get(reverse("dataio:preview")).content.decode()


def test_an_upload_also_sweeps_what_waited_more_than_a_day(client, governance, tmp_path):
    upload(client)
    first = kept(tmp_path)
    _age(tmp_path, 25)
    other = Client()  # the same person in another browser: a session of its own
    other.force_login(governance)
    upload(other)
    assert len(kept(tmp_path)) == 1 and not set(first) & set(kept(tmp_path))
