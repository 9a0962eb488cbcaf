"""The single sign-on URLs exist only when it is configured, so the site-wide walk
(tests/access/test_url_walk.py, run with it off) has no rows for them: this walks them with
it on, for someone signed out and someone signed in, against the same rules (no 500, one
<h1>, open to everyone because signing in happens before there is anyone to check)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.access.test_url_walk import OUTCOMES, _patterns
from tests.access.test_views_guarded import OPEN_TO_EVERYONE

from .. import factories
from . import sso_support

provider, sso = sso_support.provider, sso_support.sso
pytestmark = pytest.mark.django_db

# name: (status signed out, status signed in), and where a redirect goes
SSO_OUTCOMES = {
    # to the provider's authorisation page, with state, nonce and PKCE challenge
    "oidc_authentication_init": (302, 302),
    # with no code and state: back to the sign-in page with a message
    "oidc_authentication_callback": (302, 302),
    "sso_refused": (200, 200),
}


def test_the_walk_has_no_rows_for_single_sign_on_when_it_is_off():
    names = {name for name, _ in _patterns()}
    assert not names & set(SSO_OUTCOMES)
    assert set(OUTCOMES) == names


def test_with_single_sign_on_on_its_urls_are_the_only_ones_the_walk_lacks(sso):
    names = {name for name, _ in _patterns()}
    assert names - set(OUTCOMES) == set(SSO_OUTCOMES)


def test_the_single_sign_on_urls_answer_everyone_as_the_table_says(sso):
    person = factories.UserFactory()
    mismatches = []
    for index, signed_in in enumerate((False, True)):
        client = Client()
        if signed_in:
            client.force_login(person)
        for name, expected in SSO_OUTCOMES.items():
            response = client.get(reverse(name))
            if response.status_code != expected[index]:
                mismatches.append((signed_in, name, expected[index], response.status_code))
            elif response.status_code == 200:
                assert len(re.findall(r"<h1[\s>]", response.content.decode())) == 1, name
    assert mismatches == []
    start = Client().get(reverse("oidc_authentication_init"))["Location"]
    assert start.startswith(f"{sso.url}/oauth2/authorize?")
    for part in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256"):
        assert part in start
    callback = Client().get(reverse("oidc_authentication_callback"))["Location"]
    assert callback == reverse("login")


def test_the_single_sign_on_views_are_open_because_they_sign_people_in(sso):
    """As the sign-in page (OPEN_TO_EVERYONE in tests/access/test_views_guarded.py): no
    `requires` guard, since nobody is signed in yet."""
    assert "login" in OPEN_TO_EVERYONE
    for name, pattern in _patterns():
        if name in SSO_OUTCOMES:
            assert getattr(pattern.callback, "guard", None) is None, name
