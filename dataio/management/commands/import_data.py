"""Import a spreadsheet of plan rows. A dry run unless --commit: prints what would be created
and changed, and every problem by row and column. Exits non-zero on any problem; with
--commit nothing is written unless the whole file is valid."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dataio.importers import IMPORT_ORDER, ImportReport, run_import
from dataio.safety import FileRejected, read_upload
from ics_portal.models import User

# Exit codes: 1 problems in the rows, 2 a file that cannot be read (or a bad argument).
ROW_PROBLEMS, BAD_FILE = 1, 2


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=IMPORT_ORDER, help="What the file holds.")
        parser.add_argument("file", type=Path, help="An .xlsx or .csv file.")
        parser.add_argument(
            "--commit", action="store_true", help="Write the rows (default: a dry run)."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="Who the audit trail names as importing (default: the system).",
        )
        parser.add_argument(
            "--all-rows",
            action="store_true",
            help="List unchanged rows too (by default only their count).",
        )

    def handle(self, *args, kind, file, commit, by, all_rows, **options):
        person = None
        if by:
            person = User.objects.filter(email__iexact=by).first()
            if person is None:
                raise CommandError(f"No one in the portal has the email {by}.", returncode=BAD_FILE)
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                f"Cannot read {file}: {error.strerror}.", returncode=BAD_FILE
            ) from None
        try:
            sheet = read_upload(file.name, content)
        except FileRejected as error:
            raise CommandError(str(error), returncode=BAD_FILE) from None
        report = run_import(kind, sheet, by=person, commit=commit, content=content)
        self._print(report, commit=commit, all_rows=all_rows)
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} problem{'s' if len(report.errors) != 1 else ''} in "
                f"{file.name}; nothing was imported.",
                returncode=ROW_PROBLEMS,
            )

    def _print(self, report: ImportReport, *, commit: bool, all_rows: bool) -> None:
        mode = "imported" if report.committed else "dry run, nothing written"
        self.stdout.write(f"{report.label} from {report.filename} ({mode})")
        for outcome in report.created:
            self.stdout.write(f"  create  row {outcome.row}: {outcome.label}")
        for outcome in report.changed:
            columns = ", ".join(outcome.changes)
            self.stdout.write(f"  change  row {outcome.row}: {outcome.label} ({columns})")
        if all_rows:
            for outcome in report.unchanged:
                self.stdout.write(f"  same    row {outcome.row}: {outcome.label}")
        if report.ignored_columns:
            self.stdout.write("Columns not imported: " + ", ".join(report.ignored_columns))
        for error in report.errors:
            self.stderr.write(str(error))
        if report.is_valid:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            if not commit and report.has_changes:
                self.stdout.write("Run again with --commit to import.")
