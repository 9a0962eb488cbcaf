"""Whether each published board pack's PDF is still the file that was published: its SHA-256,
recomputed from the file storage, against the one recorded at publication (publish_pack
fingerprints the bytes it publishes). Read by `manage.py verify_packs` (cron, and after a
restore from backup)."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from .models import PublishedPack

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Finding:
    published: PublishedPack
    problem: str  # "" when the file is intact, else "missing" or "changed"
    found_sha256: str = ""

    def describe(self) -> str:
        p = self.published
        where = p.pdf.name or "(no file recorded)"
        withdrawn = ", withdrawn" if p.is_withdrawn else ""
        head = (
            f'Board pack {p.pack_id} "{p.title}" version {p.number} (published {p.pk}{withdrawn})'
        )
        if self.problem == "missing":
            return f"MISSING  {head}: {where} is not in the file storage."
        return (
            f"CHANGED  {head}: {where} has SHA-256 {self.found_sha256}, "
            f"but {p.sha256} was recorded at publication."
        )


def sha256_of(published: PublishedPack) -> str | None:
    """The SHA-256 of the stored PDF, read in chunks; None when there is no file."""
    if not published.pdf.name:
        return None
    digest = hashlib.sha256()
    try:
        with published.pdf.storage.open(published.pdf.name, "rb") as handle:
            for chunk in handle.chunks(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def check_published() -> Iterator[Finding]:
    """Every published version (withdrawn ones too: they stay on record), oldest first."""
    versions = PublishedPack.objects.defer("html").order_by("pk")
    for published in versions.iterator(chunk_size=200):
        found = sha256_of(published)
        if found is None:
            yield Finding(published, "missing")
        elif found != published.sha256:
            yield Finding(published, "changed", found)
        else:
            yield Finding(published, "")
