"""The NHS.UK date input: a date typed as day, month and year in three text boxes, and, where
a time matters too (when a public board pack becomes readable), a fourth box for the time.

The portal's own pages ask for every date with these fields; the crispy `nhsuk` pack draws
them (templates/nhsuk/date_input.html). The range a date must fall in, and the model fields,
are ics_portal/dates.py's; the admin keeps Django's own date and time widgets.
"""

import calendar
import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .dates import DateRangeValidator, date_message, field_what, is_plausible_date

DATE_PARTS = ("day", "month", "year")
DATE_EXAMPLE = "For example, 15 3 2024"
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DIGITS = re.compile(r"[0-9]{1,6}")


class DateInputWidget(forms.MultiWidget):
    """The three boxes of the NHS.UK date input, posted as <name>_day, <name>_month and
    <name>_year. The crispy `nhsuk` pack draws it (templates/nhsuk/date_input.html)."""

    parts = DATE_PARTS
    example = DATE_EXAMPLE

    def __init__(self, attrs=None):
        boxes = {
            part: forms.TextInput(attrs={"inputmode": "numeric"} if part in DATE_PARTS else {})
            for part in self.parts
        }
        super().__init__(boxes, attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            value = _parse_text(value)
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if all(part is None for part in parts) and name in data:
            # A page opened before the date input came posts one date (as type="date" did),
            # and its autosave would otherwise clear the date; a link kept from then filters
            # by it. DateInputField reads it.
            return data.get(name)
        return parts

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


def _parse_text(text: str) -> date | None:
    """A date posted whole: ISO (as type="date" sent it) or 31/03/2026."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _number(text: str) -> int | None:
    return int(text) if _DIGITS.fullmatch(text) else None


def _month(text: str) -> int | None:
    """12, 03, "March", "mar" or "Sept"."""
    number = _number(text)
    if number is not None:
        return number
    word = text.lower().rstrip(".")
    for index, name in enumerate(_MONTH_NAMES, start=1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _typed(value, count: int) -> list[str]:
    """The boxes' texts, stripped, as many as the input has (a short post counts as blank)."""
    texts = [str(part if part is not None else "").strip() for part in value][:count]
    return texts + [""] * (count - len(texts))


def _date_error(message: str, code: str, parts=DATE_PARTS) -> ValidationError:
    # params["parts"] says which boxes are wrong, so only those are marked; the message has
    # no placeholders, so the params never change its words.
    return ValidationError(message, code=code, params={"parts": list(parts)})


class DateInputField(forms.DateField):
    """A date typed as day, month and year (the NHS.UK date input), checked on the server in
    the service manual's words, each naming the field: "Enter the date of update", "Date of
    meeting must include a month", "... must be a real date", "... must include a year with
    4 numbers" (so 15 3 22 is never year 22 or 2022 by guesswork), and the range ("... must
    be between 1 April 2000 and 31 March 2101"). All three boxes blank is no date; partly
    filled is an error. What was typed is shown again unchanged beside the message."""

    widget = DateInputWidget

    def __init__(self, *, what: str | None = None, **kwargs):
        kwargs.pop("input_formats", None)
        super().__init__(**kwargs)
        self.what = what

    @property
    def what_text(self) -> str:
        """How messages name the field: `what`, else its label as it is now (a form may
        reword it: "Date the owner has until")."""
        return field_what(self.what, self.label)

    def _required_message(self) -> str:
        message = self.error_messages["required"]
        if message != forms.Field.default_error_messages["required"]:
            return str(message)
        what = self.what_text
        return f"Enter the {what[:1].lower()}{what[1:]}"

    def to_python(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            day = _parse_text(value)
            if day is None:
                raise _date_error(f"{self.what_text} must be a real date", "invalid")
            return day
        texts = _typed(value, 3)
        if not any(texts):
            return None
        what = self.what_text
        missing = [part for part, text in zip(DATE_PARTS, texts, strict=True) if not text]
        if missing:
            raise _date_error(
                f"{what} must include a {' and a '.join(missing)}", "incomplete", missing
            )
        day, month, year = _number(texts[0]), _month(texts[1]), _number(texts[2])
        wrong = [
            part
            for part, ok in zip(
                DATE_PARTS,
                (
                    day is not None and 1 <= day <= 31,
                    month is not None and 1 <= month <= 12,
                    year is not None,
                ),
                strict=True,
            )
            if not ok
        ]
        if wrong:
            raise _date_error(f"{what} must be a real date", "invalid", wrong)
        if len(texts[2]) != 4:
            raise _date_error(
                f"{what} must include a year with 4 numbers, like 2024", "short_year", ["year"]
            )
        if year < 1:  # before the calendar begins, so out of range
            raise _date_error(date_message(what), DateRangeValidator.code)
        if day > calendar.monthrange(year, month)[1]:
            raise _date_error(f"{what} must be a real date", "invalid", ["day"])
        return date(year, month, day)

    def validate(self, value):
        if value in self.empty_values:
            if self.required:
                raise _date_error(self._required_message(), "required")
            return
        if not is_plausible_date(value):
            raise _date_error(date_message(self.what_text), DateRangeValidator.code)


# --- a date and a time ------------------------------------------------------------------------

DATE_TIME_PARTS = (*DATE_PARTS, "time")
DATE_TIME_EXAMPLE = "For example, 15 3 2024 and 9am or 14:30"
# 9, 9am, 9.30am, 9:30 am, 09:30, 14:30, 2:30pm (the NHS.UK style guide writes 9:30am).
_TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2}))?\s*(?P<half>[ap]\.?m\.?)?")
_TIME_WORDS = {"midday": time(12, 0), "noon": time(12, 0), "midnight": time(0, 0)}


def parse_time(text: str) -> time | None:
    """The time a person typed, or None if it is not one."""
    text = text.strip().lower()
    if text in _TIME_WORDS:
        return _TIME_WORDS[text]
    match = _TIME.fullmatch(text)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class DateTimeInputWidget(DateInputWidget):
    """The date input's three boxes and a fourth for the time, posted as <name>_time."""

    parts = DATE_TIME_PARTS
    example = DATE_TIME_EXAMPLE

    def decompress(self, value):
        if isinstance(value, str):
            value = _parse_date_time(value)
        if isinstance(value, datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return [*super().decompress(value.date()), f"{value:%H:%M}"]
        return [*super().decompress(value), None]


def _parse_date_time(text: str) -> datetime | None:
    """A date and time posted whole, as type="datetime-local" sent it (2021-10-20T09:00)."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


class DateTimeInputField(DateInputField):
    """A date typed as day, month and year, and a time ("9am", "9:30am", "14:30"), as one
    aware datetime in the portal's time zone. A date with the time left blank is at
    `default_time` (the hint says so); a time with no date asks for the date."""

    widget = DateTimeInputWidget

    def __init__(self, *, default_time: time = time(9, 0), **kwargs):
        super().__init__(**kwargs)
        self.default_time = default_time

    def to_python(self, value):
        if isinstance(value, datetime):
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            moment = _parse_date_time(value)
            if moment is None:
                raise _date_error(f"{self.what_text} must be a real date", "invalid")
            return self._aware(moment)
        texts = _typed(value, 4)
        day = super().to_python(texts[:3])
        if day is None:
            if texts[3]:
                raise _date_error(
                    f"{self.what_text} must include a day, a month and a year",
                    "incomplete",
                    DATE_PARTS,
                )
            return None
        if not texts[3]:
            return self._aware(datetime.combine(day, self.default_time))
        at = parse_time(texts[3])
        if at is None:
            raise _date_error(
                f"{self.what_text} must be a real time, like 9:30am or 14:30", "time", ["time"]
            )
        return self._aware(datetime.combine(day, at))

    @staticmethod
    def _aware(moment: datetime) -> datetime:
        if timezone.is_naive(moment):
            try:
                return timezone.make_aware(moment)
            except (OverflowError, ValueError):
                return moment  # out of range either way; validate() says so
        return moment
