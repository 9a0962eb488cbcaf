"""Two-step verification in the browser (issue 13): a governance officer, for whom it is
required, signs in, is sent to set it up, reads the setup key from the page (as someone who
cannot scan the QR code would), types the code an authenticator app would show, saves the
recovery codes, signs out, signs in again with a code and reaches the admin; and signs in
with a recovery code."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ics_portal.roles import GOVERNANCE_OFFICER
from tests import factories
from tests.security.mfa_support import code_for

from .conftest import DEMO_PASSWORD, axe_violations

EMAIL = "gwen.governance@example.nhs.uk"


@pytest.fixture
def officer(transactional_db, settings):
    settings.MFA_REQUIRED = True
    user = factories.UserFactory(email=EMAIL, full_name="Gwen Governance", is_staff=True)
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=GOVERNANCE_OFFICER.group_name)[0])
    return user


def password_step(page, live_server, next_url=""):
    page.goto(f"{live_server.url}/sign-in/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.locator("h1")).to_have_text("Sign in")


def wrong(code: str) -> str:
    return f"{(int(code) + 5) % 1_000_000:06d}"


def test_governance_officer_sets_up_two_step_verification_and_signs_in_with_it(
    officer, live_server, page, screenshot, tmp_path
):
    # Password first: before anything else, set up the app.
    password_step(page, live_server)
    expect(page.locator("h1")).to_have_text("Set up two-step verification")
    assert "/account/two-step-verification/set-up/" in page.url
    expect(page.get_by_role("img", name=re.compile("QR code to add"))).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "mfa-enrol")

    # Someone who cannot scan types the setup key into their app.
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#mfa-secret code").inner_text()
    assert len(secret.replace(" ", "")) == 32
    code_box = page.get_by_label("Code from your authenticator app")
    assert code_box.get_attribute("autocomplete") == "one-time-code"
    assert code_box.get_attribute("inputmode") == "numeric"
    code_box.fill(wrong(code_for(secret)))
    page.get_by_role("button", name="Confirm and continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The code is not right")
    screenshot(page, "mfa-enrol-error")
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and continue").click()

    # Recovery codes, shown once and downloadable.
    expect(page.locator("h1")).to_have_text("Save your recovery codes")
    codes = page.locator(".app-recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert axe_violations(page) == []
    screenshot(page, "mfa-recovery-codes")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the codes as a text file").click()
    saved = tmp_path / "codes.txt"
    download.value.save_as(saved)
    assert all(code in saved.read_text() for code in codes)
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.locator("h1")).not_to_have_text("Save your recovery codes")
    assert page.url == f"{live_server.url}/"
    sign_out(page)

    # Signing in again: the code after the password, then the page asked for.
    password_step(page, live_server, "/admin/")
    expect(page.locator("h1")).to_have_text("Enter the 6-digit code from your authenticator app")
    assert axe_violations(page) == []
    screenshot(page, "mfa-verify")
    page.get_by_label("Code from your authenticator app").fill("12345")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("6-digit code")
    screenshot(page, "mfa-verify-error")
    # The code typed at set-up is used up; the app's next one (one step of drift) is taken.
    page.get_by_label("Code from your authenticator app").fill(code_for(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#site-name, h1").first).to_be_visible()
    assert "Records and settings of" in page.content()
    page.goto(f"{live_server.url}/")
    sign_out(page)

    # Without the phone: a recovery code, once.
    password_step(page, live_server)
    page.get_by_role("link", name="Use a recovery code instead").click()
    expect(page.locator("h1")).to_have_text("Enter a recovery code")
    assert axe_violations(page) == []
    screenshot(page, "mfa-recovery")
    page.get_by_label("Recovery code").fill(codes[0].upper())
    page.get_by_role("button", name="Continue").click()
    assert page.url == f"{live_server.url}/"
    expect(page.get_by_text("Cycle progress").first).to_be_visible()

    # The person's own page: replace is offered, turning off is not (it is required).
    page.get_by_role("link", name="Two-step verification").click()
    expect(page.locator("h1")).to_have_text("Two-step verification")
    expect(page.get_by_text("9 left")).to_be_visible()
    expect(page.get_by_text("Turn off two-step verification")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "mfa-manage")
