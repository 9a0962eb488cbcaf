"""Hypothesis strategies shared by the property tests: the awkward values people (and robots)
put in query strings and forms."""

import datetime

from hypothesis import strategies as st

from ics_portal.date_input import DateInputWidget

# Values that broke, or could break, a page: numbers beyond any integer column, dates at the
# ends of the calendar, half-typed dates, NUL (PostgreSQL refuses it in text), markup.
AWKWARD = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "abc",
    "1.5",
    "1e400",
    "NaN",
    "9999",
    "10000",
    "99999",
    "9999999999999999999999",
    "-9999999999999999999999",
    "0001-01-01",
    "0003-03-03",
    "9999-12-31",
    "2021-02-30",
    "31/12/9999",
    "2021-13-01",
    "2021-12-31T25:61",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "\x00",
    "a\x00b",
    "%",
    "%00",
    "../",
    "<script>alert(1)</script>",
    "&lt;tag&gt;",
    "true",
    "on",
    "[]",
    "{}",
    "Q2 2021/22",
    "Q4 9999/00",
    "07",
    "\u202e",
    "\U0001f600",
]

awkward = st.sampled_from(AWKWARD)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
calendar_dates = st.dates(
    min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)
).map(datetime.date.isoformat)
text = st.text(max_size=30)

# One value of a query string or form field.
value = st.one_of(awkward, numbers, calendar_dates, text)
# A field that takes several values (checkboxes, multiple selects, repeated query keys).
values = st.lists(value, max_size=3)


def query(keys: list[str]) -> st.SearchStrategy[dict]:
    """A query string: mostly keys the view knows, some it does not."""
    key = st.one_of(st.sampled_from(keys), text) if keys else text
    return st.dictionaries(key, st.one_of(value, values), max_size=4)


# What people type into the boxes of a date input: UK-style years of 2 digits, years caught
# half typed, 5 digits, months as words, nothing at all.
TYPED_YEARS = ["", "22", "2022", "202", "0003", "32022", "2000", "2101", "1999", " 2024 "]
MONTH_WORDS = ["March", "mar", "Sept", "sep.", "Febuary", "13", "00", "0"]


def date_part(highest: int) -> st.SearchStrategy[str]:
    """A day or month box: in range, one over, zero, padded, blank or awkward."""
    return st.one_of(
        st.integers(0, highest + 1).map(str),
        st.integers(1, highest).map(lambda n: f"{n:02d}"),
        value,
    )


# --- form data --------------------------------------------------------------------------------


def _choices(field) -> list[str]:
    found = []
    for choice, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):  # a group of choices
            found += [str(inner) for inner, _ in label]
        else:
            found.append(str(choice))
    return [choice for choice in found if choice != ""]


def field_data(form, name: str, field) -> st.SearchStrategy[dict]:
    """Data a browser (or a robot) might post for one field: its initial value, one of its
    choices, a value of its type at either end of the calendar or beyond any column, or
    anything awkward."""
    from django import forms

    initial = form.get_initial_for_field(field, name)
    known = []
    if isinstance(initial, list | tuple):
        known = [str(getattr(item, "pk", item)) for item in initial]
    elif initial not in (None, ""):
        known = [initial.isoformat() if hasattr(initial, "isoformat") else str(initial)]
    if isinstance(field.widget, DateInputWidget):  # day, month and year as typed
        return st.fixed_dictionaries(
            {
                f"{name}_day": date_part(31),
                f"{name}_month": st.one_of(date_part(12), st.sampled_from(MONTH_WORDS)),
                f"{name}_year": st.one_of(
                    st.sampled_from(TYPED_YEARS), st.integers(0, 99999).map(str), value
                ),
            }
        )
    if isinstance(field.widget, forms.MultiWidget):  # a split date and time
        return st.fixed_dictionaries(
            {f"{name}{suffix}": value for suffix in field.widget.widgets_names}
        )
    if isinstance(field, forms.BooleanField):
        one = st.sampled_from(["on", "true", "false", "", "0", "1"])
    elif isinstance(field, forms.DateTimeField):
        one = st.one_of(
            st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")), calendar_dates, value
        )
    elif isinstance(field, forms.DateField):
        one = st.one_of(calendar_dates, value)
    elif isinstance(field, forms.IntegerField):
        one = st.one_of(st.integers(-5, 5).map(str), numbers, value)
    else:
        one = value
    choices = _choices(field) + known
    if choices:
        one = st.one_of(st.sampled_from(choices), one)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.fixed_dictionaries({name: st.lists(one, max_size=3)})
    return st.fixed_dictionaries({name: one})


def form_data(form, extra_keys=()) -> st.SearchStrategy[dict]:
    """Data for a whole form: each field present or not, and a few keys it does not have."""
    parts = [st.one_of(st.just({}), field_data(form, n, f)) for n, f in form.fields.items()]
    extra = st.dictionaries(st.one_of(st.sampled_from([*extra_keys, "x"]), text), value, max_size=2)

    def merge(dicts):
        merged = {}
        for part in dicts:
            merged.update(part)
        return merged

    return st.tuples(*parts, extra).map(merge)


def multi_value(data: dict):
    """A QueryDict-like MultiValueDict of `data` (lists as repeated keys)."""
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict({key: list(v) if isinstance(v, list) else [v] for key, v in data.items()})
