"""Reading the words people type in plan spreadsheets: delivery-by dates ("Sept 2021",
"by end of Sept", "Q2 2021/22"), BAF scores ("20 4x5 Red"), yes/no, dates and lists.

Every parser returns a value or raises ValueError with a message that can be shown to the
person as written, after "Row 7, Column:". Nothing is guessed: text that does not fit is an
error.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from ics_portal import dates

# Delivery-by dates moved down a layer (issue 16); the import's columns read them from here.
from ics_portal.due_dates import (  # noqa: F401
    DAY,
    DELIVERY_HINT,
    MONTH,
    QUARTER,
    YEAR,
    DeliveryBy,
    delivery_label,
    parse_delivery_by,
    parse_period,
)

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
    found = parse_period(text, date.today())
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
