"""`manage.py write_palette_css [--check]`: write static/portal/palette.css from
ics_portal/palette.py, so pages take their status colours from the one palette module."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ics_portal import palette

PALETTE_CSS = Path(settings.BASE_DIR) / "static" / "portal" / "palette.css"


class Command(BaseCommand):
    help = "Write static/portal/palette.css from the palette module (--check: only compare)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file differs; write nothing."
        )

    def handle(self, *args, check: bool = False, **options):
        wanted = palette.stylesheet()
        if check:
            if not PALETTE_CSS.exists() or PALETTE_CSS.read_text() != wanted:
                raise CommandError(
                    f"{PALETTE_CSS} is not what ics_portal/palette.py gives: run "
                    "`python manage.py write_palette_css`."
                )
            self.stdout.write("palette.css matches the palette module.")
            return
        PALETTE_CSS.write_text(wanted)
        self.stdout.write(self.style.SUCCESS(f"Wrote {PALETTE_CSS}."))
