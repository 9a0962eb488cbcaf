"""When something is due, as plan papers write it: delivery-by dates ("Sept 2021", "by end of
Sept", "Q2 2021/22", "30 June 2021", "24-May") read to the last day of the period named, with
its precision and the words kept as written. In the bottom layer (issue 16) because the
spreadsheet import (dataio) and the registers built on the plan (improvement actions) read the
same words; dataio/parsing.py re-exports these names.

Every parser returns a value or raises ValueError with a message that can be shown to the
person as written. Nothing is guessed: text that does not fit is an error.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from . import dates
from .periods import (
    PeriodOutOfRange,
    Quarter,
    check_fy_start_year,
    fy_label,
    fy_start_year_for,
)

# Precisions as stored on workstreams.Milestone.due_precision.
DAY, MONTH, QUARTER, YEAR = "DAY", "MONTH", "QUARTER", "YEAR"

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    }
}
_MONTHS["sept"] = 9
_MONTH_WORD = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

# Words around a delivery date that say nothing about it ("Delivery by end of Sept 2021:").
_LEAD_IN = re.compile(
    r"^(?:(?:key\s+milestones?\s*(?:&|and)\s*critical\s+path\s*:?\s*)?"
    r"(?:delivery|delivered|deliver|due|complete|completed|completion|deadline|target)?\s*"
    r"(?:by|before|no\s+later\s+than|in|for)?\s*"
    r"(?:the\s+)?(?:end\s+of\s+)?(?:the\s+)?)",
    re.IGNORECASE,
)

DELIVERY_HINT = (
    'Write a month and year ("Sept 2021"), a day ("30 June 2021"), a quarter ("Q2 2021/22") '
    'or a financial year ("2021/22").'
)


@dataclass(frozen=True)
class DeliveryBy:
    """A milestone's delivery-by date: the last day of the period named, how precise the
    period is, and the words as written."""

    due_date: date
    precision: str
    label: str


def _month_end(year: int, month: int, text: str) -> date:
    _check_year(year, text)
    return date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int, text: str) -> None:
    """Refuse a calendar year outside the portal's dates before any date is made of it (the
    calendar ends at 9999, and "Sept 0003" is a typo)."""
    if not dates.earliest().year <= year <= dates.latest().year:
        raise ValueError(f'"{text}" is not {dates.range_text()}')


def _year_for_month(month: int, reference: date) -> int:
    """A month written without a year is in the financial year of `reference`."""
    start = fy_start_year_for(reference)
    return start if month >= 4 else start + 1


def _full_year(text: str) -> int:
    """ "21" is 2021; four digits are the year as written ("0003" is a typo, not 2003)."""
    return 2000 + int(text) if len(text) <= 2 else int(text)


def _day_label(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def delivery_label(due_date: date | None, precision: str) -> str:
    """How a delivery date is written when no label was given: "Sept 2021", "Q2 2021/22"."""
    if due_date is None:
        return ""
    if precision == MONTH:
        return f"{'Sept' if due_date.month == 9 else calendar.month_abbr[due_date.month]} {due_date.year}"
    if precision == QUARTER:
        return Quarter.containing(due_date).label
    if precision == YEAR:
        return fy_label(fy_start_year_for(due_date))
    return _day_label(due_date)


def parse_delivery_by(value, *, reference: date | None = None) -> DeliveryBy:
    """Read a delivery-by cell.

    "Sept 2021" and "Delivery by Sept 2021" are the 30th of September 2021, month precision;
    "by end of Sept" is September of the financial year of `reference` (today if not given);
    "30 June 2021" and "30/06/2021" are that day; "Q2 2021/22" is the quarter's last day;
    "2021/22" the financial year's last day (31 March 2022); "April 2023 to March 2025" takes
    the end of the range. A date cell from Excel is that day.
    """
    reference = reference or date.today()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        dates.check_date(value, _day_label(value))
        return DeliveryBy(value, DAY, _day_label(value))
    label = " ".join(str(value or "").split()).rstrip(":;.,").strip()
    if not label:
        raise ValueError("Enter when it is due. " + DELIVERY_HINT)
    text = label
    # A range ("April 2023 to March 2025") is due at its end.
    parts = re.split(r"\s+(?:to|until|till|-|–|—)\s+", text, flags=re.IGNORECASE)
    if len(parts) == 2:
        text = parts[1]
    text = _LEAD_IN.sub("", text, count=1).strip().rstrip(":;.,").strip()
    found = parse_period(text, reference)
    if found is None:
        raise ValueError(f'"{label}" is not a delivery date. ' + DELIVERY_HINT)
    due_date, precision = found
    return DeliveryBy(dates.check_date(due_date, label), precision, label)


def parse_period(text: str, reference: date) -> tuple[date, str] | None:
    """The last day of the period `text` names and its precision, or None; a day or month
    written without a year is in the financial year of `reference`."""
    lowered = text.lower()
    if not lowered:
        return None
    # 2021-09-30
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", lowered):
        return _checked_day(int(match[1]), int(match[2]), int(match[3]), text), DAY
    # 30/09/2021, 30.09.21, 30-09-2021 (UK order)
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})", lowered):
        return _checked_day(_full_year(match[3]), int(match[2]), int(match[1]), text), DAY
    # 30 June 2021, 30th June, June 30 2021
    day_month = re.fullmatch(
        # "24-May" and "24-May-2018" as trackers write them, too.
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?|-)"
        + _MONTH_WORD
        + r"(?:(?:,?\s+|-)(?P<year>\d{4}|\d{2}))?",
        lowered,
    ) or re.fullmatch(
        # "June 30, 2021" only with its year: "Sept 21" is September 2021 in UK papers.
        _MONTH_WORD + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})",
        lowered,
    )
    if day_month:
        month = _MONTHS[day_month["month"]]
        year = (
            _full_year(day_month["year"])
            if day_month["year"]
            else _year_for_month(month, reference)
        )
        return _checked_day(year, month, int(day_month["day"]), text), DAY
    # Sept 2021, September 21, Sept, 09/2021
    if match := re.fullmatch(_MONTH_WORD + r"(?:,?\s+(?P<year>\d{4}|\d{2}))?", lowered):
        month = _MONTHS[match["month"]]
        year = _full_year(match["year"]) if match["year"] else _year_for_month(month, reference)
        return _month_end(year, month, text), MONTH
    if match := re.fullmatch(r"(\d{1,2})/(\d{4})", lowered):
        if 1 <= int(match[1]) <= 12:
            return _month_end(int(match[2]), int(match[1]), text), MONTH
        return None
    # Q2 2021/22, Quarter 2 21/22, Q2 (in the reference's financial year)
    if re.match(r"(?:q|qtr|quarter)\s*[1-4]\b", lowered):
        if re.fullmatch(r"(?:q|qtr|quarter)\s*[1-4]", lowered):
            number = int(lowered[-1])
            return Quarter(fy_start_year_for(reference), number).end, QUARTER
        try:
            return Quarter.parse(text).end, QUARTER
        except PeriodOutOfRange:
            raise
        except ValueError:
            return None
    # 2021/22, FY 2021/22, 2021-22
    if match := re.fullmatch(r"(?:fy\s*)?(\d{4}|\d{2})\s*[/-]\s*(\d{2}|\d{4})", lowered):
        start = _full_year(match[1])
        if (start + 1) % 100 != int(match[2]) % 100:
            return None
        return date(check_fy_start_year(start, text) + 1, 3, 31), YEAR
    return None


def _checked_day(year: int, month: int, day: int, text: str) -> date:
    _check_year(year, text)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f'"{text}" is not a date on the calendar.') from None


# --- When an improvement action is due (issue 16) -----------------------------------------------

ACTION_DUE_HINT = (
    'Write a day ("24-May", "30 June 2018"), "Immediate", "Ongoing", "Ongoing (Start in '
    'June)", a start month ("Oct (Start date)") or "NA".'
)


class DueKind:
    DATED = "DATED"  # due on a day, or by the end of a month or quarter
    IMMEDIATE = "IMMEDIATE"  # due when the register starts
    ONGOING = "ONGOING"  # no end; may start in a given month
    STARTS = "STARTS"  # a start date, no end
    NOT_APPLICABLE = "NA"


@dataclass(frozen=True)
class ActionDue:
    """When an action is due, read from its tracker cell: what kind of date it is, the due
    date and its precision if it has one, when it starts if the cell says, and the words."""

    kind: str
    due_date: date | None
    precision: str
    starts_on: date | None
    starts_precision: str
    label: str


_ONGOING = re.compile(r"ongoing(?:\s*\(\s*start(?:s|ing)?\s+(?:in\s+)?(?P<month>[a-z]+\.?)\s*\))?")
_STARTS = re.compile(r"(?P<month>[a-z]+\.?)\s*\(\s*start\s+date\s*\)")


def parse_action_due(value, *, fy_start_year: int, starts_on: date) -> ActionDue:
    """Read an improvement tracker's due-date cell. A day or month written without a year is in
    the register's financial year (`fy_start_year`: "24-May" in a 2018/19 register is 24 May
    2018, "Jan" is January 2019); "Immediate" is due on the day the register starts
    (`starts_on`)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = dates.check_date(value, _day_label(value))
        return ActionDue(DueKind.DATED, day, DAY, None, "", _day_label(day))
    label = " ".join(str(value or "").split())
    lowered = label.lower().rstrip(".")
    reference = date(check_fy_start_year(fy_start_year, label), 4, 1)
    if not lowered:
        raise ValueError("Enter when it is due. " + ACTION_DUE_HINT)
    if lowered in {"na", "n/a", "not applicable"}:
        return ActionDue(DueKind.NOT_APPLICABLE, None, "", None, "", label)
    if lowered == "immediate":
        return ActionDue(DueKind.IMMEDIATE, starts_on, DAY, None, "", label)
    if match := _ONGOING.fullmatch(lowered):
        start = _month_start(match["month"], reference, label) if match["month"] else None
        return ActionDue(DueKind.ONGOING, None, "", start, MONTH if start else "", label)
    if match := _STARTS.fullmatch(lowered):
        start = _month_start(match["month"], reference, label)
        return ActionDue(DueKind.STARTS, None, "", start, MONTH, label)
    try:
        found = parse_period(label, reference)
    except ValueError as error:
        raise ValueError(f"{error} " + ACTION_DUE_HINT) from None
    if found is None:
        raise ValueError(f'"{label}" is not a due date. ' + ACTION_DUE_HINT)
    due_date, precision = found
    return ActionDue(DueKind.DATED, dates.check_date(due_date, label), precision, None, "", label)


def _month_start(word: str, reference: date, label: str) -> date:
    month = _MONTHS.get(word.rstrip("."))
    if month is None:
        raise ValueError(f'"{label}": "{word}" is not a month. ' + ACTION_DUE_HINT)
    return date(_year_for_month(month, reference), month, 1)
