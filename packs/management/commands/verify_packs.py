from django.core.management.base import BaseCommand, CommandError

from packs.integrity import check_published


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every published board-pack PDF from the file storage and "
        "compare it with the one recorded at publication. Prints a line for each missing or "
        "changed file and a summary; exits 1 if there is any."
    )

    def handle(self, *args, **options):
        checked = missing = changed = 0
        for finding in check_published():
            checked += 1
            if finding.problem:
                missing += finding.problem == "missing"
                changed += finding.problem == "changed"
                self.stderr.write(finding.describe())
        summary = (
            f"Checked {checked} published board-pack PDF{'s' if checked != 1 else ''}: "
            f"{checked - missing - changed} intact, {missing} missing, {changed} changed."
        )
        if missing or changed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
