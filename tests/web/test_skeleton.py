"""The web skeleton: sign in, navigation by role, home pages, error pages, the nhsuk form pack."""

import re

import pytest
from django import forms
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from reporting.models import WorkstreamUpdate
from tests import factories

pytestmark = pytest.mark.django_db


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


# --- sign in ---------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_page_has_nhs_markup_and_one_heading(client):
    html = client.get(reverse("login")).content.decode()
    assert 'class="nhsuk-skip-link"' in html and 'href="#maincontent"' in html
    assert '<label class="nhsuk-label" for="id_username">Email address</label>' in html
    assert 'class="nhsuk-input"' in html
    assert "nhsuk-header" in html and "nhsuk-footer" in html
    assert "Beta" in html  # the phase banner
    assert h1_count(html) == 1


def test_wrong_password_shows_error_summary_linking_to_the_field(client, lead):
    response = client.post(
        reverse("login"), {"username": lead.email, "password": "not-the-password"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert 'class="nhsuk-error-summary"' in html
    assert "Enter a correct email address and password" in html


def test_a_missing_email_links_the_summary_to_the_field(client):
    html = client.post(reverse("login"), {"username": "", "password": "x"}).content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert 'id="id_username-error"' in html
    assert 'aria-describedby="id_username-error"' in html
    assert "nhsuk-form-group--error" in html


def test_signing_in_and_out(client, lead):
    lead.set_password("a-long-test-password")
    lead.save()
    response = client.post(
        reverse("login"), {"username": lead.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_emails_a_link(client, lead):
    response = client.post(reverse("password_reset"), {"email": lead.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/password-reset/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.nhs.uk"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- navigation by role -----------------------------------------------------------------------


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="nhsuk-header__navigation".*?</nav>', html, re.S)[0]
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'navigation-link"[^>]*>(.*?)</a>', nav)]


def test_navigation_depends_on_the_role(client, lead, governance, board_member):
    client.force_login(lead)
    lead_nav = nav_labels(client.get(reverse("home")).content.decode())
    client.force_login(governance)
    gov_nav = nav_labels(client.get(reverse("home")).content.decode())
    client.force_login(board_member)
    board_nav = nav_labels(client.get(reverse("home")).content.decode())
    assert "Board packs" in gov_nav and "Board packs" not in lead_nav
    assert "Board packs" not in board_nav
    assert "Risks" in board_nav and "Reports" in board_nav
    assert lead_nav[0] == "Home"


def test_the_current_section_is_marked(client, governance):
    client.force_login(governance)
    html = client.get(reverse("risks:register")).content.decode()
    current = re.findall(
        r'<a class="nhsuk-header__navigation-link" href="([^"]+)" aria-current', html
    )
    assert current == [reverse("risks:register")]


# --- home pages ------------------------------------------------------------------------------


def test_lead_home_lists_what_they_owe(client, lead):
    workstream = factories.WorkstreamFactory(name="Primary care networks")
    workstream.leads.add(lead)
    factories.WorkstreamUpdateFactory(workstream=workstream)
    client.force_login(lead)
    html = client.get(reverse("home")).content.decode()
    assert "What I owe" in html
    assert "Primary care networks" in html
    assert "Not started" in html
    assert h1_count(html) == 1


def test_lead_home_says_nothing_yet_without_an_open_cycle(client, lead):
    client.force_login(lead)
    html = client.get(reverse("home")).content.decode()
    assert "What I owe" in html
    assert "Nothing yet" in html


def test_governance_home_shows_cycle_progress_counts(client, governance):
    cycle = factories.ReportingCycleFactory()
    factories.WorkstreamUpdateFactory.create_batch(3, cycle=cycle)
    WorkstreamUpdate.objects.filter(pk=WorkstreamUpdate.objects.first().pk).update(state="DRAFT")
    factories.GoldenThreadUpdateFactory(cycle=cycle)
    client.force_login(governance)
    html = client.get(reverse("home")).content.decode()
    assert "Cycle progress" in html
    assert "Not started: 3 · Draft: 1" in html
    assert "(of 4)" in html


def test_board_home_shows_published_reports(client, board_member):
    client.force_login(board_member)
    html = client.get(reverse("home")).content.decode()
    assert "Published reports" in html
    assert "no board pack has been published" in html
    assert "Cycle progress" not in html


def test_people_without_a_role_are_told_what_to_do(client, outsider):
    client.force_login(outsider)
    html = client.get(reverse("home")).content.decode()
    assert "does not have a role yet" in html


def test_home_query_count_does_not_grow_with_updates(
    client, lead, governance, django_assert_max_num_queries
):
    cycle = factories.ReportingCycleFactory()
    for _ in range(2):
        ws = factories.WorkstreamFactory()
        ws.leads.add(lead, governance)
        factories.WorkstreamUpdateFactory(cycle=cycle, workstream=ws)
    governance.groups.add(*lead.groups.all())

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(governance)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(20):
        ws = factories.WorkstreamFactory()
        ws.leads.add(lead, governance)
        factories.WorkstreamUpdateFactory(cycle=cycle, workstream=ws)
    assert count() == small


# --- errors ----------------------------------------------------------------------------------


def test_unknown_pages_show_the_nhs_404(client, lead):
    client.force_login(lead)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_expired_form_shows_a_clear_message(lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": lead.email, "password": "x"})
    assert response.status_code == 403
    assert "Your page expired" in response.content.decode()


def test_locked_out_after_repeated_failures(client, lead, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": lead.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": lead.email, "password": "wrong"})
    assert response.status_code == 429
    assert "locked out" in response.content.decode()


# --- the nhsuk crispy pack -------------------------------------------------------------------


class ExampleForm(forms.Form):
    name = forms.CharField(help_text="As written in the plan")
    colours = forms.MultipleChoiceField(
        choices=[("r", "Red"), ("g", "Green")], widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
    notes = forms.CharField(widget=forms.Textarea, required=False)


def render_crispy(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def test_the_pack_renders_nhs_markup_for_each_kind_of_field():
    html = render_crispy(ExampleForm())
    assert '<div class="nhsuk-hint" id="id_name-hint">As written in the plan</div>' in html
    assert 'aria-describedby="id_name-hint"' in html
    assert 'class="nhsuk-checkboxes__input" id="id_colours_0"' in html
    assert 'type="checkbox"' in html
    assert 'class="nhsuk-radios__input" id="id_size_0"' in html
    assert 'class="nhsuk-textarea"' in html
    assert "Notes (optional)" in html


def test_the_pack_shows_errors_with_a_summary_at_the_top():
    form = ExampleForm(data={"name": "", "size": "x"})
    html = render_crispy(form)
    summary_at = html.index("nhsuk-error-summary")
    assert summary_at < html.index('id="id_name-group"')
    assert '<a href="#id_name">This field is required.</a>' in html
    assert '<a href="#id_colours_0">This field is required.</a>' in html
    assert "nhsuk-input--error" in html


def test_editor_script_carries_the_csp_nonce(client, governance):
    factories.BAFRiskFactory(reference="07")
    client.force_login(governance)
    response = client.get(reverse("risks:edit", args=["07"]))
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
    assert f'<script type="importmap" nonce="{nonce}">' in response.content.decode()
