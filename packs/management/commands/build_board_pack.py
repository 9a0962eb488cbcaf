import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from packs.defaults import default_pack
from packs.models import BoardPack
from packs.pdf_tags import stamp_draft
from packs.render import render_pack_html, render_pdf


class Command(BaseCommand):
    help = (
        "Build a cycle's board pack PDF from the command line (the same PDF the portal "
        "generates), and report pages, timings and query count."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help='The quarter, e.g. "Q2 2021/22".')
        parser.add_argument("--output", required=True, help="Where to write the PDF.")
        parser.add_argument("--html", help="Also write the HTML report here.")
        parser.add_argument(
            "--pack",
            type=int,
            help="A saved pack's id (default: the cycle's latest, or a default cover).",
        )

    def handle(self, *args, cycle, output, html=None, pack=None, **options):
        try:
            quarter = Quarter.parse(cycle)
        except ValueError as error:
            raise CommandError(str(error)) from None
        found = ReportingCycle.objects.filter(
            fy_start_year=quarter.fy_start_year, quarter=quarter.number
        ).first()
        if found is None:
            raise CommandError(f"There is no reporting cycle for {quarter.label}.")
        if pack:
            board_pack = BoardPack.objects.filter(pk=pack, cycle=found).first()
            if board_pack is None:
                raise CommandError(f"Board pack {pack} does not belong to {quarter.label}.")
        else:
            board_pack = found.board_packs.order_by("-pk").first() or default_pack(found)
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = render_pack_html(board_pack)
        built = time.perf_counter()
        pdf = render_pdf(report)
        rendered = time.perf_counter()
        # Not a published version, so marked as a draft on every page, as the portal's is.
        data = stamp_draft(pdf.data)
        Path(output).write_bytes(data)
        if html:
            Path(html).write_text(report, encoding="utf-8")
        html_seconds, pdf_seconds = built - started, rendered - built
        total = rendered - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {pdf.page_count} pages, SHA-256 {hashlib.sha256(data).hexdigest()}"
            )
        )
        self.stdout.write(
            f"Building the HTML: {html_seconds:.2f}s ({len(queries)} queries); "
            f"WeasyPrint rendering: {pdf_seconds:.2f}s; total {total:.2f}s, "
            f"{total / max(pdf.page_count, 1):.3f}s per page."
        )
