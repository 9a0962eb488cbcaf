"""Reading delivery-by text, BAF scores and small values from spreadsheet cells."""

from datetime import date, datetime

import pytest

from dataio import parsing
from dataio.parsing import parse_delivery_by, parse_score

REFERENCE = date(2021, 10, 15)  # in financial year 2021/22


@pytest.mark.parametrize(
    ("text", "due", "precision"),
    [
        ("Sept 2021", date(2021, 9, 30), "MONTH"),
        ("Delivery by Sept 2021:", date(2021, 9, 30), "MONTH"),
        ("Delivery by July 2021", date(2021, 7, 31), "MONTH"),
        ("September 21", date(2021, 9, 30), "MONTH"),
        ("by end of Sept", date(2021, 9, 30), "MONTH"),
        ("by the end of March", date(2022, 3, 31), "MONTH"),
        ("end of March 2024", date(2024, 3, 31), "MONTH"),
        ("by the end of September 2023", date(2023, 9, 30), "MONTH"),
        ("Feb 2024", date(2024, 2, 29), "MONTH"),
        ("30 June 2021", date(2021, 6, 30), "DAY"),
        ("by 30th June", date(2021, 6, 30), "DAY"),
        ("30/06/2021", date(2021, 6, 30), "DAY"),
        ("2021-09-30", date(2021, 9, 30), "DAY"),
        ("Q2 2021/22", date(2021, 9, 30), "QUARTER"),
        ("Q4 21/22", date(2022, 3, 31), "QUARTER"),
        ("Q3", date(2021, 12, 31), "QUARTER"),
        ("2021/22", date(2022, 3, 31), "YEAR"),
        ("April 2023 to March 2025", date(2025, 3, 31), "MONTH"),
    ],
)
def test_it_reads_delivery_by_text(text, due, precision):
    parsed = parse_delivery_by(text, reference=REFERENCE)
    assert (parsed.due_date, parsed.precision) == (due, precision)


def test_it_keeps_the_label_as_written():
    assert parse_delivery_by("Delivery by Sept 2021:", reference=REFERENCE).label == (
        "Delivery by Sept 2021"
    )


def test_a_month_without_a_year_is_in_the_reference_financial_year():
    # January to March belong to the second calendar year of the financial year.
    assert parse_delivery_by("by end of Jan", reference=date(2021, 4, 1)).due_date == date(
        2022, 1, 31
    )
    assert parse_delivery_by("by end of Jan", reference=date(2022, 3, 31)).due_date == date(
        2022, 1, 31
    )


def test_a_date_cell_is_a_day():
    parsed = parse_delivery_by(datetime(2021, 6, 30), reference=REFERENCE)
    assert (parsed.due_date, parsed.precision, parsed.label) == (
        date(2021, 6, 30),
        "DAY",
        "30 June 2021",
    )


@pytest.mark.parametrize("text", ["soon", "2025", "31 June 2021", "Q5 2021/22", "2021/23", ""])
def test_it_refuses_what_is_not_a_delivery_date(text):
    with pytest.raises(ValueError):
        parse_delivery_by(text, reference=REFERENCE)


def test_the_refusal_says_what_to_write():
    with pytest.raises(ValueError, match=r'"soon" is not a delivery date\. Write a month'):
        parse_delivery_by("soon", reference=REFERENCE)


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("20 4x5 Red", (4, 5)),
        ("20 4X5 red", (4, 5)),
        ("12 (3×4) High", (3, 4)),
        ("4x5", (4, 5)),
        ("3 1x3 Green", (1, 3)),
        ("10 2x5 Amber", (2, 5)),
        ("10 2x5 Orange", (2, 5)),
    ],
)
def test_it_reads_scores_as_the_paper_baf_writes_them(text, pair, db):
    from risks.models import RiskMatrix

    score = parse_score(text, matrix=RiskMatrix.objects.current())
    assert (score.likelihood, score.consequence) == pair


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("20 4x4", "4×4 is 16, not 20"),
        ("16 Red", "has no likelihood × consequence"),
        ("20 4x6 Red", "consequence 6 is not between 1 and 5"),
        ("6 6x1", "likelihood 6 is not between 1 and 5"),
        ("20 4x5 Amber", 'is Red (Extreme) on the risk matrix, not "Amber"'),
        ("high", "is not a score"),
    ],
)
def test_it_refuses_scores_that_do_not_add_up(text, message, db):
    from risks.models import RiskMatrix

    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_score(text, matrix=RiskMatrix.objects.current())


def test_it_writes_scores_in_the_familiar_layout(db):
    from risks.models import RiskMatrix

    matrix = RiskMatrix.objects.current()
    assert parsing.format_score(4, 5, matrix.band_for(20)) == "20 4x5 Red"
    assert parsing.format_score(2, 4, matrix.band_for(8)) == "8 2x4 Amber"
    assert parsing.format_score(1, 3, matrix.band_for(3)) == "3 1x3 Green"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Yes", True), ("y", True), ("TRUE", True), ("no", False), ("0", False), ("", True)],
)
def test_yes_and_no(value, expected):
    assert parsing.parse_bool(value, default=True) is expected


def test_yes_or_no_refuses_other_words():
    with pytest.raises(ValueError, match='"maybe" is not Yes or No'):
        parsing.parse_bool("maybe")


def test_lists_split_on_semicolons_and_lines_and_commas_only_when_asked():
    assert parsing.split_list("a@x.uk; b@x.uk,c@x.uk\nd@x.uk") == [
        "a@x.uk",
        "b@x.uk",
        "c@x.uk",
        "d@x.uk",
    ]
    assert parsing.split_list(
        "System Leadership, governance & accountability; Digital", commas=False
    ) == [
        "System Leadership, governance & accountability",
        "Digital",
    ]


def test_dates():
    assert parsing.parse_date("31/12/2021") == date(2021, 12, 31)
    assert parsing.parse_date("31 December 2021") == date(2021, 12, 31)
    assert parsing.parse_date(datetime(2021, 12, 31, 0, 0)) == date(2021, 12, 31)
    assert parsing.parse_date("") is None
    with pytest.raises(ValueError, match="is not a date"):
        parsing.parse_date("December 2021")
