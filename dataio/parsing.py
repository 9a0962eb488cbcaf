"""Reading the words people type in plan spreadsheets: delivery-by dates ("Sept 2021",
"by end of Sept", "Q2 2021/22"), BAF scores ("20 4x5 Red"), yes/no, dates and lists.

Every parser returns a value or raises ValueError with a message that can be shown to the
person as written, after "Row 7, Column:". Nothing is guessed: text that does not fit is an
error.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from ics_portal import dates
from ics_portal.periods import (
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
    found = _parse_period(text, reference)
    if found is None:
        raise ValueError(f'"{label}" is not a delivery date. ' + DELIVERY_HINT)
    due_date, precision = found
    return DeliveryBy(dates.check_date(due_date, label), precision, label)


def _parse_period(text: str, reference: date) -> tuple[date, str] | None:
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
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        + _MONTH_WORD
        + r"(?:,?\s+(?P<year>\d{4}|\d{2}))?",
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


# --- BAF scores ---------------------------------------------------------------------------------

SCALE_MESSAGE = "{value} is not between 1 and 5"

_SCORE = re.compile(
    r"^\s*(?P<score>\d{1,3})?\s*\(?\s*(?P<l>\d{1,2})\s*[x×X*]\s*(?P<c>\d{1,2})\s*\)?"
    r"\s*(?P<band>[A-Za-z][A-Za-z /-]*)?\s*$"
)
_SCORE_WITHOUT_FACTORS = re.compile(r"^\s*(?P<score>\d{1,3})\s*(?P<band>[A-Za-z][A-Za-z /-]*)?\s*$")
# NHS.UK draws amber as "orange"; papers write either.
_COLOUR_SYNONYMS = {"orange": "amber"}


@dataclass(frozen=True)
class ScoreText:
    likelihood: int
    consequence: int

    @property
    def value(self) -> int:
        return self.likelihood * self.consequence


def parse_scale(value, what: str = "") -> int:
    """A likelihood or consequence level, 1 to 5."""
    if isinstance(value, bool):
        raise ValueError(f'"{value}" is not a number from 1 to 5')
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError("Enter a number from 1 to 5")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f'"{text}" is not a number from 1 to 5')
    number = int(text)
    if number not in range(1, 6):
        prefix = f"{what} " if what else ""
        raise ValueError(prefix + SCALE_MESSAGE.format(value=number))
    return number


def parse_score(value, *, matrix=None) -> ScoreText:
    """Read a score as the paper BAF writes it: "20 4x5 Red", "12 (3×4) High", "4x5".

    Only likelihood and consequence are kept (ADR 0003). The score and band, when written,
    must agree with them: "20 4x4" and "16 4x4 Green" are errors, as is "16 Red" (no factors).
    """
    text = " ".join(str(value or "").split())
    if not text:
        raise ValueError('Enter the score as likelihood × consequence, for example "20 4x5 Red"')
    match = _SCORE.match(text)
    if not match:
        if _SCORE_WITHOUT_FACTORS.match(text):
            raise ValueError(
                f'"{text}" has no likelihood × consequence. Write it as, for example, "16 4x4 Red"'
            )
        raise ValueError(
            f'"{text}" is not a score. Write likelihood × consequence, for example "20 4x5 Red"'
        )
    likelihood = parse_scale(match["l"], "likelihood")
    consequence = parse_scale(match["c"], "consequence")
    score = ScoreText(likelihood, consequence)
    if match["score"] and int(match["score"]) != score.value:
        raise ValueError(
            f"{likelihood}×{consequence} is {score.value}, not {int(match['score'])}. "
            "Check the likelihood and consequence"
        )
    if match["band"] and matrix is not None:
        word = match["band"].strip().lower()
        band = matrix.band_for(score.value)
        accepted = set()
        if band is not None:
            accepted = {band.name.lower(), band.colour.lower()}
        if _COLOUR_SYNONYMS.get(word, word) not in accepted:
            shown = f"{band.colour.title()} ({band.name})" if band else "not in any band"
            raise ValueError(
                f"{likelihood}×{consequence} = {score.value} is {shown} on the risk matrix, "
                f'not "{match["band"].strip()}"'
            )
    return score


def format_score(likelihood: int, consequence: int, band=None) -> str:
    """ "20 4x5 Red": the familiar BAF layout (score, likelihood x consequence, band colour)."""
    text = f"{likelihood * consequence} {likelihood}x{consequence}"
    return f"{text} {band.colour.title()}" if band is not None else text


# --- small values -------------------------------------------------------------------------------

_TRUE = {"yes", "y", "true", "t", "1", "✓", "x"}
_FALSE = {"no", "n", "false", "f", "0", ""}


def parse_bool(value, *, default: bool = False) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f'"{value}" is not Yes or No')


def parse_date(value) -> date | None:
    """A day: a date cell, "2021-12-31", "31/12/2021" or "31 December 2021"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return dates.check_date(value, f"{value.day:02d}/{value.month:02d}/{value.year:04d}")
    text = " ".join(str(value).split())
    found = _parse_period(text, date.today())
    if found is None or found[1] != DAY:
        raise ValueError(f'"{text}" is not a date. Write it as 31/12/2021 or 31 December 2021')
    return dates.check_date(found[0], text)


def split_list(value, *, commas: bool = True) -> list[str]:
    """Items of a list cell, separated by semicolons or new lines (and commas when the items
    cannot contain one: emails, codes, references)."""
    if value is None:
        return []
    separators = r"[;\n\r" + ("," if commas else "") + "]"
    return [item.strip() for item in re.split(separators, str(value)) if item.strip()]


def normalise_key(value) -> str:
    """How names are compared when matching: case, spacing, "&"/"and" and dashes ignored."""
    text = str(value or "").lower().replace("&", " and ")
    text = re.sub(r"[\u2010-\u2015-]", " ", text)
    return " ".join(text.split())
