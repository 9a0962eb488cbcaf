from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from ics_portal.file_backup import BackupError, restore_files


class Command(BaseCommand):
    help = (
        "Store the files of a folder written by backup_files into the portal's file storage "
        "(local disk or S3 bucket), each checked against files.json; a different file already "
        "stored under the same name stops the restore (scripts/restore.sh runs it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The folder backup_files wrote.")

    def handle(self, *args, source, **options):
        try:
            stored, present = restore_files(default_storage, Path(source))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {stored} files ({present} were already there).")
