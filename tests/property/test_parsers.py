"""The period helpers (ics_portal/periods.py) and the spreadsheet parsers
(dataio/parsing.py): any input is read or refused with a ValueError whose message
can be shown to the person, never another exception; what they read is in the portal's range;
and what the portal writes, they read back."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataio import parsing
from ics_portal import dates
from ics_portal.periods import Half, Month, Quarter, fy_label, fy_start_year_for
from risks.models import RiskMatrix

from . import strategies

# Words a delivery-by or date cell is made of, so the parsers' branches are reached, not only
# their "not a date" answer.
_WORDS = [
    "Delivery by",
    "by end of",
    "due",
    "Q2",
    "Qtr 4",
    "Quarter 1",
    "FY",
    "Sept",
    "June",
    "december",
    "31st",
    "30",
    "29",
    "of",
    "to",
    "-",
    "/",
    ".",
    ":",
    "2021",
    "21",
    "22",
    "2021/22",
    "21/22",
    "0003",
    "9999",
    "00",
    "2100/01",
    "2101",
    "1999",
    "09",
    "13",
]
cell_text = st.one_of(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map(" ".join),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map("".join),
    strategies.value,
)
cells = st.one_of(
    cell_text,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dates(),
    st.datetimes(),
)
plausible_dates = st.dates(min_value=dates.earliest(), max_value=dates.latest())
plausible_years = st.integers(min_value=dates.first_year(), max_value=dates.last_year())


def _refused_or(function, *args, **kwargs):
    """What `function` returns, or None if it refused with a ValueError (nothing else)."""
    try:
        return function(*args, **kwargs)
    except ValueError as error:
        assert str(error), "a refusal says why"
        return None


# --- periods ----------------------------------------------------------------------------------


@settings(max_examples=300)
@given(text=cell_text)
def test_quarter_parse_reads_or_refuses(text):
    quarter = _refused_or(Quarter.parse, text)
    if quarter is not None:
        assert dates.is_plausible_year(quarter.fy_start_year)
        assert Quarter.parse(quarter.label) == quarter
        assert Quarter.parse(quarter.long_label) == quarter


@settings(max_examples=200)
@given(year=plausible_years, number=st.integers(min_value=1, max_value=4))
def test_quarters_tile_their_financial_year(year, number):
    quarter = Quarter(year, number)
    assert quarter.start <= quarter.end
    assert Quarter.containing(quarter.start) == quarter == Quarter.containing(quarter.end)
    assert quarter.next().start == quarter.end + datetime.timedelta(days=1)
    assert quarter.previous().end == quarter.start - datetime.timedelta(days=1)
    assert quarter.half.start <= quarter.start <= quarter.end <= quarter.half.end
    assert fy_start_year_for(quarter.start) == year
    assert quarter.label == f"Q{number} {fy_label(year)}"
    assert Month.containing(quarter.start).start == quarter.start
    assert isinstance(quarter.months_label, str) and isinstance(Half(year, 2).label, str)


@settings(max_examples=200)
@given(day=plausible_dates)
def test_every_plausible_day_has_a_quarter_and_month(day):
    quarter, month = Quarter.containing(day), Month.containing(day)
    assert quarter.start <= day <= quarter.end
    assert month.start <= day <= month.end
    assert dates.is_plausible_year(quarter.fy_start_year)


# --- spreadsheet cells ------------------------------------------------------------------------


@settings(max_examples=300)
@given(value=cells, reference=plausible_dates)
def test_delivery_by_reads_or_refuses(value, reference):
    parsed = _refused_or(parsing.parse_delivery_by, value, reference=reference)
    if parsed is not None:
        assert dates.is_plausible_date(parsed.due_date)
        assert parsed.precision in (parsing.DAY, parsing.MONTH, parsing.QUARTER, parsing.YEAR)
        assert parsed.label


def _period_end(day: datetime.date, precision: str) -> datetime.date:
    if precision == parsing.MONTH:
        return Month.containing(day).end
    if precision == parsing.QUARTER:
        return Quarter.containing(day).end
    if precision == parsing.YEAR:
        return datetime.date(fy_start_year_for(day) + 1, 3, 31)
    return day


@settings(max_examples=200)
@given(
    day=plausible_dates,
    precision=st.sampled_from([parsing.DAY, parsing.MONTH, parsing.QUARTER, parsing.YEAR]),
)
def test_delivery_labels_read_back(day, precision):
    due = _period_end(day, precision)
    label = parsing.delivery_label(due, precision)
    parsed = parsing.parse_delivery_by(label, reference=datetime.date(2021, 6, 1))
    assert (parsed.due_date, parsed.precision) == (due, precision)


@settings(max_examples=300)
@given(value=cells)
def test_dates_read_or_refuse(value):
    day = _refused_or(parsing.parse_date, value)
    if day is not None:
        assert dates.is_plausible_date(day)


@settings(max_examples=100)
@given(day=plausible_dates)
def test_dates_read_back(day):
    for written in (day, day.isoformat(), f"{day:%d/%m/%Y}", f"{day.day} {day:%B %Y}"):
        assert parsing.parse_date(written) == day


@settings(max_examples=100)
@given(day=st.dates())
def test_implausible_dates_are_refused(day):
    if not dates.is_plausible_date(day):
        with pytest.raises(ValueError, match=dates.range_text()):
            parsing.parse_date(day.isoformat())


@settings(max_examples=200)
@given(value=cells)
def test_scales_read_or_refuse(value):
    level = _refused_or(parsing.parse_scale, value)
    if level is not None:
        assert level in range(1, 6)


@settings(max_examples=50)
@given(level=st.integers(min_value=1, max_value=5))
def test_scales_read_back(level):
    assert parsing.parse_scale(str(level)) == parsing.parse_scale(float(level)) == level


@settings(max_examples=300)
@given(value=st.one_of(cells, st.from_regex(r"\d{1,3} ?\(?\d ?[x×*] ?\d\)? ?[A-Za-z ]{0,8}")))
def test_scores_read_or_refuse(db, value):
    score = _refused_or(parsing.parse_score, value, matrix=RiskMatrix.objects.current())
    if score is not None:
        assert score.likelihood in range(1, 6) and score.consequence in range(1, 6)


@settings(max_examples=50)
@given(likelihood=st.integers(1, 5), consequence=st.integers(1, 5))
def test_scores_read_back(db, likelihood, consequence):
    matrix = RiskMatrix.objects.current()
    band = matrix.band_for(likelihood * consequence)
    written = parsing.format_score(likelihood, consequence, band)
    score = parsing.parse_score(written, matrix=matrix)
    assert (score.likelihood, score.consequence) == (likelihood, consequence)


@settings(max_examples=100)
@given(value=cells)
def test_yes_no_reads_or_refuses(value):
    answer = _refused_or(parsing.parse_bool, value)
    assert answer in (True, False, None)
