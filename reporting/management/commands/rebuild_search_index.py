"""Build the search index afresh from every source (after loading fixtures, or if it is ever
in doubt). Saving through the portal keeps it up to date without this."""

from django.core.management.base import BaseCommand

from reporting.search_index import rebuild


class Command(BaseCommand):
    help = "Build the search index afresh from every update, objective, milestone and risk."

    def handle(self, *args, **options):
        written = rebuild()
        self.stdout.write(f"Indexed {written} texts for search.")
