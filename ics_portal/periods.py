"""NHS financial-year periods: the one place that derives every label and date range.

The financial year runs 1 April to 31 March and is written "2021/22". Q1 = Apr-Jun,
Q2 = Jul-Sep, Q3 = Oct-Dec, Q4 = Jan-Mar (so Q4 2021/22 is January-March 2022);
H1 = Apr-Sep, H2 = Oct-Mar; M1 = April ... M12 = March.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ics_portal import dates


def fy_start_year_for(day: date) -> int:
    """The calendar year in which the financial year containing `day` started."""
    return day.year if day.month >= 4 else day.year - 1


def fy_label(start_year: int) -> str:
    """2021 -> "2021/22"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


class PeriodOutOfRange(ValueError):
    """A period that reads well but lies outside the portal's financial years."""


def check_fy_start_year(start_year: int, text: str) -> int:
    """`start_year` if its financial year is one the portal accepts (ics_portal/dates.py);
    otherwise PeriodOutOfRange quoting `text` as written."""
    if not dates.is_plausible_year(start_year):
        first, last = fy_label(dates.first_year()), fy_label(dates.last_year())
        raise PeriodOutOfRange(f'"{text}": the financial year must be between {first} and {last}.')
    return start_year


def _month_start(start_year: int, fy_month: int) -> date:
    """First day of financial month `fy_month` (1 = April ... 12 = March)."""
    calendar_month = (fy_month + 2) % 12 + 1
    year = start_year if fy_month <= 9 else start_year + 1
    return date(year, calendar_month, 1)


def _month_end(start_year: int, fy_month: int) -> date:
    first = _month_start(start_year, fy_month)
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial quarter, e.g. Quarter(2021, 2) is "Q2 2021/22" (July-September 2021)."""

    fy_start_year: int
    number: int

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is 1 to 4, not {self.number}.")

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        start_year = fy_start_year_for(day)
        fy_month = (day.month - 4) % 12 + 1
        return cls(start_year, (fy_month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """Read "Q2 2021/22", "Q2: 21/22", "Q2 21/22" or "Quarter 2 2021/22"."""
        match = re.fullmatch(
            r"\s*(?:q|qtr|quarter)\s*([1-4])\s*:?\s*(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*",
            text,
            flags=re.IGNORECASE,
        )
        if not match:
            raise ValueError(f'"{text}" is not a quarter like "Q2 2021/22".')
        number, first, second = int(match[1]), match[2], match[3]
        start_year = int(first) if len(first) == 4 else 2000 + int(first)
        end_short = int(second) % 100
        if (start_year + 1) % 100 != end_short:
            raise ValueError(f'"{text}": the two years of a financial year must be consecutive.')
        return cls(check_fy_start_year(start_year, text), number)

    @property
    def fy_label(self) -> str:
        return fy_label(self.fy_start_year)

    @property
    def label(self) -> str:
        """ "Q2 2021/22"."""
        return f"Q{self.number} {self.fy_label}"

    @property
    def long_label(self) -> str:
        """ "Quarter 2 2021/22"."""
        return f"Quarter {self.number} {self.fy_label}"

    @property
    def start(self) -> date:
        return _month_start(self.fy_start_year, (self.number - 1) * 3 + 1)

    @property
    def end(self) -> date:
        return _month_end(self.fy_start_year, self.number * 3)

    @property
    def months_label(self) -> str:
        """ "July to September 2021", "January to March 2022"."""
        return f"{self.start:%B} to {self.end:%B %Y}"

    @property
    def half(self) -> "Half":
        return Half(self.fy_start_year, 1 if self.number <= 2 else 2)

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.fy_start_year + 1, 1)
        return Quarter(self.fy_start_year, self.number + 1)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.fy_start_year - 1, 4)
        return Quarter(self.fy_start_year, self.number - 1)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Half:
    fy_start_year: int
    number: int

    @property
    def label(self) -> str:
        """ "H2 2021/22"."""
        return f"H{self.number} {fy_label(self.fy_start_year)}"

    @property
    def start(self) -> date:
        return _month_start(self.fy_start_year, 1 if self.number == 1 else 7)

    @property
    def end(self) -> date:
        return _month_end(self.fy_start_year, 6 if self.number == 1 else 12)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Month:
    """A financial month: M1 = April ... M12 = March."""

    fy_start_year: int
    number: int

    @classmethod
    def containing(cls, day: date) -> "Month":
        return cls(fy_start_year_for(day), (day.month - 4) % 12 + 1)

    @property
    def label(self) -> str:
        """ "M3"."""
        return f"M{self.number}"

    @property
    def long_label(self) -> str:
        """ "M3 2021/22 (June 2021)"."""
        return f"M{self.number} {fy_label(self.fy_start_year)} ({self.start:%B %Y})"

    @property
    def start(self) -> date:
        return _month_start(self.fy_start_year, self.number)

    @property
    def end(self) -> date:
        return _month_end(self.fy_start_year, self.number)

    def __str__(self) -> str:
        return self.label
