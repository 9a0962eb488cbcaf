"""The board pack's "Public from" is asked for with the NHS.UK date input and a time box
(ics_portal.date_input.DateTimeInputField): it used the browser's date-and-time picker, which
showed month/day/year in some browsers."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from ics_portal.date_input import DateTimeInputField, parse_time
from packs.models import BoardPack

from .. import factories
from ..dates import date_time_fields
from .test_input_bounds import pack_data

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _create(client, governance, embargo: dict):
    cycle = factories.ReportingCycleFactory()
    client.force_login(governance)
    return client.post(reverse("packs:create"), {**pack_data(cycle), **embargo})


# --- the form as drawn --------------------------------------------------------------------------


def test_the_pack_form_asks_for_public_from_as_day_month_year_and_time(client, governance):
    factories.ReportingCycleFactory()
    client.force_login(governance)
    page = lxml_html.fromstring(client.get(reverse("packs:create")).content)
    assert not page.xpath('//input[@type="datetime-local"]')
    legend = page.xpath('//fieldset[.//input[@name="embargo_until_day"]]/legend')[0]
    assert legend.text_content().strip() == "Public from (optional)"
    labels = [
        page.xpath(f'//label[@for="id_embargo_until_{part}"]')[0].text_content().strip()
        for part in ("day", "month", "year", "time")
    ]
    assert labels == ["Day", "Month", "Year", "Time"]
    hint = page.xpath('//*[@id="id_embargo_until-hint"]')[0].text_content()
    assert "For example, 15 3 2024 and 9am or 14:30" in hint
    assert "the time blank for 9am" in hint
    time_box = page.xpath('//input[@name="embargo_until_time"]')[0]
    assert time_box.get("inputmode") is None  # "9:30am" needs letters
    assert page.xpath('//input[@name="embargo_until_day"]')[0].get("inputmode") == "numeric"


def test_the_edit_page_shows_the_stored_time_in_uk_time(client, governance):
    # 08:30 UTC in June is 9:30am in London.
    pack = factories.BoardPackFactory(
        visibility=BoardPack.Visibility.PUBLIC,
        embargo_until=datetime.datetime(2022, 6, 20, 8, 30, tzinfo=datetime.UTC),
    )
    client.force_login(governance)
    page = lxml_html.fromstring(client.get(reverse("packs:edit", args=[pack.pk])).content)
    typed = [
        page.xpath(f'//input[@name="embargo_until_{part}"]')[0].get("value")
        for part in ("day", "month", "year", "time")
    ]
    assert typed == ["20", "6", "2022", "09:30"]


# --- what is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:00", datetime.time(9, 0)),
        ("09:30", datetime.time(9, 30)),
        ("14:30", datetime.time(14, 30)),
        ("9am", datetime.time(9, 0)),
        ("9.30am", datetime.time(9, 30)),
        ("2:30 PM", datetime.time(14, 30)),
        ("12pm", datetime.time(12, 0)),
        ("12am", datetime.time(0, 0)),
        ("noon", datetime.time(12, 0)),
        ("Midday", datetime.time(12, 0)),
        ("", datetime.time(9, 0)),  # the hint says a blank time is 9am
    ],
)
def test_a_typed_public_from_is_saved_in_uk_time(client, governance, typed, expected):
    response = _create(client, governance, date_time_fields("embargo_until", "2021-10-20", typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    embargo = BoardPack.objects.get().embargo_until
    assert embargo.astimezone(LONDON).replace(tzinfo=None) == datetime.datetime.combine(
        datetime.date(2021, 10, 20), expected
    )


def test_public_from_left_blank_is_9am_a_week_before_the_meeting(client, governance):
    response = _create(client, governance, date_time_fields("embargo_until", ""))
    assert response.status_code == 302
    embargo = BoardPack.objects.get().embargo_until.astimezone(LONDON)
    assert embargo.replace(tzinfo=None) == datetime.datetime(2021, 10, 20, 9, 0)


def test_a_page_opened_before_the_change_still_posts_a_usable_time(client, governance):
    response = _create(client, governance, {"embargo_until": "2021-10-20T10:15"})
    assert response.status_code == 302
    embargo = BoardPack.objects.get().embargo_until.astimezone(LONDON)
    assert embargo.replace(tzinfo=None) == datetime.datetime(2021, 10, 20, 10, 15)


# --- what is refused, and why ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["25:00", "9:75", "13pm", "0am", "soon", "9:5", "930"])
def test_a_time_that_is_not_one_is_refused_and_kept_as_typed(client, governance, typed):
    response = _create(client, governance, date_time_fields("embargo_until", "2021-10-20", typed))
    assert response.status_code == 200
    assert not BoardPack.objects.exists()
    page = lxml_html.fromstring(response.content)
    message = "Public from must be a real time, like 9:30am or 14:30"
    assert message in page.xpath('//*[@id="id_embargo_until-error"]')[0].text_content()
    # The summary links to the box that is wrong, and only that box is marked.
    link = page.xpath(f'//*[contains(@class, "nhsuk-error-summary")]//a[text()="{message}"]')
    assert link[0].get("href") == "#id_embargo_until_time"
    marked = page.xpath('//input[contains(@class, "nhsuk-input--error")]/@name')
    assert marked == ["embargo_until_time"]
    assert page.xpath('//input[@name="embargo_until_time"]')[0].get("value") == typed
    assert page.xpath('//input[@name="embargo_until_day"]')[0].get("value") == "20"


def test_a_time_without_a_date_asks_for_the_date(client, governance):
    response = _create(client, governance, date_time_fields("embargo_until", ("", "", ""), "14:30"))
    assert response.status_code == 200
    assert "Public from must include a day, a month and a year" in response.content.decode()
    assert not BoardPack.objects.exists()


def test_a_part_typed_date_names_the_missing_part(client, governance):
    response = _create(
        client, governance, date_time_fields("embargo_until", ("20", "", "2021"), "9am")
    )
    assert "Public from must include a month" in response.content.decode()
    assert not BoardPack.objects.exists()


@pytest.mark.parametrize("day", [("31", "12", "1999"), ("1", "4", "2101")])
def test_public_from_outside_the_range_is_refused(client, governance, day):
    response = _create(client, governance, date_time_fields("embargo_until", day, "9am"))
    assert "Public from must be between 1 April 2000 and 31 March 2101" in (
        response.content.decode()
    )
    assert not BoardPack.objects.exists()


def test_an_unchanged_time_is_not_a_change():
    field = DateTimeInputField(label="Public from", required=False)
    stored = datetime.datetime(2021, 10, 20, 8, 0, tzinfo=datetime.UTC)  # 9am BST
    assert not field.has_changed(stored, ["20", "10", "2021", "9:00am"])
    assert field.has_changed(stored, ["20", "10", "2021", "10:00"])


@pytest.mark.parametrize("text", ["24:00", "12:60", "13am", "", "9 30", "-1"])
def test_parse_time_refuses_what_is_not_a_time(text):
    assert parse_time(text) is None
