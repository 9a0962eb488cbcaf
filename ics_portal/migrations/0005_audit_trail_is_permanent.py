"""The database itself refuses to change or delete audit events (docs/adr/0015).

SQLite: BEFORE UPDATE and BEFORE DELETE triggers that abort. The DELETE one lets through a
connection that is flushing the whole database (the function ics_portal_audit_unlocked, which
Django registers on its own connections: ics_portal/audit.py).
PostgreSQL: one trigger function refusing UPDATE, DELETE and TRUNCATE, the last two allowed
only inside a flush's transaction (the setting ics_portal.audit_unlocked = 'on', local to it).
Errors are integrity errors ("restrict_violation"), so Django raises IntegrityError on both.
"""

from django.db import migrations, router

MESSAGE = "Audit events cannot be changed or deleted: the audit trail is permanent."

SQLITE_FORWARD = [
    f"""CREATE TRIGGER ics_portal_auditevent_no_update
    BEFORE UPDATE ON ics_portal_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER ics_portal_auditevent_no_delete
    BEFORE DELETE ON ics_portal_auditevent
    WHEN NOT ics_portal_audit_unlocked()
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ics_portal_auditevent_no_update",
    "DROP TRIGGER IF EXISTS ics_portal_auditevent_no_delete",
]

POSTGRESQL_FORWARD = [
    f"""CREATE FUNCTION ics_portal_auditevent_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'UPDATE'
           AND coalesce(current_setting('ics_portal.audit_unlocked', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$""",
    """CREATE TRIGGER ics_portal_auditevent_no_change
    BEFORE UPDATE OR DELETE ON ics_portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION ics_portal_auditevent_refuse()""",
    """CREATE TRIGGER ics_portal_auditevent_no_truncate
    BEFORE TRUNCATE ON ics_portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION ics_portal_auditevent_refuse()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS ics_portal_auditevent_no_truncate ON ics_portal_auditevent",
    "DROP TRIGGER IF EXISTS ics_portal_auditevent_no_change ON ics_portal_auditevent",
    "DROP FUNCTION IF EXISTS ics_portal_auditevent_refuse()",
]


class VendorSQL(migrations.RunSQL):
    """RunSQL with one script per database vendor; other vendors run nothing."""

    def __init__(self, forward: dict[str, list[str]], reverse: dict[str, list[str]]):
        super().__init__(sql=migrations.RunSQL.noop, reverse_sql=migrations.RunSQL.noop)
        self.forward, self.reverse = forward, reverse

    def deconstruct(self):
        return (self.__class__.__name__, [], {"forward": self.forward, "reverse": self.reverse})

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if router.allow_migrate(schema_editor.connection.alias, app_label):
            self._run_sql(schema_editor, self.forward.get(schema_editor.connection.vendor, []))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if router.allow_migrate(schema_editor.connection.alias, app_label):
            self._run_sql(schema_editor, self.reverse.get(schema_editor.connection.vendor, []))


class Migration(migrations.Migration):
    dependencies = [
        ("ics_portal", "0004_audit_client_address_session"),
    ]

    operations = [
        VendorSQL(
            forward={"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD},
            reverse={"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE},
        ),
    ]
