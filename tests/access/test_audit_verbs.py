"""Audit verbs are an enum (issue 10): a misspelt verb is refused where it is written, and the
actions write only verbs from the list."""

import pytest

from ics_portal.audit import AuditVerb, record
from ics_portal.models import AuditEvent

from .. import factories


def test_a_verb_not_in_the_list_is_refused(db):
    cycle = factories.ReportingCycleFactory()
    with pytest.raises(ValueError):
        record(by=None, verb="cycle.opne", obj=cycle)
    assert not AuditEvent.objects.exists()


def test_a_verb_in_the_list_is_stored_as_its_text(db):
    cycle = factories.ReportingCycleFactory()
    event = record(by=None, verb=AuditVerb.CYCLE_OPEN, obj=cycle)
    event.refresh_from_db()
    assert event.verb == "cycle.open"


def test_an_event_about_no_row_names_its_subject_and_the_request(db, rf):
    from django.contrib.sessions.backends.db import SessionStore

    from ics_portal.audit import Subject

    request = rf.post("/sign-in/", REMOTE_ADDR="203.0.113.9")
    request.session = SessionStore()
    request.session.create()
    event = record(
        by=None,
        verb=AuditVerb.SIGN_IN_FAILED,
        subject=Subject("sign-in", "", "nobody@example.nhs.uk"),
        request=request,
    )
    event.refresh_from_db()
    assert (event.object_type, event.object_label) == ("sign-in", "nobody@example.nhs.uk")
    assert event.ip_address == "203.0.113.9"
    assert len(event.session_ref) == 16 and event.session_ref not in request.session.session_key


def test_an_event_needs_one_object_or_subject(db):
    with pytest.raises(TypeError):
        record(by=None, verb=AuditVerb.SIGN_IN)
