"""People an import creates have no password: when the import is confirmed each is emailed
(through the task queue, after the commit) a link to choose one, and the audit trail says so.
A dry run, or a file with a problem, invites nobody."""

from urllib.parse import urlsplit

import pytest
from django.core import mail

from ics_portal.audit import AuditVerb
from tests import factories
from tests.dataio.support import run

from .support import events, sign_in

PEOPLE = [
    ["Email", "Name", "Organisation", "Roles"],
    ["Dee.Lead@Example.nhs.uk", "Dee Lead", "CUH", "System lead"],
    ["eve.gov@example.nhs.uk", "Eve Gov", "CUH", "Board member"],
]


@pytest.fixture
def cuh(db):
    return factories.OrganisationFactory(short_name="CUH", name="Cambridge University Hospitals")


def test_a_confirmed_import_invites_each_new_person(
    cuh, governance, django_capture_on_commit_callbacks
):
    existing = factories.UserFactory(email="eve.gov@example.nhs.uk", organisation=cuh)
    with django_capture_on_commit_callbacks(execute=True):
        report = run("people", PEOPLE, by=governance, commit=True)
    assert report.is_valid
    assert [m.to for m in mail.outbox] == [["dee.lead@example.nhs.uk"]]
    message = mail.outbox[0]
    assert "Choose a password" in message.subject
    assert "/password-reset/" in message.body
    [invited] = events(AuditVerb.INVITATION_SENT)
    assert invited.object_label.startswith("Dee Lead")
    assert invited.actor_id == governance.pk
    assert existing.email not in [e.after["email"] for e in events(AuditVerb.INVITATION_SENT)]


def test_the_invitation_link_sets_the_first_password(
    client, cuh, governance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run("people", PEOPLE[:2], by=governance, commit=True)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = urlsplit(link.strip()).path
    form = client.get(path).url
    response = client.post(
        form, {"new_password1": "my first passphrase", "new_password2": "my first passphrase"}
    )
    assert response.status_code == 302
    assert sign_in(client, "dee.lead@example.nhs.uk", "my first passphrase").status_code == 302


def test_a_dry_run_invites_nobody(cuh, governance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = run("people", PEOPLE, by=governance, commit=False)
    assert report.summary().startswith("2 to create")
    assert callbacks == []
    assert mail.outbox == []
    assert not events(AuditVerb.INVITATION_SENT)


def test_a_file_with_a_problem_invites_nobody(cuh, governance, django_capture_on_commit_callbacks):
    rows = [*PEOPLE, ["not an email", "Fay Broken", "CUH", "System lead"]]
    with django_capture_on_commit_callbacks(execute=True):
        report = run("people", rows, by=governance, commit=True)
    assert not report.is_valid
    assert mail.outbox == []
    assert not events(AuditVerb.INVITATION_SENT)
