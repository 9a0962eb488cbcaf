"""The NHS.UK date input (ics_portal.date_input.DateInputField and templates/nhsuk/date_input.html):
a date is typed as day, month and year, checked on the server in the service manual's words
naming the field, and shown again exactly as typed when it is refused."""

import datetime

import pytest
from django import forms
from django.template import Context, Template
from lxml import html as lxml_html

from ics_portal.date_input import DateInputField

from ..dates import date_fields

RANGE = "between 1 April 2000 and 31 March 2101"


class MeetingForm(forms.Form):
    date_of_meeting = DateInputField(label="Date of meeting")
    review_on = DateInputField(label="Next review date", required=False, help_text="Optional.")


def _form(typed=("15", "3", "2024"), review=("", "", "")) -> MeetingForm:
    return MeetingForm(
        {**date_fields("date_of_meeting", typed), **date_fields("review_on", review)}
    )


def _errors(typed) -> list[str]:
    form = _form(typed)
    assert not form.is_valid()
    return form.errors["date_of_meeting"]


# --- what is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (("15", "3", "2024"), datetime.date(2024, 3, 15)),
        (("05", "03", "2024"), datetime.date(2024, 3, 5)),
        ((" 1 ", " 4 ", " 2000 "), datetime.date(2000, 4, 1)),
        (("29", "2", "2024"), datetime.date(2024, 2, 29)),
        (("15", "March", "2024"), datetime.date(2024, 3, 15)),
        (("30", "Sept", "2021"), datetime.date(2021, 9, 30)),
        (("31", "3", "2101"), datetime.date(2101, 3, 31)),
    ],
)
def test_a_typed_date_is_read(typed, expected):
    form = _form(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_meeting"] == expected


def test_an_optional_date_left_blank_is_no_date():
    form = _form(review=("", "", ""))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["review_on"] is None


def test_a_required_date_left_blank_says_enter_it():
    assert _errors(("", "", "")) == ["Enter the date of meeting"]


def test_a_form_may_word_the_required_message_itself():
    field = DateInputField(label="Date", error_messages={"required": "Enter the date to submit by"})
    with pytest.raises(forms.ValidationError, match="Enter the date to submit by"):
        field.clean(["", "", ""])


# --- what is refused, and why -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("15", "", "2024"), "Date of meeting must include a month"),
        (("", "3", "2024"), "Date of meeting must include a day"),
        (("15", "3", ""), "Date of meeting must include a year"),
        (("", "", "2024"), "Date of meeting must include a day and a month"),
    ],
)
def test_a_partly_typed_date_says_what_is_missing(typed, message):
    assert _errors(typed) == [message]


def test_an_optional_date_partly_typed_is_an_error_not_no_date():
    form = _form(review=("15", "3", ""))
    assert not form.is_valid()
    assert form.errors["review_on"] == ["Next review date must include a year"]


@pytest.mark.parametrize(
    "typed",
    [
        ("31", "2", "2024"),
        ("29", "2", "2023"),
        ("31", "4", "2024"),
        ("32", "1", "2024"),
        ("15", "13", "2024"),
        ("0", "1", "2024"),
        ("x", "3", "2024"),
        ("15", "Febuary", "2024"),
        ("1.5", "3", "2024"),
        ("15", "3", "20x4"),
    ],
)
def test_a_date_that_cannot_be_is_not_a_real_date(typed):
    assert _errors(typed) == ["Date of meeting must be a real date"]


@pytest.mark.parametrize("year", ["22", "24", "3", "202", "32022"])
def test_a_year_without_4_numbers_is_refused_not_guessed(year):
    # 15/3/22 typed the UK way is never year 22, 2022 or 32022 by guesswork.
    assert _errors(("15", "3", year)) == [
        "Date of meeting must include a year with 4 numbers, like 2024"
    ]


@pytest.mark.parametrize(
    "typed", [("3", "3", "0003"), ("31", "3", "2000"), ("1", "4", "2101"), ("1", "1", "0000")]
)
def test_a_date_outside_the_range_is_refused(typed):
    assert _errors(typed) == [f"Date of meeting must be {RANGE}"]


def test_a_whole_iso_date_from_a_page_opened_before_the_date_input_is_read():
    # Such a page's autosave posts one ISO date; it must not clear the date.
    form = MeetingForm({"date_of_meeting": "2024-03-15"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_meeting"] == datetime.date(2024, 3, 15)


# --- how it looks -----------------------------------------------------------------------------


def _render(form) -> lxml_html.HtmlElement:
    template = Template(
        '{% load crispy_forms_tags %}{% include "_components/error_summary.html" %}'
        "{{ form.date_of_meeting|as_crispy_field }}{{ form.review_on|as_crispy_field }}"
    )
    return lxml_html.fromstring(f"<div>{template.render(Context({'form': form}))}</div>")


def _boxes(page, name) -> list:
    return page.xpath(f"//input[starts-with(@name, '{name}_')]")


def test_it_is_drawn_as_the_nhs_date_input():
    form = MeetingForm(initial={"date_of_meeting": datetime.date(2024, 3, 5)})
    page = _render(form)
    group = page.get_element_by_id("id_date_of_meeting-group")
    fieldset = group.find(".//fieldset")
    assert fieldset.get("role") == "group"
    assert fieldset.get("aria-describedby") == "id_date_of_meeting-hint"
    assert fieldset.find("legend").text_content().strip() == "Date of meeting"
    assert page.get_element_by_id("id_date_of_meeting-hint").text_content() == (
        "For example, 15 3 2024"
    )
    assert "nhsuk-date-input" in page.get_element_by_id("id_date_of_meeting").classes
    boxes = _boxes(page, "date_of_meeting")
    assert [b.get("name") for b in boxes] == [
        "date_of_meeting_day",
        "date_of_meeting_month",
        "date_of_meeting_year",
    ]
    assert [b.get("id") for b in boxes] == [
        "id_date_of_meeting_day",
        "id_date_of_meeting_month",
        "id_date_of_meeting_year",
    ]
    assert [b.get("value") for b in boxes] == ["5", "3", "2024"]
    for box, width in zip(boxes, ["2", "2", "4"], strict=True):
        assert box.get("type") == "text"
        assert box.get("inputmode") == "numeric"
        assert box.get("autocomplete") is None  # not a birthday: no bday-* autofill
        assert {"nhsuk-input", "nhsuk-date-input__input", f"nhsuk-input--width-{width}"} <= set(
            box.classes
        )
        label = page.xpath(f"//label[@for='{box.get('id')}']")[0]
        assert label.text_content() in ("Day", "Month", "Year")
    assert not page.xpath("//*[contains(@class, 'error')]")
    # An optional date says so, and keeps its own hint before the example.
    review = page.get_element_by_id("id_review_on-group")
    assert review.find(".//legend").text_content().strip() == "Next review date (optional)"
    assert page.get_element_by_id("id_review_on-hint").text_content() == (
        "Optional.For example, 15 3 2024"
    )


def test_a_missing_month_marks_only_the_month_and_the_summary_links_to_it():
    form = _form(("15", "", "2024"))
    form.is_valid()
    page = _render(form)
    group = page.get_element_by_id("id_date_of_meeting-group")
    assert "nhsuk-form-group--error" in group.classes
    assert group.find(".//fieldset").get("aria-describedby") == (
        "id_date_of_meeting-hint id_date_of_meeting-error"
    )
    error = page.get_element_by_id("id_date_of_meeting-error")
    assert error.text_content() == "Error: Date of meeting must include a month"
    marked = [
        b.get("name") for b in _boxes(page, "date_of_meeting") if "nhsuk-input--error" in b.classes
    ]
    assert marked == ["date_of_meeting_month"]
    link = page.xpath("//div[@class='nhsuk-error-summary']//a")[0]
    assert link.get("href") == "#id_date_of_meeting_month"
    assert link.text_content() == "Date of meeting must include a month"


@pytest.mark.parametrize(
    "typed", [("", "", ""), ("3", "3", "0003")], ids=["nothing typed", "out of range"]
)
def test_an_error_about_the_whole_date_marks_all_three_and_links_to_the_day(typed):
    form = _form(typed)
    form.is_valid()
    page = _render(form)
    assert all("nhsuk-input--error" in b.classes for b in _boxes(page, "date_of_meeting"))
    link = page.xpath("//div[@class='nhsuk-error-summary']//a")[0]
    assert link.get("href") == "#id_date_of_meeting_day"
    assert page.xpath("//*[@id='id_date_of_meeting_day']")


def test_an_error_the_form_adds_marks_the_whole_date():
    form = _form()
    form.is_valid()
    form.add_error("date_of_meeting", "The meeting must be after the deadline")
    page = _render(form)
    assert all("nhsuk-input--error" in b.classes for b in _boxes(page, "date_of_meeting"))


def test_what_was_typed_is_shown_again_unchanged():
    form = _form(("31", "Feb", "22"), review=("07", "", "2024"))
    assert not form.is_valid()
    page = _render(form)
    assert [b.get("value") for b in _boxes(page, "date_of_meeting")] == ["31", "Feb", "22"]
    assert [b.get("value") for b in _boxes(page, "review_on")] == ["07", "", "2024"]
    # Only the year was wrong (2 numbers); only the month was missing.
    marked = [b.get("name") for b in page.xpath("//input") if "nhsuk-input--error" in b.classes]
    assert marked == ["date_of_meeting_year", "review_on_month"]
