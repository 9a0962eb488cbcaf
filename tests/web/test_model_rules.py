"""The rules the domain model keeps by itself: derived risk scores and bands, database
constraints, financial periods, status words, rich-text sanitising and no pending migrations."""

import datetime
from io import StringIO
from itertools import product

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from ics_portal.periods import Half, Month, Quarter, fy_label, fy_start_year_for
from ics_portal.richtext import sanitise_html
from ics_portal.status import STATUS_COLOURS, DeliveryStatus, status_from_word
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from risks.models import BAFRisk, RiskMatrix, RiskReview
from risks.presenters import heat_map

from .. import factories

# --- risk scores and bands --------------------------------------------------------------------

# The NHS/NPSA 5×5 default, written out independently of the migration that makes it.
EXPECTED_BANDS = {
    **dict.fromkeys(range(1, 4), ("Low", "green")),
    **dict.fromkeys(range(4, 7), ("Moderate", "yellow")),
    **dict.fromkeys(range(8, 13), ("High", "amber")),
    **dict.fromkeys(range(15, 26), ("Extreme", "red")),
}
CELLS = list(product(range(1, 6), range(1, 6)))


@pytest.mark.parametrize(("likelihood", "consequence"), CELLS)
def test_score_and_band_of_every_cell(db, likelihood, consequence):
    matrix = RiskMatrix.objects.current()
    risk = BAFRisk(
        matrix=matrix,
        initial_likelihood=likelihood,
        initial_consequence=consequence,
        current_likelihood=likelihood,
        current_consequence=consequence,
        target_likelihood=likelihood,
        target_consequence=consequence,
    )
    value = likelihood * consequence
    band, colour = EXPECTED_BANDS[value]
    for score in (risk.initial_score, risk.current_score, risk.target_score):
        assert score.value == value
        assert (score.band_name, score.colour) == (band, colour)
        assert score.label == f"{value} ({likelihood}×{consequence}) {band}"
    review = RiskReview(
        matrix=matrix,
        likelihood=likelihood,
        consequence=consequence,
        target_likelihood=likelihood,
        target_consequence=consequence,
    )
    assert (review.score.value, review.score.band_name) == (value, band)
    assert (review.target_score.value, review.target_score.band_name) == (value, band)


def test_the_default_matrix_bands_cover_every_possible_score(db):
    matrix = RiskMatrix.objects.current()
    assert matrix.version == 1
    assert {(b.name, b.min_score, b.max_score, b.colour) for b in matrix.bands.all()} == {
        ("Low", 1, 3, "green"),
        ("Moderate", 4, 6, "yellow"),
        ("High", 8, 12, "amber"),
        ("Extreme", 15, 25, "red"),
    }
    assert all(matrix.band_for(l * c) is not None for l, c in CELLS)  # noqa: E741


def test_an_unknown_score_basis_is_an_error(db):
    with pytest.raises(ValueError):
        heat_map("residual")


# --- database constraints ---------------------------------------------------------------------

RISK_LEVELS = [
    f"{basis}_{axis}"
    for basis in ("initial", "current", "target")
    for axis in ("likelihood", "consequence")
]


@pytest.mark.parametrize("field", RISK_LEVELS)
@pytest.mark.parametrize("value", [0, 6])
def test_the_database_refuses_a_risk_level_outside_1_to_5(db, field, value):
    risk = factories.BAFRiskFactory.build(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        risk.save()


@pytest.mark.parametrize(
    "field", ["likelihood", "consequence", "target_likelihood", "target_consequence"]
)
@pytest.mark.parametrize("value", [0, 6])
def test_the_database_refuses_a_review_level_outside_1_to_5(db, field, value):
    review = factories.RiskReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskReview.objects.filter(pk=review.pk).update(**{field: value})


def test_levels_1_and_5_are_allowed(db):
    risk = factories.BAFRiskFactory(current_likelihood=1, current_consequence=5)
    assert risk.current_score.label == "5 (1×5) Moderate"


def test_one_update_per_cycle_and_workstream(db):
    update = factories.WorkstreamUpdateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkstreamUpdate.objects.create(cycle=update.cycle, workstream=update.workstream)
    # The same workstream in another quarter is a different update.
    other_cycle = factories.ReportingCycleFactory(
        quarter=4,
        opens_on=datetime.date(2022, 3, 1),
        submission_deadline=datetime.date(2022, 3, 20),
        review_deadline=datetime.date(2022, 4, 7),
    )
    WorkstreamUpdate.objects.create(cycle=other_cycle, workstream=update.workstream)


def test_one_update_per_cycle_and_golden_thread(db):
    update = factories.GoldenThreadUpdateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GoldenThreadUpdate.objects.create(cycle=update.cycle, golden_thread=update.golden_thread)


def test_one_review_per_risk_and_cycle(db):
    review = factories.RiskReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.RiskReviewFactory(risk=review.risk, cycle=review.cycle)


@pytest.mark.parametrize("model", [WorkstreamUpdate, GoldenThreadUpdate, RiskReview])
@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"approved_at": "now"}, id="approved_at-without-approved_by"),
        pytest.param({"approved_by": "user"}, id="approved_by-without-approved_at"),
        pytest.param({"state": "APPROVED"}, id="approved-state-without-approval"),
        pytest.param({"state": "PUBLISHED"}, id="published-state-without-approval"),
        pytest.param({"state": "RETURNED"}, id="returned-without-comment"),
    ],
)
def test_the_database_keeps_the_workflow_consistent(db, governance, model, values):
    row = {
        WorkstreamUpdate: factories.WorkstreamUpdateFactory,
        GoldenThreadUpdate: factories.GoldenThreadUpdateFactory,
        RiskReview: factories.RiskReviewFactory,
    }[model]()
    resolved = {
        name: {"now": timezone.now(), "user": governance}.get(value, value)
        for name, value in values.items()
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**resolved)


def test_an_approval_with_both_stamps_is_allowed(db, governance):
    update = factories.WorkstreamUpdateFactory()
    WorkstreamUpdate.objects.filter(pk=update.pk).update(
        state="APPROVED", approved_at=timezone.now(), approved_by=governance
    )


# --- periods ----------------------------------------------------------------------------------


def test_labels():
    assert Quarter(2021, 2).label == "Q2 2021/22"
    assert Quarter(2021, 2).long_label == "Quarter 2 2021/22"
    assert Half(2021, 2).label == "H2 2021/22"
    assert Month(2021, 3).label == "M3"
    assert Month(2021, 3).long_label == "M3 2021/22 (June 2021)"
    assert fy_label(2021) == "2021/22"
    assert fy_label(1999) == "1999/00"


def test_31_march_is_in_q4_of_the_year_that_started_the_april_before():
    last_day = datetime.date(2022, 3, 31)
    assert fy_start_year_for(last_day) == 2021
    assert Quarter.containing(last_day) == Quarter(2021, 4)
    assert Quarter.containing(last_day).label == "Q4 2021/22"
    assert Quarter.containing(last_day).half.label == "H2 2021/22"
    assert Month.containing(last_day) == Month(2021, 12)


def test_1_april_starts_q1_of_the_next_year():
    first_day = datetime.date(2022, 4, 1)
    assert fy_start_year_for(first_day) == 2022
    assert Quarter.containing(first_day) == Quarter(2022, 1)
    assert Quarter.containing(first_day).label == "Q1 2022/23"
    assert Month.containing(first_day) == Month(2022, 1)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Quarter(2021, 1), (2021, 4, 1), (2021, 6, 30)),
        (Quarter(2021, 2), (2021, 7, 1), (2021, 9, 30)),
        (Quarter(2021, 3), (2021, 10, 1), (2021, 12, 31)),
        (Quarter(2021, 4), (2022, 1, 1), (2022, 3, 31)),
        (Half(2021, 1), (2021, 4, 1), (2021, 9, 30)),
        (Half(2021, 2), (2021, 10, 1), (2022, 3, 31)),
        (Month(2021, 1), (2021, 4, 1), (2021, 4, 30)),
        (Month(2021, 3), (2021, 6, 1), (2021, 6, 30)),
        (Month(2021, 11), (2022, 2, 1), (2022, 2, 28)),
        (Month(2023, 11), (2024, 2, 1), (2024, 2, 29)),
        (Month(2021, 12), (2022, 3, 1), (2022, 3, 31)),
    ],
    ids=str,
)
def test_date_ranges(period, start, end):
    assert (period.start, period.end) == (datetime.date(*start), datetime.date(*end))


def test_every_day_of_a_year_is_in_exactly_the_quarter_whose_range_holds_it():
    day = datetime.date(2021, 4, 1)
    while day <= datetime.date(2022, 3, 31):
        quarter = Quarter.containing(day)
        assert quarter.fy_start_year == 2021
        assert quarter.start <= day <= quarter.end
        day += datetime.timedelta(days=1)


def test_next_and_previous_cross_the_year_end():
    assert Quarter(2021, 4).next() == Quarter(2022, 1)
    assert Quarter(2022, 1).previous() == Quarter(2021, 4)


@pytest.mark.parametrize("text", ["Q2 2021/22", "Q2: 21/22", "q2 21/22", "Quarter 2 2021/22"])
def test_quarters_are_read_however_they_are_written(text):
    assert Quarter.parse(text) == Quarter(2021, 2)


@pytest.mark.parametrize("text", ["Q5 2021/22", "Q2 2021/23", "second quarter"])
def test_a_quarter_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)


def test_there_is_no_quarter_5():
    with pytest.raises(ValueError):
        Quarter(2021, 5)


def test_a_cycle_is_labelled_by_its_quarter(db):
    assert factories.ReportingCycleFactory(fy_start_year=2021, quarter=2).label == "Q2 2021/22"


# --- status words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("On Track", DeliveryStatus.ON_TRACK),
        ("On-Track", DeliveryStatus.ON_TRACK),
        ("on track", DeliveryStatus.ON_TRACK),
        ("  ON  TRACK ", DeliveryStatus.ON_TRACK),
        ("Work not started", DeliveryStatus.NOT_STARTED),
        ("Not started", DeliveryStatus.NOT_STARTED),
        ("Delayed", DeliveryStatus.DELAYED),
        ("At risk", DeliveryStatus.AT_RISK),
        ("Complete", DeliveryStatus.COMPLETE),
        ("Paused", DeliveryStatus.PAUSED),
        ("ON_TRACK", DeliveryStatus.ON_TRACK),
    ],
)
def test_status_words_map_to_codes(word, code):
    assert status_from_word(word) == code


@pytest.mark.parametrize("word", ["Nearly there", "", "On Trak"])
def test_an_unknown_status_word_is_an_error(word):
    with pytest.raises(ValueError, match="not a status the portal knows"):
        status_from_word(word)


def test_status_codes_labels_and_colours_are_as_designed():
    assert [(s.value, s.label, STATUS_COLOURS[s]) for s in DeliveryStatus] == [
        ("NOT_STARTED", "Not started", "grey"),
        ("ON_TRACK", "On track", "green"),
        ("AT_RISK", "At risk", "amber"),
        ("DELAYED", "Delayed", "red"),
        ("COMPLETE", "Complete", "blue"),
        ("PAUSED", "Paused", "grey"),
    ]


# --- rich text --------------------------------------------------------------------------------

HOSTILE = (
    '<p>Before<script>alert("x")</script>after</p>'
    '<p><img src="x" onerror="alert(1)"></p>'
    '<p><a href="javascript:alert(1)">bad link</a></p>'
    '<p onclick="alert(1)">clicked</p>'
)
KEPT = (
    "<ul><li>One</li><li>Two</li></ul>"
    '<ol start="3"><li>Three</li></ol>'
    "<table><thead><tr><th>Milestone</th></tr></thead>"
    "<tbody><tr><td>Agreed</td></tr></tbody></table>"
    '<p><a href="https://www.england.nhs.uk/">NHS England</a> and <strong>bold</strong></p>'
)


def test_saving_rich_text_strips_scripts_handlers_and_javascript_urls(db):
    update = factories.WorkstreamUpdateFactory()
    update.key_risks = HOSTILE + KEPT
    update.save()
    update.refresh_from_db()
    stored = update.key_risks
    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in stored
    assert "<p>Beforeafter</p>" in stored
    assert "<ul><li>One</li><li>Two</li></ul>" in stored
    assert '<ol start="3"><li>Three</li></ol>' in stored
    assert "<table><thead><tr><th>Milestone</th></tr></thead>" in stored
    assert "<tbody><tr><td>Agreed</td></tr></tbody></table>" in stored
    assert '<a href="https://www.england.nhs.uk/" rel="noopener noreferrer">NHS England</a>' in (
        stored
    )
    assert "<strong>bold</strong>" in stored


def test_every_rich_text_field_is_cleaned_on_save(db):
    thread = factories.GoldenThreadFactory(current_drivers="<p>Drivers<script>x()</script></p>")
    risk = factories.BAFRiskFactory(controls='<p><a href="javascript:x()">c</a></p>')
    thread.refresh_from_db()
    risk.refresh_from_db()
    assert thread.current_drivers == "<p>Drivers</p>"
    assert "javascript:" not in risk.controls


def test_an_empty_editor_paragraph_is_stored_as_nothing():
    assert sanitise_html("<p><br></p>") == ""
    assert sanitise_html(None) == ""


# --- migrations -------------------------------------------------------------------------------


def test_no_pending_migrations(db):
    out = StringIO()
    # Exits with status 1 (SystemExit) when a model change has no migration.
    call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()
