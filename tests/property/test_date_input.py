"""Whatever is typed into the three boxes of the date input, DateInputField answers with a date
in the portal's range built from exactly the numbers typed (a 4-number year, never one guessed
from 2 numbers or caught half typed), or with a message naming the field; never anything else."""

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ics_portal import dates
from ics_portal.date_input import DateInputField

from .strategies import MONTH_WORDS, TYPED_YEARS, value

box = st.one_of(st.integers(-5, 40000).map(str), st.sampled_from(TYPED_YEARS + MONTH_WORDS), value)


@settings(max_examples=300, deadline=None)
@given(day=box, month=box, year=box)
def test_any_typing_is_a_date_from_those_numbers_or_a_message_naming_the_field(day, month, year):
    field = DateInputField(label="Date of meeting")
    try:
        cleaned = field.clean([day, month, year])
    except ValidationError as error:
        assert error.messages
        for message in error.messages:
            assert message.startswith(("Date of meeting ", "Enter the date of meeting")), message
        return
    assert dates.is_plausible_date(cleaned)
    assert year.strip() == f"{cleaned.year:04d}"
    assert int(day.strip()) == cleaned.day
