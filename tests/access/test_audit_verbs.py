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
