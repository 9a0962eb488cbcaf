"""The import and export pages: governance only; upload -> preview -> confirm, with the file's
rows (read once, on upload) kept out of the database between the two and checked again by the
import, which the task worker runs (the immediate task backend here, once the request's
transaction commits)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dataio import safety, uploads
from dataio.models import ImportJob
from dataio.views import SESSION_KEY
from ics_portal.models import AuditEvent
from ics_portal.navigation import navigation_for
from tests import factories
from workstreams.models import Theme, Workstream

from .support import csv_bytes, example, xlsx_bytes

THEMES = [["Number", "Name", "Leads"], [1, "Direction & Engagement", ""], [2, "Digital", ""]]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(client, kind: str, filename: str, content: bytes):
    return client.post(
        reverse("dataio:upload"),
        {"kind": kind, "file": SimpleUploadedFile(filename, content)},
    )


def stored_files(tmp_path) -> list:
    folder = tmp_path / uploads.FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


# --- who may use the pages ----------------------------------------------------------------------

PAGES = [
    ("get", "dataio:index", {}),
    ("get", "dataio:preview", {}),
    ("get", "dataio:preview_progress", {}),
    ("post", "dataio:upload", {}),
    ("post", "dataio:confirm", {}),
    ("post", "dataio:cancel", {}),
    ("get", "dataio:export", {"kind": "risk-register"}),
    ("get", "dataio:example", {"kind": "themes"}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_anonymous_people_are_sent_to_sign_in(method, name, kwargs, db):
    response = getattr(Client(), method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
@pytest.mark.parametrize("who", ["outsider", "board_member", "lead"])
def test_only_governance_finds_the_pages(method, name, kwargs, who, request):
    client = client_for(request.getfixturevalue(who))
    assert getattr(client, method)(reverse(name, kwargs=kwargs)).status_code == 404


def test_governance_sees_the_page_and_the_nav_item(governance, lead, rf):
    response = client_for(governance).get(reverse("dataio:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert 'enctype="multipart/form-data"' in html
    assert "nhsuk-radios" in html and "nhsuk-file-upload" in html  # crispy's NHS.UK pack
    for request_user, shown in ((governance, True), (lead, False)):
        request = rf.get("/")
        request.user = request_user
        labels = [item.label for item in navigation_for(request)]
        assert ("Import and export" in labels) is shown


# --- upload, preview, confirm -------------------------------------------------------------------


def test_upload_preview_confirm(governance, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(governance)
    response = upload(client, "themes", "themes.xlsx", xlsx_bytes(THEMES))
    assert response.status_code == 302 and response.url == reverse("dataio:preview")
    pending = client.session[SESSION_KEY]
    assert pending["kind"] == "themes" and pending["filename"] == "themes.xlsx"
    # What is kept is the file's rows, read once (the file itself is not).
    assert [p.name for p in stored_files(tmp_path)] == [f"{pending['token']}.json"]
    assert not Theme.objects.exists()

    preview = client.get(reverse("dataio:preview"))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "2 to create, 0 to change, 0 unchanged" in html
    assert "To create (2)" in html and "Direction &amp; Engagement" in html
    assert "Import 2 rows" in html
    assert not Theme.objects.exists()  # the preview is a dry run

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("dataio:confirm"), {"token": pending["token"]})
    job = ImportJob.objects.get()
    assert confirmed.url == reverse("dataio:import_job", args=[job.pk])  # the one path
    done = client.get(confirmed.url)
    assert (
        "Themes imported from themes.xlsx: 2 created, 0 changed, 0 unchanged."
        in done.content.decode()
    )
    assert Theme.objects.count() == 2
    assert AuditEvent.objects.get(verb="data.import").actor_id == governance.pk
    assert SESSION_KEY not in client.session and stored_files(tmp_path) == []


def test_a_file_with_errors_is_previewed_with_every_error_and_cannot_be_confirmed(governance):
    client = client_for(governance)
    rows = [*THEMES, ["three", "Finance", "nobody@example.nhs.uk"]]
    upload(client, "themes", "themes.csv", csv_bytes(rows))
    preview = client.get(reverse("dataio:preview"))
    html = preview.content.decode()
    assert "2 problems in themes.csv" in html
    assert "Row 4, Number: &quot;three&quot; is not a whole number" in html
    assert "Row 4, Leads: &quot;nobody@example.nhs.uk&quot; is not the email address" in html
    assert reverse("dataio:confirm") not in html
    assert "Upload the corrected file" in html
    token = client.session[SESSION_KEY]["token"]
    response = client.post(reverse("dataio:confirm"), {"token": token}, follow=True)
    assert response.redirect_chain == [(reverse("dataio:preview"), 302)]
    html = response.content.decode()
    assert "Nothing was imported: fix the problems in the file first." in html
    assert "2 problems in themes.csv" in html
    assert not Theme.objects.exists() and not ImportJob.objects.exists()


def test_a_corrected_upload_replaces_the_first(governance, tmp_path):
    client = client_for(governance)
    upload(client, "themes", "themes.csv", csv_bytes([*THEMES, ["x", "Bad", ""]]))
    first = client.session[SESSION_KEY]["token"]
    upload(client, "themes", "themes.csv", csv_bytes(THEMES))
    second = client.session[SESSION_KEY]["token"]
    assert first != second
    assert [p.name for p in stored_files(tmp_path)] == [f"{second}.json"]
    # A confirm from the first preview's page does not import the second file unseen.
    response = client.post(reverse("dataio:confirm"), {"token": first})
    assert response.status_code == 302 and response.url == reverse("dataio:preview")
    assert not Theme.objects.exists()


def test_confirm_checks_the_file_again(governance, plan, django_capture_on_commit_callbacks):
    client = client_for(governance)
    rows = [
        ["Code", "Name", "Theme", "Leads"],
        ["DIG", "DIGITAL", "Direction & Engagement", "bob.deputy@example.nhs.uk"],
    ]
    upload(client, "workstreams", "workstreams.xlsx", xlsx_bytes(rows))
    assert "1 to create" in client.get(reverse("dataio:preview")).content.decode()
    plan["people"]["bob.deputy@example.nhs.uk"].delete()  # someone removes him meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dataio:confirm"), {"token": client.session[SESSION_KEY]["token"]}
        )
    assert ImportJob.objects.get().state == "FAILED"
    assert (
        "Row 2, Leads: &quot;bob.deputy@example.nhs.uk&quot; is not the email address"
        in client.get(response.url).content.decode()
    )
    assert not Workstream.objects.filter(code="DIG").exists()


def test_cancel_forgets_the_upload(governance, tmp_path):
    client = client_for(governance)
    upload(client, "themes", "themes.xlsx", xlsx_bytes(THEMES))
    response = client.post(reverse("dataio:cancel"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session and stored_files(tmp_path) == []
    assert client.get(reverse("dataio:preview")).status_code == 302


def test_a_missing_stored_file_asks_for_the_upload_again(governance, tmp_path):
    client = client_for(governance)
    upload(client, "themes", "themes.xlsx", xlsx_bytes(THEMES))
    for path in stored_files(tmp_path):
        path.unlink()
    response = client.get(reverse("dataio:preview"), follow=True)
    assert "The uploaded file is no longer here. Upload it again." in response.content.decode()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("plan.pdf", b"%PDF-1.4", "&quot;plan.pdf&quot; is not a file the portal can import"),
        ("plan.xlsx", b"PK\x03\x04broken", "could not be read as an Excel workbook"),
        (
            "plan.csv",
            "Number,Name\n1,Th\x81\n".encode("latin-1") + b"\xff",
            "not in UTF-8 or Windows-1252",
        ),
        ("plan.csv", b"", "The file is empty"),
        ("plan.csv", b"x" * safety.MAX_UPLOAD_BYTES, "The file must be smaller than 10 MB"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_not_kept(
    filename, content, message, governance, tmp_path
):
    response = upload(client_for(governance), "themes", filename, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert stored_files(tmp_path) == []


def test_choosing_what_is_in_the_file_is_required(governance):
    response = client_for(governance).post(
        reverse("dataio:upload"), {"file": SimpleUploadedFile("t.csv", b"Number,Name\n1,x\n")}
    )
    assert "Choose what is in the file" in response.content.decode()


# --- downloads ----------------------------------------------------------------------------------


def test_governance_downloads_the_register(governance):
    factories.BAFRiskFactory(reference="07")
    response = client_for(governance).get(
        reverse("dataio:export", kwargs={"kind": "risk-register"})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert re.match(
        r'attachment; filename="baf-risk-register-\d{4}-\d\d-\d\d\.xlsx"',
        response["Content-Disposition"],
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert any(row[0] == "07" for row in sheet.iter_rows(values_only=True))


def test_the_cycle_return_needs_a_cycle(governance):
    cycle = factories.ReportingCycleFactory()
    client = client_for(governance)
    url = reverse("dataio:export", kwargs={"kind": "cycle-return"})
    assert client.get(url).status_code == 404
    response = client.get(url, {"cycle": cycle.pk})
    assert response.status_code == 200
    assert 'filename="cycle-return-Q3-2021-22.xlsx"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("kind", "fmt"), [("updates", "csv"), ("workstreams", "csv"), ("themes", "xlsx")]
)
def test_table_downloads(kind, fmt, governance):
    response = client_for(governance).get(
        reverse("dataio:export", kwargs={"kind": kind}), {"format": fmt}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


@pytest.mark.parametrize(
    ("kind", "query"),
    [("nothing", {}), ("risk-register", {"format": "csv"}), ("updates", {"cycle": "999"})],
)
def test_unknown_downloads_are_not_found(kind, query, governance):
    response = client_for(governance).get(reverse("dataio:export", kwargs={"kind": kind}), query)
    assert response.status_code == 404


def test_example_files_download(governance):
    response = client_for(governance).get(reverse("dataio:example", kwargs={"kind": "workstreams"}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == example("workstreams").read_bytes()
    assert (
        client_for(governance)
        .get(reverse("dataio:example", kwargs={"kind": "updates"}))
        .status_code
        == 404
    )
