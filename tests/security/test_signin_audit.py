"""The audit trail of signing in and out: every success (one event, saying how), every
failure (the email typed, normalised; never the password), the failure that locks an account,
and signing out, each with the client's address."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent
from ics_portal.signin import sign_in_method
from tests import factories

from .support import PASSWORD, events, sign_in

User = get_user_model()


@pytest.fixture
def person(db):
    return factories.UserFactory(email="pat.person@example.nhs.uk", full_name="Pat Person")


def test_a_sign_in_writes_one_event_saying_how(client, person):
    response = sign_in(client, "Pat.Person@example.nhs.uk", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302
    [event] = events(AuditVerb.SIGN_IN)
    assert event.actor_id == person.pk
    assert event.object_id == str(person.pk)
    assert event.after == {"method": "password"}
    assert event.ip_address == "198.51.100.7"
    assert event.session_ref  # the new session, by a hash of its key
    assert not events(AuditVerb.SIGN_IN_FAILED)


def test_sign_ins_through_the_oidc_backend_say_sso():
    class Signed:
        backend = "mozilla_django_oidc.auth.OIDCAuthenticationBackend"

    class Local:
        backend = "django.contrib.auth.backends.ModelBackend"

    assert sign_in_method(Signed()) == "sso"
    assert sign_in_method(Local()) == "password"


def test_a_failure_names_the_email_typed_and_never_the_password(client, person):
    sign_in(client, "  PAT.Person@Example.nhs.uk ", "Tr0ub4dor&3-secret", address="198.51.100.8")
    [event] = events(AuditVerb.SIGN_IN_FAILED)
    assert event.object_label == "pat.person@example.nhs.uk"
    assert event.object_id == str(person.pk)
    assert event.ip_address == "198.51.100.8"
    assert event.actor_id is None
    stored = json.dumps([event.object_label, event.after, event.before, event.comment])
    assert "Tr0ub4dor" not in stored
    assert not events(AuditVerb.SIGN_IN)


def test_a_failure_for_an_email_with_no_account_is_kept_too(client, db):
    sign_in(client, "Nobody@Example.nhs.uk", "guess")
    [event] = events(AuditVerb.SIGN_IN_FAILED)
    assert event.object_label == "nobody@example.nhs.uk"
    assert event.object_id == ""


def test_the_failure_that_locks_writes_one_lockout_event(client, person, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, person.email, "wrong", address="198.51.100.9")
    [locked] = events(AuditVerb.LOCKED_OUT)
    assert locked.object_id == str(person.pk)
    assert locked.after["account"] is True
    assert locked.after["address"] is False
    assert locked.ip_address == "198.51.100.9"
    # Refused while locked (the right password too): a failure each, no second lockout.
    sign_in(client, person.email, PASSWORD, address="198.51.100.9")
    sign_in(client, person.email, "wrong", address="198.51.100.10")
    assert len(events(AuditVerb.LOCKED_OUT)) == 1
    failures = events(AuditVerb.SIGN_IN_FAILED)
    assert [f.after["reason"] for f in failures] == [
        "email or password not accepted",
        "email or password not accepted",
        "email or password not accepted",
        "locked out",
        "locked out",
    ]
    assert not events(AuditVerb.SIGN_IN)


def test_signing_out_is_recorded(client, person):
    sign_in(client, person.email, PASSWORD, address="198.51.100.11")
    client.post(reverse("logout"), REMOTE_ADDR="198.51.100.11")
    [event] = events(AuditVerb.SIGN_OUT)
    assert event.actor_id == person.pk
    assert event.ip_address == "198.51.100.11"


def test_signing_out_when_not_signed_in_records_nothing(client, db):
    client.post(reverse("logout"))
    assert not AuditEvent.objects.filter(verb=AuditVerb.SIGN_OUT).exists()
