"""A list's filters sit in a panel (the filter_panel tag, _components/filter_panel.html) that a
phone folds away so the list comes first (issue 14: the register's filters filled a phone's
first screen). The server draws it open, for wide screens and for browsers without JavaScript,
and its summary says how many filters are applied; static/portal/portal.js folds it on a
phone (tests/browser/test_filter_fold.py)."""

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from .. import factories


def _panel(response):
    page = lxml_html.fromstring(response.content)
    (panel,) = page.xpath("//details[@data-fold-on-phone]")
    return panel


def _summary(panel) -> str:
    return " ".join(panel.xpath("./summary")[0].text_content().split())


@pytest.mark.parametrize(
    ("query", "summary"),
    [
        ({}, "Filter and sort the register"),
        ({"status": "open"}, "Filter and sort the register"),  # the starting value
        ({"sort": "score_asc"}, "Filter and sort the register"),  # sorting is not a filter
        ({"band": "High"}, "Filter and sort the register (1 applied)"),
        ({"status": "all", "band": "High"}, "Filter and sort the register (2 applied)"),
    ],
)
def test_the_register_filters_say_how_many_are_applied(client, board_member, query, summary):
    factories.BAFRiskFactory()
    client.force_login(board_member)
    panel = _panel(client.get(reverse("risks:register"), query))
    assert _summary(panel) == summary
    assert panel.get("open") is not None  # open until a phone's script folds it
    assert panel.get("data-has-errors") is None
    assert panel.xpath(".//form//select[@name='band']")
    assert "app-print-hide" in panel.get("class")


def test_the_cycle_page_filters_fold_the_same_way(client, governance):
    cycle = factories.WorkstreamUpdateFactory().cycle
    client.force_login(governance)
    url = reverse("reporting:cycle_detail", args=[cycle.pk])
    assert _summary(_panel(client.get(url))) == "Filter and sort the updates"
    panel = _panel(client.get(url, {"state": "RETURNED", "sort": "lead"}))
    assert _summary(panel) == "Filter and sort the updates (1 applied)"
    assert panel.xpath(".//form[@id='updates-filter']")


def test_a_filter_that_is_wrong_keeps_the_panel_open_on_a_phone(client, governance):
    client.force_login(governance)
    response = client.get(
        reverse("audit_log"),
        {"date_from_day": "40", "date_from_month": "1", "date_from_year": "2021"},
    )
    panel = _panel(response)
    assert panel.get("data-has-errors") is not None
    assert _summary(panel) == "Filter the audit trail (1 applied)"
    assert "must be a real date" in panel.text_content()
