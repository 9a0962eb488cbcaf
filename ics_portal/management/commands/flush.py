"""Django's `flush`, able to empty the audit table too.

The database refuses to delete audit events (triggers made by migration 0005). Emptying the
whole database is the one exception: an operator's deliberate `manage.py flush`, and the flush
after each transactional test. This command unlocks its own connection for the length of the
flush and nothing else (ics_portal.audit.unlocked_for_flush; docs/adr/0015).
"""

from django.core.management.commands.flush import Command as DjangoFlush

from ics_portal.audit import unlocked_for_flush


class Command(DjangoFlush):
    help = DjangoFlush.help + " The audit trail is emptied with everything else."

    def handle(self, **options):
        with unlocked_for_flush(using=options["database"]):
            super().handle(**options)
