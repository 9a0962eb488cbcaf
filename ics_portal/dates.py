"""The years and dates the portal accepts: the one place for each bound.

Financial years run from settings.PORTAL_FIRST_YEAR to settings.PORTAL_LAST_YEAR (2000/01 to
2100/01 unless the environment says otherwise), so a date must fall between 1 April of the
first year and 31 March after the last. Anything outside is a typo, not a plan: a year of
99999, or 0003-03-03 sent by a date input caught half way through typing 2023. Stored, such a
value made the period and deadline arithmetic overflow on every page that showed it.

Milestones' delivery-by and revised dates are held to the same span, which is the plan's: a
plan names milestones years ahead of the reporting cycles that exist ("Delivery by 2025/26"
before any 2025/26 cycle is opened), so the cycles' span would refuse real plans.

Models use `FinancialYearField`, `PlanDateField` and `PlanDateTimeField`; the portal's own
pages ask for dates and times with the NHS.UK date input (ics_portal/date_input.py); the
admin keeps `BoundedDateField` and `BoundedDateTimeField` with its own widgets; the import
parser uses `check_date`. The validators read the settings each time they run, so
changing the range needs no migration.
"""

from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.text import capfirst


def first_year() -> int:
    """The first financial year accepted, by the year it starts (2000 for 2000/01)."""
    return settings.PORTAL_FIRST_YEAR


def last_year() -> int:
    return settings.PORTAL_LAST_YEAR


def earliest() -> date:
    """The first day of the first financial year."""
    return date(first_year(), 4, 1)


def latest() -> date:
    """The last day of the last financial year."""
    return date(last_year() + 1, 3, 31)


def long_date(day: date) -> str:
    """ "1 April 2000", as the NHS.UK style guide writes dates."""
    return f"{day.day} {day:%B} {day.year}"


def range_text() -> str:
    """ "between 1 April 2000 and 31 March 2101"."""
    return f"between {long_date(earliest())} and {long_date(latest())}"


def year_message() -> str:
    return f"Enter a financial year between {first_year()} and {last_year()}"


def is_plausible_year(year: int) -> bool:
    return first_year() <= year <= last_year()


def is_plausible_date(value: date) -> bool:
    """Whether a date (or the local date of a datetime) is in the range."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            try:
                value = timezone.localtime(value)
            except (OverflowError, ValueError):  # within hours of year 1 or 9999
                return False
        value = value.date()
    return earliest() <= value <= latest()


def date_message(what: str = "Date") -> str:
    """ "Revised date must be between 1 April 2000 and 31 March 2101"."""
    return f"{what} must be {range_text()}"


def check_date(value: date, text: str) -> date:
    """`value` if it is in the range; otherwise ValueError saying so, quoting `text` as the
    person wrote it (for the import parser's row messages)."""
    if not is_plausible_date(value):
        raise ValueError(f'"{text}" is not {range_text()}')
    return value


# --- validators -------------------------------------------------------------------------------


@deconstructible
class FinancialYearValidator:
    code = "year_out_of_range"

    def __call__(self, value):
        if value is not None and not is_plausible_year(value):
            raise ValidationError(year_message(), code=self.code)

    def __eq__(self, other):
        return isinstance(other, FinancialYearValidator)


@deconstructible
class DateRangeValidator:
    """Refuses a date (or datetime) outside the range, naming the field: "Revised date must
    be between ..."."""

    code = "date_out_of_range"

    def __init__(self, what: str = "Date"):
        self.what = what

    def __call__(self, value):
        if value is not None and not is_plausible_date(value):
            raise ValidationError(date_message(self.what), code=self.code)

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and other.what == self.what


# --- form fields ------------------------------------------------------------------------------


def field_what(what, label) -> str:
    """How messages name a field: `what`, else its label ("Revised date"), else "Date"."""
    return what or (capfirst(str(label)) if label else "Date")


class FinancialYearFormField(forms.IntegerField):
    default_validators = [FinancialYearValidator()]


class BoundedDateField(forms.DateField):
    """A date field that refuses dates outside the range: the admin's (the portal's own pages
    use the NHS.UK date input). A type="date" widget gets the range as its min and max."""

    def __init__(self, *, what: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(DateRangeValidator(field_what(what, self.label)))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", None) == "date":
            attrs.update(min=earliest().isoformat(), max=latest().isoformat())
        return attrs


class BoundedDateTimeField(forms.DateTimeField):
    """The admin's date and time, held to the range."""

    def __init__(self, *, what: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(DateRangeValidator(field_what(what, self.label)))


# --- model fields -----------------------------------------------------------------------------


class FinancialYearField(models.PositiveSmallIntegerField):
    """The year a financial year starts (2021 for 2021/22), within the range."""

    @cached_property
    def validators(self):
        # The range is narrower than any database's small integer (settings.py checks it), so
        # the backend's "less than or equal to 32767" would only repeat the message.
        return [*self._validators, FinancialYearValidator()]

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": FinancialYearFormField, "min_value": None, **kwargs}
        )


class _PlanDateMixin:
    """What the date and datetime fields share: a validator named after the field (or
    `what`), and a bounded form field."""

    bounded_form_class: type[forms.Field]

    def __init__(self, *args, what: str | None = None, **kwargs):
        self.what = what
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.what:
            kwargs["what"] = self.what
        return name, path, args, kwargs

    @property
    def what_label(self) -> str:
        return self.what or capfirst(str(self.verbose_name))

    @cached_property
    def validators(self):
        return [*super().validators, DateRangeValidator(self.what_label)]

    def formfield(self, **kwargs):
        # The admin asks for its own form class for datetimes (a split date and time); the
        # model's validator still holds it to the range.
        if "form_class" not in kwargs:
            kwargs = {"form_class": self.bounded_form_class, "what": self.what_label, **kwargs}
        return super().formfield(**kwargs)


class PlanDateField(_PlanDateMixin, models.DateField):
    """A date within the range (a deadline, a meeting, a milestone's delivery-by date)."""

    bounded_form_class = BoundedDateField


class PlanDateTimeField(_PlanDateMixin, models.DateTimeField):
    bounded_form_class = BoundedDateTimeField
