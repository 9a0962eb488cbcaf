"""Copying the file storage (board-pack PDFs, uploads waiting for import) to a folder and back,
through Django's storage API, so one backup and one restore serve local disk and S3-compatible
buckets alike (and a restore may move files from one to the other). Used by
scripts/backup.sh and scripts/restore.sh through `manage.py backup_files` / `restore_files`.

The folder holds `files/<name>` for each stored file and `files.json`, listing every name with
its size and SHA-256; a restore checks each file against the list before storing it."""

import hashlib
import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

MANIFEST = "files.json"
FILES = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    sha256: str


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in `storage`, folders walked depth first, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # local storage whose MEDIA_ROOT was never made
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


def _local_path(root: Path, name: str) -> Path:
    path = (root / FILES / name).resolve()
    if not path.is_relative_to((root / FILES).resolve()) or not name or name.startswith("/"):
        raise BackupError(f"{name!r} is not a file name a backup may hold.")
    return path


def backup_files(storage: Storage, destination: Path) -> list[Entry]:
    """Copy every stored file into `destination`/files and list them in files.json."""
    destination.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in stored_names(storage):
        path = _local_path(destination, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with storage.open(name, "rb") as source, path.open("wb") as target:
            for chunk in source.chunks(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        entries.append(Entry(name, size, digest.hexdigest()))
    (destination / MANIFEST).write_text(
        json.dumps([entry.__dict__ for entry in entries], indent=1) + "\n", encoding="utf-8"
    )
    return entries


def _sha256_file(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def restore_files(storage: Storage, source: Path) -> tuple[int, int]:
    """Store every file listed in `source`/files.json under its own name; returns (stored,
    already there). Refuses a file that does not match the list, and never replaces a
    different file already stored under the same name."""
    try:
        listed = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source / MANIFEST} is missing: is {source} a backup?") from None
    entries = [Entry(**item) for item in listed]
    for entry in entries:  # check the whole backup before storing anything
        path = _local_path(source, entry.name)
        if not path.is_file():
            raise BackupError(f"{entry.name} is listed in {MANIFEST} but not in the backup.")
        with path.open("rb") as handle:
            if _sha256_file(handle) != entry.sha256:
                raise BackupError(f"{entry.name} in the backup does not match its SHA-256.")
    stored = present = 0
    for entry in entries:
        if storage.exists(entry.name):
            with storage.open(entry.name, "rb") as handle:
                if _sha256_file(handle) != entry.sha256:
                    raise BackupError(
                        f"{entry.name} is already in the file storage with other content; "
                        "restore into an empty storage."
                    )
            present += 1
            continue
        with _local_path(source, entry.name).open("rb") as handle:
            saved = storage.save(entry.name, File(handle, name=entry.name))
        if saved != entry.name:
            raise BackupError(f"{entry.name} was stored as {saved}.")
        stored += 1
    return stored, present
