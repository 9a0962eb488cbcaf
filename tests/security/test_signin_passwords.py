"""Password rules (at least 12 characters, not a common password), password reset (throttled
per address and per account, the same page whatever happened, audited) and changing one's own
password (audited)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.urls import reverse

from ics_portal.audit import AuditVerb
from tests import factories

from .support import PASSWORD, events, sign_in, signed_in


@pytest.fixture
def person(db):
    return factories.UserFactory(email="pat.person@example.nhs.uk", full_name="Pat Person")


def ask(client, email, address="192.0.2.20"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def reset_link(message) -> str:
    return next(line for line in message.body.splitlines() if "/password-reset/" in line).strip()


def choose(client, link, password):
    form_url = client.get(link).url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


# --- rules ------------------------------------------------------------------------------------


def test_the_demo_and_test_passwords_pass_the_rules():
    validate_password(PASSWORD)  # the demo's default password and the factories' one


@pytest.mark.parametrize(
    "password, message",
    [
        ("elevenchars", "at least 12 characters"),
        ("password1234", "too common"),
        ("382910384756", "entirely numeric"),
    ],
)
def test_a_weak_new_password_is_refused(client, person, password, message):
    ask(client, person.email)
    response = choose(client, reset_link(mail.outbox[-1]), password)
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert not events(AuditVerb.PASSWORD_RESET)


# --- reset ------------------------------------------------------------------------------------


def test_a_reset_is_audited_from_request_to_new_password(client, person):
    response = ask(client, "Pat.Person@example.nhs.uk", address="192.0.2.21")
    assert response.status_code == 302
    [requested] = events(AuditVerb.PASSWORD_RESET_REQUESTED)
    assert requested.object_id == str(person.pk)
    assert requested.after == {"sent": True, "throttled": None}
    assert requested.ip_address == "192.0.2.21"
    response = choose(client, reset_link(mail.outbox[-1]), "a brand new passphrase")
    assert response.status_code == 302
    [done] = events(AuditVerb.PASSWORD_RESET)
    assert done.object_id == str(person.pk)
    assert sign_in(client, person.email, "a brand new passphrase").status_code == 302


def test_a_request_for_an_unknown_email_names_nobody(client, db):
    response = ask(client, "nobody.here@example.nhs.uk")
    assert response.status_code == 302
    assert mail.outbox == []
    [requested] = events(AuditVerb.PASSWORD_RESET_REQUESTED)
    assert requested.object_id == ""
    assert "nobody.here" not in requested.object_label
    assert requested.after == {"sent": False, "throttled": None}


def test_requests_from_one_address_are_throttled(client, db, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    people = [factories.UserFactory() for _ in range(5)]
    answers = [ask(client, p.email, address="192.0.2.30") for p in people]
    assert len(mail.outbox) == 3
    assert {(a.status_code, a.url) for a in answers} == {(302, reverse("password_reset_done"))}
    throttled = [e.after["throttled"] for e in events(AuditVerb.PASSWORD_RESET_REQUESTED)]
    assert throttled == [None, None, None, "address", "address"]
    # Another address is not held back.
    ask(client, people[4].email, address="192.0.2.31")
    assert len(mail.outbox) == 4


def test_emails_to_one_account_are_throttled_whichever_address_asks(client, person, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 2
    for number in range(5):
        response = ask(client, person.email, address=f"192.0.2.{40 + number}")
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    throttled = [e.after["throttled"] for e in events(AuditVerb.PASSWORD_RESET_REQUESTED)]
    assert throttled == [None, None, "account", "account", "account"]


def test_ten_requests_do_not_send_ten_emails(client, person):
    for _ in range(10):
        ask(client, person.email)
    assert 0 < len(mail.outbox) < 10


def test_the_page_is_the_same_whether_or_not_an_email_went(client, person, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 1
    sent = ask(client, person.email, address="192.0.2.50")
    throttled = ask(client, person.email, address="192.0.2.51")
    unknown = ask(client, "nobody@example.nhs.uk", address="192.0.2.52")
    assert len(mail.outbox) == 1
    assert sent.url == throttled.url == unknown.url == reverse("password_reset_done")
    page = client.get(sent.url).content.decode()
    assert "If the address you gave has an account" in page
    assert "wait an hour before asking again" in page  # true when the throttle held it back


def test_someone_with_no_password_yet_can_choose_one(client, db):
    person = factories.UserFactory(email="new.person@example.nhs.uk")
    person.set_unusable_password()
    person.save()
    ask(client, person.email)
    assert [m.to for m in mail.outbox] == [[person.email]]
    choose(client, reset_link(mail.outbox[-1]), "my first passphrase")
    assert sign_in(client, person.email, "my first passphrase").status_code == 302


def test_an_inactive_person_gets_no_email(client, person):
    person.is_active = False
    person.save()
    ask(client, person.email)
    assert mail.outbox == []


# --- change -----------------------------------------------------------------------------------


def test_changing_my_password_is_audited_and_checked(client, person):
    client.force_login(person)
    url = reverse("password_change")
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert "at least 12 characters" in response.content.decode()
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "another good passphrase",
            "new_password2": "another good passphrase",
        },
        REMOTE_ADDR="192.0.2.60",
    )
    assert response.status_code == 302
    [changed] = events(AuditVerb.PASSWORD_CHANGE)
    assert changed.actor_id == person.pk
    assert changed.ip_address == "192.0.2.60"
    assert signed_in(client)


def test_the_change_page_needs_signing_in(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_signed_in_page_links_to_changing_the_password(client, person):
    client.force_login(person)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in page
