"""Issue 14, for everyone: help pages whose words come from the code's enums and the matrix in
force, the feedback route behind the phase banner (kept, emailed, rate-limited), the privacy
notice and the accessibility statement."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from ics_portal.models import Feedback, ReportingCycle
from ics_portal.status import NEEDS_EXPLANATION, DeliveryStatus, WorkflowState
from reporting import help as words
from risks.actions import ensure_default_matrix
from risks.models import BAFRisk, RiskMatrix

HELP_PAGES = ["help:index", "help:good_update", "help:statuses", "help:risk_scores"]


def _text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HELP_PAGES)
def test_help_pages_open_to_everyone_signed_in_or_not(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_footer_links_help_privacy_feedback_and_accessibility(client, db):
    html = client.get(reverse("help:index")).content.decode()
    footer = html[html.index("<footer") :]
    for name in ("help:index", "privacy", "feedback", "accessibility"):
        assert f'href="{reverse(name)}"' in footer, name


def test_statuses_page_names_every_state_and_status_with_its_meaning(client, db):
    text = _text(client.get(reverse("help:statuses")))
    for enum, meanings in (
        (WorkflowState, words.WORKFLOW_MEANINGS),
        (DeliveryStatus, words.DELIVERY_MEANINGS),
        (ReportingCycle.Status, words.CYCLE_MEANINGS),
        (BAFRisk.Status, words.RISK_MEANINGS),
    ):
        for member in enum:
            assert f"{member.label} {meanings[member]}" in text, member


def test_statuses_page_draws_each_state_in_its_palette_colour(client, db):
    html = client.get(reverse("help:statuses")).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Approved</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Delayed</strong>' in html


def test_statuses_needing_an_explanation_are_said_from_the_code(client, db):
    text = _text(client.get(reverse("help:good_update")))
    labels = [s.label for s in DeliveryStatus if s in NEEDS_EXPLANATION]
    assert labels == ["At risk", "Delayed"]
    assert "At risk or Delayed needs an explanation" in text


def test_risk_scores_page_shows_the_bands_of_the_matrix_in_force(client, db):
    ensure_default_matrix()
    matrix = RiskMatrix.objects.create(version=99, name="Test matrix")
    matrix.bands.create(name="Tiny", min_score=1, max_score=5, colour="green")
    matrix.bands.create(name="Huge", min_score=6, max_score=25, colour="red")
    text = _text(client.get(reverse("help:risk_scores")))
    assert "Test matrix (version 99)" in text
    assert "Tiny scores 1 to 5" in text and "Huge scores 6 to 25" in text
    # Likelihood 2 (Unlikely) × consequence 3 (Moderate): the cell says 6, Huge.
    html = client.get(reverse("help:risk_scores")).content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", html, re.S)
    unlikely = next(r for r in rows if "Unlikely" in r)
    cells = re.findall(r'risk-heat-map__band">([^<]+)<', unlikely)
    assert cells == ["2 Tiny", "4 Tiny", "6 Huge", "8 Huge", "10 Huge"]


def test_risk_scores_page_costs_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries
):
    ensure_default_matrix()
    with django_assert_max_num_queries(4):
        client.get(reverse("help:risk_scores"))


def test_forms_link_to_their_help(db):
    from pathlib import Path

    from django.conf import settings

    for template, help_name in (
        ("reporting/update_form.html", "help:good_update"),
        ("reporting/update_review.html", "help:statuses"),
        ("risks/review.html", "help:risk_scores"),
        ("risks/risk_form.html", "help:risk_scores"),
    ):
        source = Path(settings.BASE_DIR, "templates", template).read_text()
        assert f"{{% url '{help_name}' as help_url %}}" in source, template
        assert "_components/help_link.html" in source, template


# --- feedback --------------------------------------------------------------------------------


def test_phase_banner_links_to_feedback_from_the_page(client, db):
    html = client.get(reverse("help:statuses")).content.decode()
    assert f'href="{reverse("feedback")}?from=/help/statuses/"' in html


def test_feedback_form_carries_the_page_it_came_from(client, db):
    html = client.get(reverse("feedback") + "?from=/risks/07/").content.decode()
    assert 'value="/risks/07/"' in html


def test_feedback_from_another_site_is_not_carried(client, db):
    html = client.get(reverse("feedback") + "?from=//evil.example/").content.decode()
    assert "evil.example" not in html


def _send(client, **fields):
    data = {"trying_to_do": "Submit my update", "what_happened": "The button did nothing"}
    return client.post(reverse("feedback"), data | fields)


def test_anonymous_feedback_is_kept_and_confirmed(client, db):
    response = _send(client, email="pat@example.nhs.uk", page="/reporting/my-updates/")
    assert response.status_code == 302 and response["Location"] == reverse("feedback_sent")
    feedback = Feedback.objects.get()
    assert feedback.trying_to_do == "Submit my update"
    assert feedback.what_happened == "The button did nothing"
    assert feedback.email == "pat@example.nhs.uk"
    assert feedback.page == "/reporting/my-updates/"
    assert feedback.person is None
    assert feedback.ip_address == "127.0.0.1"
    assert "Feedback sent" in client.get(response["Location"]).content.decode()


def test_signed_in_feedback_names_the_person(client, lead):
    client.force_login(lead)
    _send(client)
    assert Feedback.objects.get().person == lead


def test_feedback_is_emailed_to_the_service_team_when_set(
    client, db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_EMAIL = "team@example.nhs.uk"
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    assert [m.to for m in mailoutbox] == [["team@example.nhs.uk"]]
    assert "The button did nothing" in mailoutbox[0].body


def test_no_email_without_a_feedback_address(
    client, db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_EMAIL = ""
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    assert mailoutbox == [] and Feedback.objects.count() == 1


def test_empty_feedback_names_the_fields_and_keeps_nothing(client, db):
    response = client.post(reverse("feedback"), {"trying_to_do": "", "what_happened": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_trying_to_do">Enter what you were trying to do</a>' in html
    assert '<a href="#id_what_happened">Enter what happened</a>' in html
    assert "<title>Error: " in html
    assert Feedback.objects.count() == 0


def test_a_bad_email_is_explained_and_what_was_typed_stays(client, db):
    response = _send(client, email="not-an-address")
    html = response.content.decode()
    assert "Enter an email address in the correct format, like name@example.nhs.uk" in html
    assert "The button did nothing" in html
    assert Feedback.objects.count() == 0


def test_feedback_is_rate_limited_per_address_keeping_the_text(client, db, settings):
    settings.FEEDBACK_ADDRESS_LIMIT = 2
    assert _send(client).status_code == 302
    assert _send(client).status_code == 302
    response = _send(client, what_happened="Third time")
    assert response.status_code == 429
    html = response.content.decode()
    assert "sent a lot of feedback in the last hour" in html
    assert "Third time" in html
    assert Feedback.objects.count() == 2


def test_feedback_needs_the_csrf_token(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = _send(strict)
    assert response.status_code == 403
    assert Feedback.objects.count() == 0


def test_feedback_admin_list_is_named_feedback(client, governance):
    client.force_login(governance)
    Feedback.objects.create(trying_to_do="Find a report", what_happened="Could not")
    html = client.get(reverse("admin:ics_portal_feedback_changelist")).content.decode()
    assert "Feedback" in html and "Find a report" in html
    assert "Add feedback" not in html


# --- privacy notice and accessibility statement ----------------------------------------------


def test_privacy_notice_names_the_controller_basis_data_and_retention(client, db, settings):
    settings.ORGANISATION_NAME = "Cambridgeshire and Peterborough ICS"
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SESSION_IDLE_TIMEOUT = 30
    text = _text(client.get(reverse("privacy")))
    assert "The data controller is Cambridgeshire and Peterborough ICS" in text
    assert "public task" in text
    for held in ("name", "work email address", "roles", "IP address", "session"):
        assert held in text, held
    assert "after 8 hours, or after 30 minutes without use" in text
    assert "The audit trail is permanent" in text


def test_accessibility_statement_has_the_regulations_parts(client, db):
    text = _text(client.get(reverse("accessibility")))
    for part in (
        "This service is fully compliant with the Web Content Accessibility Guidelines version 2.2 AA standard",
        "Non-accessible content",
        "Feedback and contact information",
        "Enforcement procedure",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Advisory and Support Service (EASS)",
        "This statement was prepared on 7 December 2026",
        "last reviewed on 7 December 2026",
        "axe-core",
        "WCAG 2.2 A and AA",
        "not yet been audited by an independent specialist",
    ):
        assert part in text, part
    # The browser's date-and-time picker was the last known failure; it is gone.
    assert "browser's own" not in text
