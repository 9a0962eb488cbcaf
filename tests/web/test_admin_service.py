"""The admin as part of the service (issue 14): named with the service's name, its lists in the
governance team's words, the portal's admin stylesheet and script on every page, and the
widgets Django leaves unnamed given a name on the server. (The axe-core run over every admin
page is tests/browser/test_admin_accessibility.py.)"""

import pytest
from django.contrib import admin
from django.urls import reverse
from lxml import html as lxml_html

from ics_portal.admin_site import THIRD_PARTY_MODEL_NAMES
from packs.models import BoardPack
from workstreams.models import Workstream

from .. import factories
from .support import admin_url


def test_the_admin_is_named_after_the_service(admin_client, settings):
    settings.SERVICE_NAME = "Plan reporting"
    settings.ORGANISATION_NAME = "North ICS"
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "<title>Records and settings of North ICS | Plan reporting admin</title>" in html
    assert '<a href="/admin/">Plan reporting: admin</a>' in html
    assert "<h1>Records and settings of North ICS</h1>" in html
    assert "Django administration" not in html
    assert "Back to Plan reporting" in html


def test_lists_are_named_in_the_teams_words(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    for shown in (
        "Reminders sent",
        "Board packs",
        "Risk reviews",
        "Background tasks",
        "Authenticator apps",
        "Sets of recovery codes",
        "Sign-in security",
        "Two-step verification: authenticator apps",
        "Roles and permissions",
    ):
        assert shown in html, shown
    for code_name in ("Reminder sents", "Task Results", "Otp_Totp", "Axes", "TOTP devices"):
        assert code_name not in html, code_name


def test_every_third_party_name_is_for_a_registered_model():
    registered = {model._meta.label for model in admin.site._registry}
    assert set(THIRD_PARTY_MODEL_NAMES) <= registered


def test_every_admin_page_loads_the_portal_admin_css_and_script(admin_client, data):
    for path in (
        reverse("admin:index"),
        admin_url(Workstream, "changelist"),
        admin_url(Workstream, "change", data["workstream"].pk),
    ):
        html = admin_client.get(path).content.decode()
        assert 'href="/static/portal/admin.css"' in html, path
        assert 'src="/static/portal/admin.js"' in html, path
        # One colour scheme: Django's dark mode would undo the portal's colours.
        assert "dark_mode.css" not in html, path


def test_fields_in_a_tabular_inline_are_named(admin_client, data):
    html = admin_client.get(admin_url(Workstream, "change", data["workstream"].pk)).content
    html = html.decode()
    # The objectives inline: each box named as its column's heading says.
    assert 'aria-label="Text"' in html
    assert f'aria-label="Delete {data["objective"]}"' in html


def test_a_split_date_and_time_is_named_in_parts(admin_client):
    html = admin_client.get(admin_url(BoardPack, "add")).content.decode()
    assert 'aria-label="Embargo until: date"' in html
    assert 'aria-label="Embargo until: time"' in html


def test_a_many_choice_autocomplete_box_has_no_remove_all_cross(admin_client, data):
    html = admin_client.get(admin_url(Workstream, "change", data["workstream"].pk)).content
    html = html.decode()
    # select2 would put the cross inside its list of choices (a list holds only items).
    leads = html[html.index('name="leads"') : html.index("</select>", html.index('name="leads"'))]
    assert 'data-allow-clear="false"' in leads


def test_the_search_index_filters_name_the_blank_value(client, governance):
    """Objectives and milestones have no workflow state: the admin's filter for it linked an
    empty value with no text (axe: link-name), which a screen reader cannot tell apart."""
    factories.MilestoneFactory(title="Discharge hub open")
    client.force_login(governance)
    response = client.get(
        reverse("admin:reporting_searchdocument_changelist"), {"kind": "milestone"}
    )
    page = lxml_html.fromstring(response.content)
    links = page.xpath('//*[@id="changelist-filter"]//a')
    assert links, "the filters are shown"
    assert all(link.text_content().strip() for link in links)
    assert page.xpath('//*[@id="changelist-filter"]//a[normalize-space()="None"]')


@pytest.mark.parametrize(
    ("model_name", "field_name", "found"),
    [("user", "organisation", "NHS Trust"), ("workstream", "theme", "Digital")],
)
def test_autocomplete_pages_its_choices_in_order(admin_client, model_name, field_name, found):
    """The organisation and theme choices are counted per row (a grouped query, which loses
    the model's ordering): paged unordered, a choice could show twice or never."""
    factories.OrganisationFactory(name="Another NHS Trust")
    factories.ThemeFactory(name="Digital")
    app_label = "ics_portal" if model_name == "user" else "workstreams"
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    assert any(found in row["text"] for row in response.json()["results"])
