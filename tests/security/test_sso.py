"""Single sign-on through OpenID Connect (ics_portal/sso.py, docs/adr/0014-single-sign-on.md),
end to end against a real provider on 127.0.0.1 (tests/security/sso_support.py): the
portal's redirect, the provider's sign-in, the callback exchanging the code for a signed ID
token, and the person found by the address the token vouches for."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.urls import reverse

from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent, User
from ics_portal.sso import MFA_SESSION_KEY

from .. import factories
from . import sso_support
from .sso_support import running_provider, sign_in_through, start

# The provider on 127.0.0.1 and single sign-on switched on against it.
provider, sso = sso_support.provider, sso_support.sso

pytestmark = pytest.mark.django_db
REFUSAL = "Contact the governance team: they set up each person's account and role."


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def refusals():
    return AuditEvent.objects.filter(verb=AuditVerb.SSO_REFUSED)


# --- matching a person ------------------------------------------------------------------------


def test_a_person_whose_verified_email_matches_is_signed_in_and_sent_home(client, sso):
    person = factories.UserFactory(email="pat.partner@example.nhs.uk")
    response = sign_in_through(
        client, sso, "pat-1", email="pat.partner@example.nhs.uk", email_verified=True
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == person.pk
    # SIGNIN's user_logged_in receiver tells an SSO sign-in by this backend.
    assert client.session[BACKEND_SESSION_KEY] == django_settings.SSO_BACKEND
    assert not refusals().exists()
    assert client.get(reverse("home")).status_code == 200


def test_addresses_match_whatever_their_case(client, sso):
    person = factories.UserFactory(email="pat.partner@example.nhs.uk")
    sign_in_through(client, sso, "pat-2", email="Pat.Partner@Example.NHS.uk", email_verified=True)
    assert signed_in_as(client) == person.pk


def test_a_person_stored_with_capitals_matches_a_lower_case_address(client, sso):
    person = factories.UserFactory(email="mixed@example.nhs.uk")
    User.objects.filter(pk=person.pk).update(email="Mixed.Case@Example.nhs.uk")
    sign_in_through(client, sso, "mixed", email="mixed.case@example.nhs.uk", email_verified=True)
    assert signed_in_as(client) == person.pk


def test_an_entra_member_is_matched_by_the_sign_in_name_the_tenant_issued(client, sso):
    person = factories.UserFactory(email="sam.staff@nhs.net")
    sign_in_through(
        client, sso, "entra-oid-1", tid="tenant-1", preferred_username="Sam.Staff@nhs.net"
    )
    assert signed_in_as(client) == person.pk


def test_an_entra_upn_is_preferred_to_an_unverified_email(client, sso):
    person = factories.UserFactory(email="sam.staff@nhs.net")
    victim = factories.UserFactory(email="board.chair@example.nhs.uk")
    sign_in_through(
        client,
        sso,
        "entra-oid-2",
        tid="tenant-1",
        upn="sam.staff@nhs.net",
        email="board.chair@example.nhs.uk",  # an attribute anyone's admin can set
    )
    assert signed_in_as(client) == person.pk != victim.pk


def test_local_password_accounts_keep_working_beside_single_sign_on(client, sso):
    person = factories.UserFactory(email="partner@example.org")
    person.set_password("a-long-enough-password-1")
    person.save()
    response = client.post(
        reverse("login"),
        {"username": "partner@example.org", "password": "a-long-enough-password-1"},
    )
    assert response.status_code == 302
    assert signed_in_as(client) == person.pk
    assert client.session[BACKEND_SESSION_KEY] != django_settings.SSO_BACKEND


# --- refusals: nobody is made, everyone refused is audited --------------------------------


def test_an_identity_matching_nobody_is_refused_audited_and_no_account_is_made(client, sso):
    people = User.objects.count()
    response = sign_in_through(
        client, sso, "stranger", email="stranger@example.nhs.uk", email_verified=True
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("sso_refused")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert REFUSAL in page.content.decode()
    assert signed_in_as(client) is None
    assert User.objects.count() == people
    event = refusals().get()
    assert (event.object_type, event.object_label) == ("sign-in", "stranger@example.nhs.uk")
    assert event.actor_id is None
    assert event.after == {"method": "sso", "reason": "no person in the portal has this address"}
    assert event.ip_address == "127.0.0.1"


def test_a_deactivated_person_is_refused(client, sso):
    factories.UserFactory(email="gone@example.nhs.uk", is_active=False)
    response = sign_in_through(
        client, sso, "gone", email="gone@example.nhs.uk", email_verified=True
    )
    assert response["Location"] == reverse("sso_refused")
    assert signed_in_as(client) is None
    assert refusals().get().after["reason"] == "the person's account is deactivated"


def test_an_unverified_email_from_a_provider_is_not_trusted(client, sso):
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    response = sign_in_through(client, sso, "typed", email="pat.partner@example.nhs.uk")
    assert response["Location"] == reverse("sso_refused")
    assert signed_in_as(client) is None
    event = refusals().get()
    assert event.object_label == "subject typed"
    assert event.after["reason"] == "the identity provider vouched for no email address"


def test_a_guest_from_another_identity_provider_is_not_matched_by_its_sign_in_name(client, sso):
    factories.UserFactory(email="sam.staff@nhs.net")
    response = sign_in_through(
        client,
        sso,
        "guest",
        tid="tenant-1",
        idp="https://sts.windows.net/another-tenant/",
        preferred_username="sam.staff@nhs.net",
    )
    assert response["Location"] == reverse("sso_refused")
    assert signed_in_as(client) is None


def test_only_the_allowed_domains_sign_in_when_they_are_set(client, sso, settings):
    settings.OIDC_ALLOWED_DOMAINS = ["nhs.net"]
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    response = sign_in_through(
        client, sso, "pat-3", email="pat.partner@example.nhs.uk", email_verified=True
    )
    assert response["Location"] == reverse("sso_refused")
    assert "OIDC_ALLOWED_DOMAINS" in refusals().get().after["reason"]
    member = factories.UserFactory(email="sam.staff@nhs.net")
    sign_in_through(client, sso, "sam", email="sam.staff@nhs.net", email_verified=True)
    assert signed_in_as(client) == member.pk


# --- the flow itself: state, nonce, the token's signature and issuer ------------------------


def test_a_callback_whose_state_this_session_did_not_start_is_refused(client, sso):
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    sso.set_user("pat", email="pat.partner@example.nhs.uk", email_verified=True)
    callback = sso.authorise(start(client, sso), "pat")
    forged = callback.replace("state=", "state=forged")
    assert client.get(forged).status_code == 400
    assert signed_in_as(client) is None
    assert client.get(callback).status_code == 302
    assert signed_in_as(client) is not None
    # Used once: the same callback again (a replayed code and state) is refused.
    assert client.get(callback).status_code == 400


def test_a_code_issued_for_another_sign_in_fails_the_nonce_check(client, sso):
    """Two sign-ins started in one session; the first one's code sent back with the second
    one's state: the ID token carries the first nonce, the session expects the second."""
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    sso.set_user("pat", email="pat.partner@example.nhs.uk", email_verified=True)
    first = start(client, sso)
    second = start(client, sso)
    code_of_first = sso.authorise(first, "pat").split("code=")[1].split("&")[0]
    state_of_second = second.split("state=")[1].split("&")[0]
    callback = (
        f"{reverse('oidc_authentication_callback')}?code={code_of_first}&state={state_of_second}"
    )
    assert client.get(callback).status_code == 400
    assert signed_in_as(client) is None


def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    client, sso, settings
):
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    with running_provider() as impostor:
        # The portal reads the keys from another provider: the token's signature fails.
        settings.OIDC_OP_JWKS_ENDPOINT = f"{impostor.url}/jwks"
        response = sign_in_through(
            client, sso, "pat", email="pat.partner@example.nhs.uk", email_verified=True
        )
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_an_id_token_from_another_issuer_is_refused(client, sso, settings):
    settings.OIDC_OP_ISSUER = "https://login.microsoftonline.com/another-tenant/v2.0"
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    response = sign_in_through(
        client, sso, "pat", email="pat.partner@example.nhs.uk", email_verified=True
    )
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_a_code_the_provider_refuses_sends_the_person_back_to_sign_in_with_a_message(
    client, sso, settings
):
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    sso.set_user("pat", email="pat.partner@example.nhs.uk", email_verified=True)
    callback = sso.authorise(start(client, sso), "pat")
    settings.OIDC_RP_CLIENT_ID = "another-client"  # the code was issued to ours
    response = client.get(callback, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "did not finish" in response.content.decode()
    assert signed_in_as(client) is None


def test_denying_at_the_provider_sends_the_person_back_to_sign_in(client, sso):
    import requests

    answer = requests.post(
        start(client, sso), data={"action": "deny"}, allow_redirects=False, timeout=5
    )
    response = client.get(answer.headers["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert signed_in_as(client) is None
    assert not refusals().exists()


def test_the_page_asked_for_before_signing_in_is_where_the_person_lands(client, sso):
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    sso.set_user("pat", email="pat.partner@example.nhs.uk", email_verified=True)
    target = reverse("accessibility")
    callback = sso.authorise(start(client, sso, next_url=target), "pat")
    assert client.get(callback)["Location"] == target
    client.logout()
    callback = sso.authorise(start(client, sso, next_url="https://evil.example/"), "pat")
    assert client.get(callback)["Location"] == reverse("home")


# --- the identity provider's MFA ----------------------------------------------------------------


def test_an_id_token_saying_mfa_counts_as_the_second_factor(client, sso):
    factories.UserFactory(email="gus@example.nhs.uk")
    sign_in_through(
        client, sso, "gus", email="gus@example.nhs.uk", email_verified=True, amr=["pwd", "mfa"]
    )
    assert client.session[MFA_SESSION_KEY] is True


def test_an_id_token_without_mfa_leaves_the_second_factor_to_the_portal(client, sso):
    factories.UserFactory(email="gus@example.nhs.uk")
    sign_in_through(client, sso, "gus", email="gus@example.nhs.uk", email_verified=True)
    assert signed_in_as(client) is not None
    assert MFA_SESSION_KEY not in client.session
    sign_in_through(
        client, sso, "gus2", email="gus@example.nhs.uk", email_verified=True, amr=["pwd"]
    )
    assert MFA_SESSION_KEY not in client.session


def test_a_later_sign_in_without_mfa_takes_the_providers_word_back(client, sso):
    factories.UserFactory(email="gus@example.nhs.uk")
    sso.set_user("gus", email="gus@example.nhs.uk", email_verified=True, amr=["mfa"])
    sign_in_through(client, sso, "gus")
    assert client.session[MFA_SESSION_KEY] is True
    sso.set_user("gus", email="gus@example.nhs.uk", email_verified=True, amr=["pwd"])
    sign_in_through(client, sso, "gus")
    assert MFA_SESSION_KEY not in client.session


def test_the_providers_mfa_is_not_trusted_when_the_setting_is_off(client, sso, settings):
    settings.OIDC_TRUST_IDP_MFA = False
    factories.UserFactory(email="gus@example.nhs.uk")
    sign_in_through(
        client, sso, "gus", email="gus@example.nhs.uk", email_verified=True, amr=["mfa"]
    )
    assert signed_in_as(client) is not None
    assert MFA_SESSION_KEY not in client.session


# --- the sign-in page, on and off ---------------------------------------------------------------

BUTTON = "Sign in with your organisation's Microsoft account"


def test_the_sign_in_page_offers_the_button_when_single_sign_on_is_configured(client, sso):
    page = client.get(reverse("login"), {"next": "/risks/"}).content.decode()
    assert BUTTON in page
    assert f'href="{reverse("oidc_authentication_init")}?next=/risks/"' in page
    assert "<script" not in page.split('id="sso"')[1].split("</div>")[0]


def test_with_single_sign_on_off_there_is_no_button_no_route_and_no_backend(client, settings):
    assert settings.SSO_ENABLED is False  # the test settings set no OIDC_ variable
    assert settings.SSO_BACKEND not in settings.AUTHENTICATION_BACKENDS
    assert BUTTON not in client.get(reverse("login")).content.decode()
    for path in ("/oidc/authenticate/", "/oidc/callback/?code=x&state=y", "/oidc/refused/"):
        assert client.get(path).status_code == 404, path


def test_single_sign_on_refusals_do_not_lock_out_the_address_they_came_from(client, sso, settings):
    """django-axes (first in AUTHENTICATION_BACKENDS) sees the callback's authenticate()
    too. More refusals than the lockout allows, from one address, must not lock single
    sign-on for everyone behind it (an organisation's shared egress), nor count against
    passwords: the provider has its own lockout, and refusals are audited."""
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    person = factories.UserFactory(email="pat.partner@example.nhs.uk")
    person.set_password("a-long-enough-password-1")
    person.save()
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in_through(
            client, sso, f"stranger-{attempt}", email="nobody@example.nhs.uk", email_verified=True
        )
        assert response["Location"] == reverse("sso_refused")
    assert refusals().count() == settings.AXES_FAILURE_LIMIT + 1
    assert not AccessAttempt.objects.exists()
    response = sign_in_through(
        client, sso, "pat", email="pat.partner@example.nhs.uk", email_verified=True
    )
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == person.pk


def test_password_sign_ins_are_still_locked_out_with_single_sign_on_on(client, sso, settings):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    factories.UserFactory(email="pat.partner@example.nhs.uk")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "pat.partner@example.nhs.uk", "password": "x"})
    assert AccessAttempt.objects.exists()
    response = client.post(
        reverse("login"), {"username": "pat.partner@example.nhs.uk", "password": "x"}
    )
    assert response.status_code in (403, 429)


@pytest.mark.parametrize("people", [1, 40])
def test_the_callback_asks_the_database_the_same_whatever_the_number_of_people(
    client, sso, people, django_assert_max_num_queries
):
    factories.UserFactory.create_batch(people)
    person = factories.UserFactory(email="pat.partner@example.nhs.uk")
    sso.set_user("pat", email="pat.partner@example.nhs.uk", email_verified=True)
    callback = sso.authorise(start(client, sso), "pat")
    # Session reads and writes (the library saves it before asking the provider and reloads
    # it after), the person, the sign-in (last_login, the new session key): one query finds
    # the person, however many there are. The sign-in's audit event and the absolute session
    # limit add two.
    with django_assert_max_num_queries(18):
        client.get(callback)
    assert signed_in_as(client) == person.pk
