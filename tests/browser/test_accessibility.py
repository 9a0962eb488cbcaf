"""axe-core (WCAG 2.2 A/AA rules) on the portal's main pages, as each role sees them, with
the demo data loaded. A violation fails the test with the rule and the elements."""

import pytest
from django.urls import reverse

from ics_portal.models import ReportingCycle
from reporting.models import WorkstreamUpdate

from .conftest import axe_violations, sign_in


def check(page, url: str, screenshot, name: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    screenshot(page, f"a11y-{name}")
    return [f"{name}: {v}" for v in axe_violations(page)]


def test_public_pages(demo_data, live_server, page, screenshot):
    found = []
    for name, path in [
        ("sign-in", reverse("login")),
        ("password-reset", reverse("password_reset")),
        ("reports-public", reverse("packs:published_list")),
        ("accessibility", reverse("accessibility")),
    ]:
        found += check(page, live_server.url + path, screenshot, name)
    assert found == []


def test_sign_in_error_page(demo_data, live_server, page):
    sign_in(page, live_server, "demo.lead@example.nhs.uk", password="wrong-password")
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    ("who", "pages"),
    [
        (
            "lead",
            [
                ("home", "home", []),
                ("my-updates", "reporting:my_updates", []),
                ("risk-register", "risks:register", []),
                ("risk-reviews", "risks:reviews", []),
            ],
        ),
        (
            "governance",
            [
                ("home", "home", []),
                ("cycles", "reporting:cycle_list", []),
                ("heat-map", "risks:heat_map", []),
                ("risk-07", "risks:detail", ["07"]),
                ("risk-07-edit", "risks:edit", ["07"]),
                ("packs", "packs:list", []),
                ("pack-new", "packs:create", []),
            ],
        ),
        ("board", [("home", "home", []), ("reports", "packs:published_list", [])]),
    ],
)
def test_pages_by_role(demo_data, live_server, page, screenshot, who, pages):
    sign_in(page, live_server, f"demo.{who}@example.nhs.uk")
    found = []
    if who == "lead":
        update = WorkstreamUpdate.objects.filter(
            cycle__status="OPEN", workstream__leads__email="demo.lead@example.nhs.uk"
        ).first()
        pages = [*pages, ("update-edit", "reporting:update_edit", ["workstream", update.pk])]
    if who == "governance":
        cycle = ReportingCycle.objects.get(status="OPEN")
        pages = [*pages, ("cycle-progress", "reporting:cycle_detail", [cycle.pk])]
    for name, url_name, args in pages:
        found += check(
            page, live_server.url + reverse(url_name, args=args), screenshot, f"{who}-{name}"
        )
    assert found == []
