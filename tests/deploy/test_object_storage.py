"""File storage from the environment, and the portal's file paths against a real
S3-compatible server (moto's server mode on 127.0.0.1, tests/deploy/conftest.py): a board pack
generated, published and downloaded by a board member; a spreadsheet uploaded, previewed and
imported; verify_packs reading the bucket. Nothing goes to local disk."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from dataio import uploads
from dataio.safety import Sheet
from dataio.views import SESSION_KEY
from ics_portal.models import ReportingCycle
from ics_portal.settings import _file_storage
from packs import actions
from packs.defaults import default_pack
from packs.models import BoardPack, PublishedPack
from workstreams.models import Theme

from .. import factories

ROOT = Path(__file__).resolve().parents[2]


# --- FILE_STORAGE and the AWS_* variables --------------------------------------------------------


@pytest.fixture
def environ(monkeypatch):
    for name in (
        "FILE_STORAGE",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_REGION_NAME",
        "AWS_S3_ADDRESSING_STYLE",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_local_disk_is_the_default(environ):
    assert _file_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    environ.setenv("FILE_STORAGE", "local")
    assert _file_storage()["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_is_private_never_overwrites_and_signs_v4(environ):
    environ.setenv("FILE_STORAGE", "S3")
    environ.setenv("AWS_STORAGE_BUCKET_NAME", "ics-portal-files")
    environ.setenv("AWS_S3_REGION_NAME", "eu-west-2")
    chosen = _file_storage()
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["OPTIONS"]
    assert options["bucket_name"] == "ics-portal-files"
    assert options["region_name"] == "eu-west-2"
    assert options["endpoint_url"] is None and options["addressing_style"] == "auto"
    assert options["file_overwrite"] is False
    assert options["signature_version"] == "s3v4"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    # An S3-compatible server at its own address is addressed by path unless told otherwise.
    environ.setenv("AWS_S3_ENDPOINT_URL", "https://objects.example.nhs.uk")
    assert _file_storage()["OPTIONS"]["addressing_style"] == "path"
    environ.setenv("AWS_S3_ADDRESSING_STYLE", "virtual")
    assert _file_storage()["OPTIONS"]["addressing_style"] == "virtual"


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        (
            {"FILE_STORAGE": "s3"},
            "AWS_STORAGE_BUCKET_NAME is not set, and FILE_STORAGE=s3 needs it",
        ),
        ({"FILE_STORAGE": "azure"}, "FILE_STORAGE='azure' is not a storage the portal knows"),
        (
            {
                "FILE_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "b",
                "AWS_S3_ADDRESSING_STYLE": "dns",
            },
            "AWS_S3_ADDRESSING_STYLE='dns' is not auto, virtual or path",
        ),
    ],
)
def test_a_bad_storage_setting_is_refused_naming_the_variable(environ, environment, says):
    for name, value in environment.items():
        environ.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=says):
        _file_storage()


def test_the_portal_refuses_to_start_with_an_unknown_file_storage():
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "-c", "import ics_portal.settings"],
        cwd=ROOT,
        env={**keep, "DEBUG": "1", "FILE_STORAGE": "ftp"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FILE_STORAGE='ftp' is not a storage the portal knows" in result.stderr.splitlines()[-1]


# --- board packs through the bucket --------------------------------------------------------------


def _generated_pack(client, plan, governance, django_capture_on_commit_callbacks) -> BoardPack:
    """A pack for the approved, closed Q2 2021/22, generated through the portal's page."""
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=2)
    template = default_pack(cycle)
    pack = actions.create_pack(
        cycle=cycle,
        by=governance,
        **{
            field: getattr(template, field)
            for field in (
                "meeting",
                "date_of_meeting",
                "title",
                "purpose",
                "purpose_of_paper",
                "recommendation",
            )
        },
        sections=["summary", "workstreams"],
        lead="Jan Thomas, Accountable Officer",
        author="Sharon Fox, Director of Governance",
    )
    client.force_login(governance)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("packs:generate", args=[pack.pk]))
    pack.refresh_from_db()
    assert pack.state == BoardPack.State.READY, pack.generation_error
    return pack


def test_a_pack_is_published_to_the_bucket_and_downloaded_by_the_board(
    s3_storage, client, plan, governance, board_member, django_capture_on_commit_callbacks
):
    pack = _generated_pack(client, plan, governance, django_capture_on_commit_callbacks)
    draft_key = pack.draft_pdf.name
    assert s3_storage.keys() == [draft_key]
    assert s3_storage.read(draft_key).startswith(b"%PDF")
    # The governance officer's draft (stamped DRAFT) comes out of the bucket too.
    draft = client.get(reverse("packs:draft_pdf", args=[pack.pk]))
    assert draft.status_code == 200 and b"".join(draft.streaming_content).startswith(b"%PDF")

    done = client.post(reverse("packs:publish", args=[pack.pk]), {"confirm": "yes"}, follow=True)
    assert "Published version 1 (" in done.content.decode()
    published = PublishedPack.objects.get(pack=pack)
    assert published.pdf.name == f"packs/published/pack-{pack.pk}-published-v1.pdf"
    assert s3_storage.keys() == sorted([draft_key, published.pdf.name])
    stored = s3_storage.read(published.pdf.name)
    assert hashlib.sha256(stored).hexdigest() == published.sha256

    client.force_login(board_member)
    response = client.get(reverse("packs:published_pdf", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    # Served by the portal's own view only: nothing was written to local disk.
    assert not s3_storage.media_root.exists()

    call_command("verify_packs", stdout=io.StringIO())
    s3_storage.client.delete_object(Bucket=s3_storage.bucket, Key=published.pdf.name)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 missing"):
        call_command("verify_packs", stdout=io.StringIO(), stderr=errors)
    assert f"MISSING  Board pack {pack.pk} " in errors.getvalue()


def test_a_second_publication_never_overwrites_the_first(s3_storage, db):
    """file_overwrite is off: a name already taken in the bucket gets a new one."""
    first = default_storage.save("packs/published/pack-1-published-v1.pdf", ContentFile(b"one"))
    second = default_storage.save("packs/published/pack-1-published-v1.pdf", ContentFile(b"two"))
    assert first != second
    assert s3_storage.read(first) == b"one" and s3_storage.read(second) == b"two"


# --- uploads through the bucket ------------------------------------------------------------------


def _themes_xlsx() -> bytes:
    workbook = Workbook()
    for row in (["Number", "Name", "Leads"], [1, "Direction & Engagement", ""], [2, "Digital", ""]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_upload_is_previewed_and_imported_through_the_bucket(
    s3_storage, client, governance, django_capture_on_commit_callbacks
):
    client.force_login(governance)
    response = client.post(
        reverse("dataio:upload"),
        {"kind": "themes", "file": SimpleUploadedFile("themes.xlsx", _themes_xlsx())},
    )
    assert response.status_code == 302 and response.url == reverse("dataio:preview")
    token = client.session[SESSION_KEY]["token"]
    assert s3_storage.keys() == [f"{uploads.FOLDER}/{token}.json"]

    preview = client.get(reverse("dataio:preview")).content.decode()
    assert "2 to create, 0 to change, 0 unchanged" in preview
    assert not Theme.objects.exists()

    # Every confirmed import runs in the task worker (here the suite's immediate backend),
    # queued when the confirmation commits; its page then shows how it ended.
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("dataio:confirm"), {"token": token})
    assert confirmed.status_code == 302
    done = client.get(confirmed.url)
    assert "Themes imported from themes.xlsx: 2 created" in done.content.decode()
    assert Theme.objects.count() == 2
    assert s3_storage.keys() == []  # deleted once imported
    assert not s3_storage.media_root.exists()


def test_progress_notes_and_the_sweep_work_in_the_bucket(s3_storage, db):
    token = uploads.store(
        Sheet(filename="t.csv", format="csv", encoding="utf-8", sha256="0", rows=[])
    )
    uploads.note_progress(token, 10, 40)
    uploads.note_progress(token, 20, 40)  # replaces the note, never a second file
    assert uploads.read_progress(token) == (20, 40)
    assert s3_storage.keys() == sorted(
        [f"{uploads.FOLDER}/{token}.json", f"{uploads.FOLDER}/{token}.progress"]
    )
    assert uploads.sweep() == 0  # fresh
    assert uploads.sweep(now=timezone.now() + uploads.KEEP_FOR * 2) == 2
    assert s3_storage.keys() == [] and uploads.load(token) is None


def test_the_admin_links_stored_pdfs_to_the_portal_not_the_bucket(s3_storage, admin_client, db):
    data = b"%PDF-1.7 published"
    published = factories.PublishedPackFactory(
        pdf=default_storage.save("packs/published/p.pdf", ContentFile(data)),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    BoardPack.objects.filter(pk=published.pack_id).update(draft_pdf=published.pdf.name)
    pages = [
        (reverse("admin:packs_publishedpack_change", args=[published.pk]), "published_pdf"),
        (reverse("admin:packs_boardpack_change", args=[published.pack_id]), "draft_pdf"),
    ]
    for url, view in pages:
        html = admin_client.get(url).content.decode()
        link = reverse(
            f"packs:{view}", args=[published.pk if view == "published_pdf" else published.pack_id]
        )
        assert f'href="{link}"' in html
        assert s3_storage.bucket not in html and "X-Amz-Signature" not in html
