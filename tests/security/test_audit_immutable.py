"""Nobody can change or delete an audit event: not the model, not the admin, not SQL sent to
the database (its triggers, made by migration ics_portal 0005). Flushing the whole database
(an operator's `manage.py flush`, the flush after each transactional test) still works.
Run on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from ics_portal.audit import AuditVerb, Subject, record
from ics_portal.models import AuditEvent, AuditTrailIsPermanent

from .. import factories


@pytest.fixture
def event(db, governance):
    return record(
        by=governance,
        verb=AuditVerb.SIGN_IN_FAILED,
        subject=Subject("email", "someone@example.nhs.uk", "someone@example.nhs.uk"),
        after={"reason": "wrong password"},
    )


def _unchanged(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.verb == AuditVerb.SIGN_IN_FAILED
    assert stored.after == {"reason": "wrong password"}


# --- the model -----------------------------------------------------------------------------------


def test_a_stored_event_cannot_be_saved_again(event):
    event.verb = "tampered"
    with pytest.raises(AuditTrailIsPermanent):
        event.save()
    with pytest.raises(AuditTrailIsPermanent):
        event.save(update_fields=["verb"])
    _unchanged(event)


def test_a_new_object_with_a_stored_events_id_does_not_overwrite_it(event):
    copy = AuditEvent(pk=event.pk, verb="tampered", object_type="x", object_id="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    _unchanged(event)


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AuditTrailIsPermanent):
        event.delete()
    _unchanged(event)


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(verb="tampered"),
        lambda qs: qs.delete(),
        lambda qs: AuditEvent.objects.bulk_update(
            [AuditEvent(pk=qs.get().pk, verb="tampered")], ["verb"]
        ),
        lambda qs: AuditEvent.objects.update_or_create(pk=qs.get().pk, defaults={"verb": "x"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_the_queryset_refuses_updates_and_deletes(event, change):
    with pytest.raises(AuditTrailIsPermanent):
        change(AuditEvent.objects.filter(pk=event.pk))
    _unchanged(event)


def test_new_events_are_still_written(event):
    factories.AuditEventFactory(verb="pack.create")
    assert AuditEvent.objects.count() == 2


# --- the database --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ics_portal_auditevent SET verb = 'tampered'",
        "UPDATE ics_portal_auditevent SET after = NULL",
        "DELETE FROM ics_portal_auditevent",
    ],
)
def test_the_database_refuses_sql_that_changes_or_deletes_events(event, sql):
    with (
        pytest.raises(IntegrityError, match="audit trail is permanent"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    _unchanged(event)


def test_postgresql_refuses_truncate(event):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite empties a table with DELETE)")
    with (
        pytest.raises(IntegrityError, match="audit trail is permanent"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE ics_portal_auditevent")
    _unchanged(event)


def test_only_the_flushing_connection_is_unlocked_and_only_while_it_flushes(event):
    from ics_portal.audit import unlocked_for_flush

    with unlocked_for_flush():
        pass
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ics_portal_auditevent")
    _unchanged(event)


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_audit_trail_included():
    """The flush after every transactional test, and an operator's `manage.py flush`."""
    record(by=None, verb=AuditVerb.SIGN_IN_FAILED, subject=Subject("email", "a", "a"))
    call_command("flush", "--no-input", verbosity=0)
    assert AuditEvent.objects.count() == 0
    # …and the lock is back on afterwards.
    event = record(by=None, verb=AuditVerb.SIGN_IN_FAILED, subject=Subject("email", "b", "b"))
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ics_portal_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- the admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["governance", "superuser"])
def test_the_admin_shows_events_read_only(client, event, who, request):
    client.force_login(request.getfixturevalue(who))
    change = reverse("admin:ics_portal_auditevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"verb": "tampered"}).status_code == 403
    assert client.get(reverse("admin:ics_portal_auditevent_add")).status_code == 403
    delete = reverse("admin:ics_portal_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:ics_portal_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    _unchanged(event)
