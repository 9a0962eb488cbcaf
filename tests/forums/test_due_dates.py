"""When an improvement action is due, read from seed 004's tracker cells as written
(ics_portal/due_dates.py parse_action_due): every label the tracker uses, in a 2018/19 register
that starts on 30 May 2018; unknown words are refused with what to write."""

import datetime

import pytest

from ics_portal.due_dates import DueKind, parse_action_due, parse_delivery_by

START = datetime.date(2018, 5, 30)
D = datetime.date


@pytest.mark.parametrize(
    ("label", "kind", "due", "precision", "starts"),
    [
        ("24-May", DueKind.DATED, D(2018, 5, 24), "DAY", None),
        ("02-Jul", DueKind.DATED, D(2018, 7, 2), "DAY", None),
        ("21-Dec", DueKind.DATED, D(2018, 12, 21), "DAY", None),
        ("15-Jan", DueKind.DATED, D(2019, 1, 15), "DAY", None),
        ("30 June 2018", DueKind.DATED, D(2018, 6, 30), "DAY", None),
        ("Sept", DueKind.DATED, D(2018, 9, 30), "MONTH", None),
        ("Immediate", DueKind.IMMEDIATE, START, "DAY", None),
        ("Ongoing", DueKind.ONGOING, None, "", None),
        ("Ongoing (Start in June)", DueKind.ONGOING, None, "", D(2018, 6, 1)),
        ("Ongoing (Start in October)", DueKind.ONGOING, None, "", D(2018, 10, 1)),
        ("Oct (Start date)", DueKind.STARTS, None, "", D(2018, 10, 1)),
        ("July (Start date)", DueKind.STARTS, None, "", D(2018, 7, 1)),
        ("NA", DueKind.NOT_APPLICABLE, None, "", None),
    ],
)
def test_every_label_in_the_tracker_is_read(label, kind, due, precision, starts):
    read = parse_action_due(label, fy_start_year=2018, starts_on=START)
    assert (read.kind, read.due_date, read.precision, read.starts_on) == (
        kind,
        due,
        precision,
        starts,
    )
    assert read.label == label


@pytest.mark.parametrize(
    "label", ["", "Soon", "Ongoing (Start in Juneteenth)", "32-May", "TBC", "Smarch (Start date)"]
)
def test_anything_else_is_refused_with_what_to_write(label):
    with pytest.raises(ValueError, match="Immediate") as refused:
        parse_action_due(label, fy_start_year=2018, starts_on=START)
    if label:
        assert label in str(refused.value)


def test_a_delivery_date_written_with_hyphens_reads_the_same():
    reference = D(2021, 6, 1)
    assert parse_delivery_by("24-May-2022", reference=reference).due_date == D(2022, 5, 24)
    assert parse_delivery_by("24-May", reference=reference).due_date == D(2021, 5, 24)
