"""Single sign-on in the browser: from the sign-in page's button, through the identity
provider's own page (oidc-provider-mock on 127.0.0.1, tests/security/sso_support.py), back
to the portal signed in; and an identity the portal does not know lands on the refusal page."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import axe_violations
from tests.security import sso_support

provider, sso = sso_support.provider, sso_support.sso
BUTTON = "Sign in with your organisation's Microsoft account"


@pytest.fixture
def pat(transactional_db):
    return factories.UserFactory(email="pat.partner@example.nhs.uk", full_name="Pat Partner")


def through_the_provider(page, live_server, provider, subject: str, screenshot, name: str):
    page.goto(f"{live_server.url}/sign-in/")
    button = page.get_by_role("link", name=BUTTON)
    expect(button).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"{name}-1-sign-in")
    button.click()
    # The provider's page: the person types who they are (the mock's stand-in for
    # Microsoft's sign-in and Conditional Access).
    expect(page).to_have_url(re.compile(rf"^{re.escape(provider.url)}/oauth2/authorize\?"))
    page.get_by_placeholder("sub").fill(subject)
    screenshot(page, f"{name}-2-provider")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state("networkidle")


def test_a_known_person_signs_in_with_the_organisations_account(
    pat, sso, live_server, page, screenshot
):
    sso.set_user(
        "pat-entra-id",
        email="Pat.Partner@example.nhs.uk",
        email_verified=True,
        amr=["pwd", "mfa"],
    )
    through_the_provider(page, live_server, sso, "pat-entra-id", screenshot, "sso")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.locator(".nhsuk-caption-l")).to_have_text("Pat Partner")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "sso-3-signed-in")


def test_an_identity_the_portal_does_not_know_lands_on_the_refusal_page(
    pat, sso, live_server, page, screenshot
):
    sso.set_user("stranger", email="stranger@example.nhs.uk", email_verified=True)
    through_the_provider(page, live_server, sso, "stranger", screenshot, "sso-refused")
    expect(page).to_have_url(f"{live_server.url}/oidc/refused/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your account isn't set up in the portal"
    )
    expect(page.get_by_text("Contact the governance team: they set up")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "sso-refused-3-refusal")
