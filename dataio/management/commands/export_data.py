"""Export the BAF risk register, a cycle return, updates, or plan rows in the layout their
import reads. The format follows --output's suffix (.xlsx or .csv)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dataio.actions import record_export
from dataio.exporters import EXPORT_KINDS, export
from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from reporting.presenters import current_cycle


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(EXPORT_KINDS), help="What to export.")
        parser.add_argument("--output", "-o", type=Path, required=True, help="File to write.")
        parser.add_argument(
            "--cycle",
            metavar="QUARTER",
            help='Reporting cycle, e.g. "Q2 2021/22" (cycle return: default the current one; '
            "updates: default every cycle).",
        )

    def handle(self, *args, kind, output, cycle, **options):
        spec = EXPORT_KINDS[kind]
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in spec.formats:
            raise CommandError(
                f"The {spec.label.lower()} export is written as "
                + " or ".join(f".{f}" for f in spec.formats)
                + f"; --output {output} ends in {output.suffix or 'nothing'}."
            )
        chosen = self._cycle(cycle) if cycle else (current_cycle() if spec.needs_cycle else None)
        if spec.needs_cycle and chosen is None:
            raise CommandError("There are no reporting cycles to export.")
        result = export(kind, fmt=fmt, cycle=chosen)
        try:
            output.write_bytes(result.content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        # An export that names people is recorded, from the shell as from the portal.
        record_export(
            kind=kind,
            result=result,
            fmt=fmt,
            cycle=chosen,
            by=None,
            comment=f"manage.py export_data --output {output}",
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {spec.label.lower()} to {output}."))

    @staticmethod
    def _cycle(text: str) -> ReportingCycle:
        try:
            quarter = Quarter.parse(text)
        except ValueError as error:
            raise CommandError(str(error)) from None
        found = ReportingCycle.objects.filter(
            fy_start_year=quarter.fy_start_year, quarter=quarter.number
        ).first()
        if found is None:
            raise CommandError(f"There is no {quarter.label} reporting cycle.")
        return found
