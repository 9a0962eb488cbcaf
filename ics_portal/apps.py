from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class IcsPortalConfig(AppConfig):
    name = "ics_portal"
    verbose_name = "People and organisations"

    def ready(self):
        # checks registers itself; middleware's sign-in receiver starts the session clock;
        # signin connects the sign-in audit receivers.
        from . import audit, checks, lookups, middleware, observability, signin  # noqa: F401
        from .roles import ensure_role_groups

        # `pk__in=[99999999999999999999]` matches nothing instead of overflowing SQLite.
        lookups.register()

        # The cycles' board meeting is a forum name as written (forum_texts.py, issue 16).
        from .forum_texts import register_forum_text
        from .models import ReportingCycle

        register_forum_text(ReportingCycle, "board_forum", "Reporting cycles' board meeting")

        # After every migrate (and flush), the role groups exist with their permissions.
        post_migrate.connect(ensure_role_groups, dispatch_uid="ics_portal.ensure_role_groups")

        # SQLite connections get the function the audit table's DELETE trigger asks (audit.py).
        connection_created.connect(
            audit.register_sqlite_unlock, dispatch_uid="ics_portal.audit_sqlite_unlock"
        )

        # Log lines name the task they were logged during (ics_portal/observability.py).
        observability.connect_signals()
