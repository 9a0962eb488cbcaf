"""What the NHS.UK date input (ics_portal.date_input.DateInputField) posts: three keys per date,
<name>_day, <name>_month and <name>_year. Tests build them here rather than by hand."""

import datetime

PARTS = ("day", "month", "year")


def date_fields(name: str, value) -> dict[str, str]:
    """The keys posted for date field `name`: `value` a date, an ISO date ("2021-12-01"), ""
    or None (all three boxes blank), or a (day, month, year) tuple exactly as typed."""
    if value in ("", None):
        typed = ("", "", "")
    elif isinstance(value, tuple | list):
        typed = tuple(str(part) for part in value)
    else:
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        typed = (str(value.day), str(value.month), f"{value.year:04d}")
    return {f"{name}_{part}": text for part, text in zip(PARTS, typed, strict=True)}


def with_dates(data: dict, *names: str) -> dict:
    """`data` with each of `names` (an ISO date, a date, "" or a typed tuple) replaced by the
    three keys the date input posts."""
    data = dict(data)
    for name in names:
        if name in data:
            data.update(date_fields(name, data.pop(name)))
    return data


def date_time_fields(name: str, day, time: str = "") -> dict[str, str]:
    """The keys the date-and-time input posts: the three date boxes and <name>_time."""
    return {**date_fields(name, day), f"{name}_time": time}
