"""The sign-in lockout (django-axes), through the real sign-in page: one count per account
whatever the case or spacing of the email typed and whichever address it came from, and one
per client address across every account it tries (password spraying)."""

import pytest
from django.core import mail
from django.urls import reverse

from ics_portal.forms import SignInForm
from tests import factories

from .support import PASSWORD, sign_in, signed_in


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8


@pytest.fixture
def person(db):
    return factories.UserFactory(email="demo.board@example.nhs.uk")


def fail(client, email, times, address="192.0.2.10"):
    for _ in range(times):
        response = sign_in(client, email, "wrong password", address)
        assert not signed_in(client)
    return response


def test_the_right_password_is_refused_in_any_case_after_the_limit(client, person):
    variants = [
        "Demo.Board@example.nhs.uk",
        "DEMO.BOARD@EXAMPLE.NHS.UK",
        "demo.board@Example.NHS.uk",
        " demo.board@example.nhs.uk ",
        "dEmO.bOaRd@example.nhs.uk",
    ]
    for variant in variants:
        fail(client, variant, 1)
    response = sign_in(client, "Demo.Board@example.nhs.uk", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # Nor in the case it is stored in.
    assert sign_in(client, person.email, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_case_variants_cannot_buy_more_guesses(client, person):
    fail(client, "demo.board@example.nhs.uk", 5)
    for variant in [
        "Demo.board@example.nhs.uk",
        "demo.Board@example.nhs.uk",
        "DEMO.board@example.nhs.uk",
    ]:
        assert sign_in(client, variant, "another guess").status_code == 429


def test_the_account_is_locked_whichever_address_tries(client, person):
    for number in range(5):
        fail(client, person.email, 1, address=f"198.51.100.{number}")
    response = sign_in(client, person.email, PASSWORD, address="203.0.113.99")
    assert response.status_code == 429
    assert not signed_in(client)


def test_fewer_failures_than_the_limit_still_sign_in(client, person):
    fail(client, "Demo.Board@example.nhs.uk", 4)
    response = sign_in(client, "DEMO.BOARD@example.nhs.uk", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_one_guess_each_at_many_accounts_from_one_address_is_limited(client, db):
    people = [factories.UserFactory() for _ in range(10)]
    for victim in people[:8]:
        fail(client, victim.email, 1, address="192.0.2.66")
    # The ninth account, even with its right password, is refused from that address ...
    response = sign_in(client, people[8].email, PASSWORD, address="192.0.2.66")
    assert response.status_code == 429
    assert not signed_in(client)
    # ... while its owner, elsewhere, signs in: no single account reached its own limit.
    response = sign_in(client, people[8].email, PASSWORD, address="192.0.2.67")
    assert response.status_code == 302
    assert signed_in(client)


def test_below_the_address_limit_the_address_is_not_locked(client, db):
    people = [factories.UserFactory() for _ in range(8)]
    for victim in people[:7]:
        fail(client, victim.email, 1, address="192.0.2.66")
    response = sign_in(client, people[7].email, PASSWORD, address="192.0.2.66")
    assert response.status_code == 302


def test_the_locked_out_page_says_how_long_and_what_to_do(client, person):
    response = fail(client, person.email, 5)
    assert response.status_code == 429
    page = response.content.decode()
    assert "1 hour" in page
    assert reverse("password_reset") in page
    assert "governance team" in page
    assert "case" not in page.lower()


def test_the_locked_out_page_for_an_address_says_so(client, db):
    people = [factories.UserFactory() for _ in range(8)]
    for victim in people[:-1]:
        fail(client, victim.email, 1, address="192.0.2.66")
    response = sign_in(client, people[-1].email, "wrong", address="192.0.2.66")
    page = response.content.decode()
    assert response.status_code == 429
    assert "from your network" in page
    assert "case" not in page.lower()


def test_the_wrong_password_message_is_true_about_case(client, person):
    # The email is matched in any case: only the password's case matters.
    assert "Both are case-sensitive" not in SignInForm.error_messages["invalid_login"]
    response = sign_in(client, person.email, "wrong")
    page = response.content.decode()
    assert "Enter a correct email address and password. The password is case-sensitive." in page
    assert "Both" not in page


def test_a_password_reset_clears_the_accounts_lockout(client, person):
    from ics_portal.audit import AuditVerb

    from .support import events

    fail(client, person.email, 5)
    assert sign_in(client, person.email, PASSWORD).status_code == 429
    client.post(reverse("password_reset"), {"email": person.email}, REMOTE_ADDR="192.0.2.10")
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/password-reset/" in line
    ).strip()
    response = client.get(link)
    response = client.post(
        response.url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    [cleared] = events(AuditVerb.LOCKOUT_CLEARED)
    assert cleared.object_id == str(person.pk)
    response = sign_in(client, person.email, "a brand new passphrase")
    assert response.status_code == 302
    assert signed_in(client)


def test_sign_ins_naming_no_account_are_neither_counted_nor_refused(client, rf, person):
    """An SSO sign-in reaches authenticate() with no email and no password: it neither counts
    towards a lockout (under a shared "no account" key) nor is refused by an address's one."""
    from axes.models import AccessAttempt
    from django.contrib.auth import authenticate

    from ics_portal.signin import LockoutBackend

    request = rf.get("/oidc/callback/", REMOTE_ADDR="192.0.2.80")
    for _ in range(12):
        assert authenticate(request, nonce="n", code_verifier="v") is None
    assert not AccessAttempt.objects.exists()
    # The address locked by password failures (eight accounts) does not refuse SSO.
    for victim in [factories.UserFactory() for _ in range(8)]:
        fail(client, victim.email, 1, address="192.0.2.80")
    assert sign_in(client, person.email, PASSWORD, address="192.0.2.80").status_code == 429
    assert LockoutBackend().authenticate(request, nonce="n") is None
