from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from ics_portal.file_backup import BackupError, backup_files


class Command(BaseCommand):
    help = (
        "Copy every file in the portal's file storage (local disk or S3 bucket) into a folder, "
        "with files.json listing each one's size and SHA-256 (scripts/backup.sh runs it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="The folder to write (made if missing).")

    def handle(self, *args, destination, **options):
        try:
            entries = backup_files(default_storage, Path(destination))
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = sum(entry.size for entry in entries)
        self.stdout.write(f"Copied {len(entries)} files ({size:,} bytes) to {destination}.")
