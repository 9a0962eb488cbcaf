"""Each demo role signs in through the real sign-in page and lands on its own home page."""

import pytest
from playwright.sync_api import expect

from .conftest import sign_in


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("demo.lead@example.nhs.uk", "What I owe"),
        ("demo.governance@example.nhs.uk", "Cycle progress"),
        ("demo.board@example.nhs.uk", "Published reports"),
    ],
)
def test_demo_role_signs_in_and_sees_home(
    demo_data, live_server, page, screenshot, email, expected
):
    sign_in(page, live_server, email)
    assert page.locator("h1").count() == 1
    expect(page.get_by_text(expected, exact=False).first).to_be_visible()
    screenshot(page, f"home-{email.split('@')[0].replace('.', '-')}")


def test_wrong_password_shows_error_summary(demo_data, live_server, page, screenshot):
    sign_in(page, live_server, "demo.lead@example.nhs.uk", password="not-the-password")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    assert "There is a problem" in summary.inner_text()
    screenshot(page, "sign-in-error")
