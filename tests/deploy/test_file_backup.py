"""`manage.py backup_files` / `restore_files` (run by scripts/backup.sh and restore.sh): every
stored file out to a folder with its SHA-256, and back into an empty storage, local or S3,
checked on the way in. The whole backup -> restore -> verify_packs round trip with pg_dump is
scripts/ci/backup_restore_check.sh, run by .ci/run."""

import hashlib
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from .. import factories

FILES = {
    "packs/published/pack-1-published-v1.pdf": b"%PDF-1.7 published",
    "packs/drafts/pack-1-v2.pdf": b"%PDF-1.7 draft",
    "dataio-uploads/token.json": b'{"version": 1}',
}


@pytest.fixture
def backed_up(settings, tmp_path, db):
    """The FILES in local storage and a published pack recording the first; backed up."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, data in FILES.items():
        default_storage.save(name, ContentFile(data))
    name, data = next(iter(FILES.items()))
    factories.PublishedPackFactory(pdf=name, sha256=hashlib.sha256(data).hexdigest())
    out = io.StringIO()
    call_command("backup_files", str(tmp_path / "backup"), stdout=out)
    assert f"Copied {len(FILES)} files" in out.getvalue()
    return tmp_path / "backup"


def test_every_file_is_copied_and_listed_with_its_hash(backed_up):
    listed = json.loads((backed_up / "files.json").read_text())
    assert sorted(item["name"] for item in listed) == sorted(FILES)
    for item in listed:
        data = (backed_up / "files" / item["name"]).read_bytes()
        assert data == FILES[item["name"]]
        assert item["sha256"] == hashlib.sha256(data).hexdigest() and item["size"] == len(data)


def test_restore_into_empty_local_storage_then_again_changes_nothing(backed_up, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "restored"
    out = io.StringIO()
    call_command("restore_files", str(backed_up), stdout=out)
    assert f"Restored {len(FILES)} files (0 were already there)." in out.getvalue()
    for name, data in FILES.items():
        assert (tmp_path / "restored" / name).read_bytes() == data
    call_command("verify_packs", stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore_files", str(backed_up), stdout=out)
    assert f"Restored 0 files ({len(FILES)} were already there)." in out.getvalue()


def test_restore_refuses_a_damaged_backup_before_storing_anything(backed_up, settings, tmp_path):
    (backed_up / "files" / "packs/drafts/pack-1-v2.pdf").write_bytes(b"damaged")
    settings.MEDIA_ROOT = tmp_path / "restored"
    with pytest.raises(CommandError, match="pack-1-v2.pdf in the backup does not match"):
        call_command("restore_files", str(backed_up), stdout=io.StringIO())
    assert not (tmp_path / "restored").exists()


def test_restore_never_replaces_a_different_stored_file(backed_up, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "restored"
    default_storage.save("packs/drafts/pack-1-v2.pdf", ContentFile(b"someone else's"))
    with pytest.raises(CommandError, match="already in the file storage with other content"):
        call_command("restore_files", str(backed_up), stdout=io.StringIO())
    assert (tmp_path / "restored/packs/drafts/pack-1-v2.pdf").read_bytes() == b"someone else's"


def test_restore_refuses_names_outside_the_backup(backed_up):
    listed = json.loads((backed_up / "files.json").read_text())
    listed[0]["name"] = "../../outside.pdf"
    (backed_up / "files.json").write_text(json.dumps(listed))
    with pytest.raises(CommandError, match="is not a file name a backup may hold"):
        call_command("restore_files", str(backed_up), stdout=io.StringIO())


def test_a_local_backup_restores_into_a_bucket(backed_up, s3_storage):
    """The way from one server's disk to object storage: back up, set FILE_STORAGE=s3, restore."""
    call_command("restore_files", str(backed_up), stdout=io.StringIO())
    assert s3_storage.keys() == sorted(FILES)
    for name, data in FILES.items():
        assert s3_storage.read(name) == data
    out = io.StringIO()
    call_command("verify_packs", stdout=out)
    assert "1 intact" in out.getvalue()
