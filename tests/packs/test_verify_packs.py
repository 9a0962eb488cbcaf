"""`manage.py verify_packs`: every published PDF's SHA-256, recomputed from the file storage,
against the one recorded at publication; a line for each missing or changed file, and a
non-zero exit. And publishing fingerprints the bytes it publishes."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ics_portal.workflow.errors import ActionError
from packs import actions
from packs.models import BoardPack

from .. import factories


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _published(data: bytes, **extra):
    name = default_storage.save("packs/published/pack.pdf", ContentFile(data))
    return factories.PublishedPackFactory(
        pdf=name, sha256=hashlib.sha256(data).hexdigest(), **extra
    )


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_packs", stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_intact_files_pass(db):
    _published(b"%PDF-1.7 first")
    _published(b"%PDF-1.7 second")
    status, out, err = verify()
    assert status == 0, err
    assert "Checked 2 published board-pack PDFs: 2 intact, 0 missing, 0 changed." in out
    assert err == ""


def test_no_published_packs_pass(db):
    assert verify()[:2] == (
        0,
        "Checked 0 published board-pack PDFs: 0 intact, 0 missing, 0 changed.\n",
    )


def test_a_changed_file_fails_naming_the_pack(db):
    intact = _published(b"%PDF-1.7 intact")
    tampered = _published(b"%PDF-1.7 original", title="Q2 2021/22 board pack")
    with default_storage.open(tampered.pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.7 altered")
    status, _, err = verify()
    assert status == 1
    line = next(line for line in err.splitlines() if line.startswith("CHANGED"))
    assert (
        f'Board pack {tampered.pack_id} "Q2 2021/22 board pack" version {tampered.number}' in line
    )
    assert hashlib.sha256(b"%PDF-1.7 altered").hexdigest() in line and tampered.sha256 in line
    assert f"Board pack {intact.pack_id} " not in err
    assert "2 published board-pack PDFs: 1 intact, 0 missing, 1 changed." in err


def test_a_deleted_file_fails(db):
    gone = _published(b"%PDF-1.7 gone", withdrawn_at=timezone.now(), withdrawn_reason="Error")
    default_storage.delete(gone.pdf.name)
    status, _, err = verify()
    assert status == 1
    assert f"MISSING  Board pack {gone.pack_id} " in err and "withdrawn" in err
    assert f"{gone.pdf.name} is not in the file storage" in err
    assert "1 missing, 0 changed" in err


def test_publishing_refuses_a_draft_changed_since_it_was_generated(db, governance):
    cycle = factories.ReportingCycleFactory(status="CLOSED")
    pack = factories.BoardPackFactory(
        cycle=cycle, state=BoardPack.State.READY, draft_page_count=1, draft_html="<p>x</p>"
    )
    pack.draft_pdf.save("pack.pdf", ContentFile(b"%PDF-1.7 generated"), save=False)
    pack.draft_sha256 = hashlib.sha256(b"%PDF-1.7 generated").hexdigest()
    pack.save()
    with default_storage.open(pack.draft_pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.7 altered")
    with pytest.raises(ActionError, match="has changed since it was generated"):
        actions.publish_pack(pack=pack, by=governance)
    default_storage.delete(pack.draft_pdf.name)
    with pytest.raises(ActionError, match="missing from the file storage"):
        actions.publish_pack(pack=pack, by=governance)
    assert not pack.published_versions.exists()
