"""Years and dates are held to a plausible range, and a bad value in a query string or a form
is a 404 or a form error, never a 500 (the issue "No lost work, no dead ends, no 500s").

Financial years run 2000 to 2100 unless PORTAL_FIRST_YEAR / PORTAL_LAST_YEAR say otherwise,
so dates run from 1 April 2000 to 31 March 2101."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dataio import parsing
from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from ics_portal.workflow.errors import ActionError
from packs.models import BoardPack
from reporting import actions
from reporting.forms import CycleForm
from risks.forms import RiskForm
from risks.models import BAFRisk
from workstreams.models import Milestone

from .. import factories
from ..dates import date_fields, with_dates
from ..updates.support import form_data, url

HTMX = {"HTTP_HX_REQUEST": "true"}
RANGE = "between 1 April 2000 and 31 March 2101"
IMPLAUSIBLE = ["0001-01-01", "0003-03-03", "1999-12-31", "2101-04-01", "9999-12-31"]


CYCLE_DATES = ("opens_on", "submission_deadline", "review_deadline", "board_meeting_date")


def _cycle_data(*, admin: bool = False, **changes) -> dict:
    """What the cycle form posts: each date as day, month and year (the admin's form takes
    them whole)."""
    data = {
        "fy_start_year": "2022",
        "quarter": "1",
        "opens_on": "2022-06-01",
        "submission_deadline": "2022-06-20",
        "review_deadline": "2022-07-07",
        "board_forum": "System Partnership Board",
        "board_meeting_date": "2022-07-27",
    }
    data.update(changes)
    return data if admin else with_dates(data, *CYCLE_DATES)


def pack_data(cycle, **changes) -> dict:
    """What the board pack form posts for a public pack (test_date_time_input uses it too)."""
    data = {
        "cycle": cycle.pk,
        "title": "Development plan progress report",
        "meeting": "System Partnership Board Meeting in Public",
        "date_of_meeting": "2021-10-27",
        "lead": "Jan Thomas",
        "author": "Sharon Fox",
        "purpose": "ASSURE",
        "purpose_of_paper": "To report progress.",
        "recommendation": "The Board is asked to note the report.",
        "sections": ["summary"],
        "visibility": "PUBLIC",
    }
    data.update(changes)
    return with_dates(data, "date_of_meeting")


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- financial years --------------------------------------------------------------------------


def test_a_typo_year_is_refused_by_the_cycle_form(client, governance):
    client.force_login(governance)
    response = client.post(reverse("reporting:cycle_create"), _cycle_data(fy_start_year="99999"))
    assert response.status_code == 200
    assert "Enter a financial year between 2000 and 2100" in response.content.decode()
    assert not ReportingCycle.objects.exists()
    # ... so every page that lists cycles keeps working.
    assert client.get(reverse("reporting:cycle_list")).status_code == 200
    assert client.get(reverse("reporting:cycle_create")).status_code == 200


def test_a_typo_year_is_refused_in_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.post(
        _admin_url(ReportingCycle, "add"), _cycle_data(admin=True, fy_start_year="99999")
    )
    assert response.status_code == 200
    assert "Enter a financial year between 2000 and 2100" in response.content.decode()
    assert not ReportingCycle.objects.exists()


def test_create_cycle_refuses_a_year_outside_the_range(governance):
    fields = CycleForm(_cycle_data())
    assert fields.is_valid(), fields.errors
    with pytest.raises(ActionError, match="Enter a financial year between 2000 and 2100"):
        actions.create_cycle(by=governance, **{**fields.action_fields(), "fy_start_year": 99999})
    assert not ReportingCycle.objects.exists()


@pytest.mark.parametrize(
    ("year", "valid"), [(1999, False), (2000, True), (2100, True), (2101, False)]
)
def test_the_first_and_last_years_are_allowed(db, year, valid):
    period = Quarter(year, 1)
    form = CycleForm(
        _cycle_data(
            fy_start_year=str(year),
            opens_on=period.start.isoformat(),
            submission_deadline=period.end.isoformat(),
            review_deadline=period.end.isoformat(),
            board_meeting_date=period.end.isoformat(),
        )
    )
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["fy_start_year"] == ["Enter a financial year between 2000 and 2100"]


def test_the_year_range_is_a_setting(db, settings):
    settings.PORTAL_FIRST_YEAR, settings.PORTAL_LAST_YEAR = 2015, 2040
    form = CycleForm(_cycle_data(fy_start_year="2041"))
    assert form.errors["fy_start_year"] == ["Enter a financial year between 2015 and 2040"]
    form = CycleForm(_cycle_data(opens_on="2015-03-31"))
    assert form.errors["opens_on"] == ["Opens on must be between 1 April 2015 and 31 March 2041"]


def test_an_objectives_target_year_is_bounded(db):
    objective = factories.ObjectiveFactory.build(
        workstream=factories.WorkstreamFactory(), target_fy_start_year=2101, target_quarter=1
    )
    with pytest.raises(ValidationError) as raised:
        objective.full_clean()
    assert raised.value.message_dict["target_fy_start_year"] == [
        "Enter a financial year between 2000 and 2100"
    ]


def test_a_quarter_outside_the_range_is_not_read(db):
    with pytest.raises(ValueError, match="between 2000/01 and 2100/01"):
        Quarter.parse("Q4 9999/00")
    assert Quarter.parse("Q4 2100/01") == Quarter(2100, 4)


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", IMPLAUSIBLE)
@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("opens_on", "Opens on"),
        ("review_deadline", "Review deadline"),
        ("board_meeting_date", "Board meeting date"),
    ],
)
def test_cycle_dates_are_bounded(db, field, label, value):
    form = CycleForm(_cycle_data(**{field: value}))
    assert not form.is_valid()
    assert f"{label} must be {RANGE}" in form.errors[field]


def test_the_first_and_last_days_are_allowed(db):
    form = CycleForm(
        _cycle_data(
            fy_start_year="2000",
            opens_on="2000-04-01",
            submission_deadline="2000-04-01",
            review_deadline="2101-03-31",
            board_meeting_date="2101-03-31",
        )
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_meeting_date_at_the_ends_of_the_calendar_is_a_form_error(client, governance, value):
    cycle = factories.ReportingCycleFactory()
    client.force_login(governance)
    response = client.post(reverse("packs:create"), pack_data(cycle, date_of_meeting=value))
    assert response.status_code == 200
    assert f"Date of meeting must be {RANGE}" in response.content.decode()
    assert not BoardPack.objects.exists()


def test_an_embargo_at_the_ends_of_the_calendar_is_a_form_error(client, governance):
    cycle = factories.ReportingCycleFactory()
    client.force_login(governance)
    response = client.post(
        reverse("packs:create"), pack_data(cycle, embargo_until="0001-01-01T00:00")
    )
    assert response.status_code == 200
    assert f"Public from must be {RANGE}" in response.content.decode()
    assert not BoardPack.objects.exists()


def test_a_half_typed_revised_date_is_not_autosaved(client, lead, update, plan):
    """Typing 3/3/2023 into type="date" passed through 0003-03-03 on the way; the boxes of the
    date input can hold a year caught half typed too."""
    client.force_login(lead)
    field = f"milestone_{plan.overdue.pk}_revised_date"
    response = client.post(
        url(update, "update_autosave"), form_data(update, **{field: "0003-03-03"}), **HTMX
    )
    # The message names the milestone: an update has several revised dates.
    assert response.content.decode().startswith(
        '<span class="app-autosave-problem">Not saved yet: Revised date of '
        f"&quot;{plan.overdue.title}&quot; must be {RANGE}"
    )
    update.refresh_from_db()
    assert update.version == 1
    assert update.milestone_progress.get(milestone=plan.overdue).revised_date is None


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_of_update_at_the_ends_of_the_calendar_is_refused(client, lead, update, value):
    client.force_login(lead)
    response = client.post(url(update, "update_edit"), form_data(update, date_of_update=value))
    assert response.status_code == 200
    assert f"Date of update must be {RANGE}" in response.content.decode()
    update.refresh_from_db()
    assert update.version == 1 and update.date_of_update is None


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_risks_next_review_date_is_bounded(db, value):
    form = RiskForm(
        {
            "reference": "07",
            "title": "Workforce",
            "description": "A risk.",
            "category": BAFRisk.Category.GOVERNANCE,
            **{
                f"{b}_{f}": "3"
                for b in ("initial", "current", "target")
                for f in ("likelihood", "consequence")
            },
            **date_fields("next_review", value),
        }
    )
    assert form.errors["next_review"] == [f"Next review date must be {RANGE}"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_milestones_delivery_date_is_bounded_in_the_admin(client, superuser, value):
    milestone = factories.MilestoneFactory()
    client.force_login(superuser)
    response = client.post(
        _admin_url(Milestone, "change", milestone.pk),
        {
            "title": milestone.title,
            "due_date": value,
            "due_precision": "MONTH",
            "due_label": "Delivery by Sept 2021",
            "critical_path": "on",
        },
    )
    assert response.status_code == 200
    assert f"Delivery date must be {RANGE}" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.due_date == datetime.date(2021, 9, 30)


@pytest.mark.parametrize(
    ("model", "field", "message"),
    [
        (Milestone, "due_date", "Delivery date"),
        (BoardPack, "date_of_meeting", "Date of meeting"),
        (ReportingCycle, "submission_deadline", "Submission deadline"),
    ],
)
def test_models_refuse_implausible_dates(db, model, field, message):
    obj = model(**{field: datetime.date(1, 1, 1)})
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    assert raised.value.message_dict[field] == [f"{message} must be {RANGE}"]


@pytest.mark.parametrize("text", ["31/12/9999", "01/01/0001", "0003-03-03", "31 March 1999"])
def test_import_date_cells_are_bounded(text):
    with pytest.raises(ValueError, match=f"is not {RANGE}"):
        parsing.parse_date(text)


@pytest.mark.parametrize("value", [datetime.date(1, 1, 1), datetime.datetime(9999, 12, 31)])
def test_import_date_cells_from_excel_are_bounded(value):
    with pytest.raises(ValueError, match=f"is not {RANGE}"):
        parsing.parse_date(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Sept 0003", f'"Sept 0003" is not {RANGE}'),
        ("31/12/9999", f'"31/12/9999" is not {RANGE}'),
        ("Q2 2101/02", "the financial year must be between 2000/01 and 2100/01"),
        ("2199/00", "the financial year must be between 2000/01 and 2100/01"),
    ],
)
def test_delivery_dates_are_bounded(text, message):
    with pytest.raises(ValueError, match=message):
        parsing.parse_delivery_by(text, reference=datetime.date(2021, 6, 1))


# --- query strings ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-1", "1.5"])
def test_a_bad_cycle_in_the_new_pack_link_is_not_found(client, governance, value):
    factories.ReportingCycleFactory()
    client.force_login(governance)
    assert client.get(reverse("packs:create"), {"cycle": value}).status_code == 404


def test_the_new_pack_link_preselects_its_cycle(client, governance):
    first = factories.ReportingCycleFactory(fy_start_year=2021, quarter=2)
    factories.ReportingCycleFactory(fy_start_year=2021, quarter=3)
    client.force_login(governance)
    response = client.get(reverse("packs:create"), {"cycle": first.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["cycle"] == first


ADMIN_QUERIES = [
    ("ics_portal", "auditevent", {"created_at__year": "9999999999999999999999"}),
    ("ics_portal", "auditevent", {"created_at__year": "9999"}),
    ("ics_portal", "auditevent", {"created_at__year": "9999", "created_at__month": "12"}),
    (
        "ics_portal",
        "auditevent",
        {"created_at__year": "9999", "created_at__month": "12", "created_at__day": "31"},
    ),
    (
        "ics_portal",
        "auditevent",
        {"created_at__year": "2021", "created_at__month": "99999999999999999999"},
    ),
    ("ics_portal", "auditevent", {"created_at__year": "abc"}),
    # Filters well, but overflows when made UTC for the query (on SQLite).
    ("axes", "accessattempt", {"attempt_time__gte": "0001-01-01 00:00:00+05:00"}),
    ("packs", "boardpack", {"date_of_meeting__year": "0"}),
    ("packs", "boardpack", {"date_of_meeting__year": "-5"}),
    ("packs", "publishedpack", {"published_at__year": "9999"}),
    ("workstreams", "milestone", {"due_date__year": "9999", "due_date__month": "12"}),
    ("ics_portal", "reportingcycle", {"fy_start_year": "abc"}),
    ("ics_portal", "reportingcycle", {"fy_start_year": "99999999999999999999999"}),
    ("reporting", "workstreamupdate", {"cycle__id__exact": "abc"}),
    ("reporting", "workstreamupdate", {"cycle__id__exact": "99999999999999999999999"}),
    ("workstreams", "objective", {"target_quarter": "x"}),
    (
        "reporting",
        "remindersent",
        {"sent_on__year": "9999", "sent_on__month": "12", "sent_on__day": "31"},
    ),
]


@pytest.mark.parametrize(("app", "model", "query"), ADMIN_QUERIES)
def test_bad_admin_filters_are_not_a_server_error(client, superuser, app, model, query):
    client.force_login(superuser)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"), query)
    assert response.status_code < 500
    if response.status_code == 302:
        # Django's answer to a filter it cannot apply: the list again, unfiltered, saying so.
        assert response["Location"].endswith("?e=1")
        assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("view", "args"),
    [
        ("workstreams_workstream_history", ["abc"]),
        ("workstreams_workstream_simple_history", ["1", "abc"]),
        ("workstreams_workstream_simple_history", ["abc", "1"]),
    ],
)
def test_history_pages_of_an_id_that_is_not_a_number_are_not_found(client, superuser, view, args):
    factories.WorkstreamFactory()
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{view}", args=args)).status_code == 404


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("workstreams_theme", {"leads": "on"}),
        ("reporting_goldenthreadupdate", {"cycle": "9999999999999999999999"}),
        ("packs_boardpack", {"embargo_until": "2021-12-31 09:00"}),
        ("packs_boardpack", {"embargo_until": "not a time"}),
    ],
)
def test_add_pages_leave_out_initial_values_they_cannot_show(client, superuser, model, query):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{model}_add"), query).status_code == 200


def test_an_add_page_still_takes_usable_initial_values(client, superuser):
    cycle = factories.ReportingCycleFactory()
    client.force_login(superuser)
    response = client.get(
        reverse("admin:packs_boardpack_add"),
        {"cycle": str(cycle.pk), "embargo_until": "2021-12-31 09:00", "title": "Q3 pack"},
    )
    form = response.context["adminform"].form
    assert form.initial["cycle"] == cycle.pk and form.initial["title"] == "Q3 pack"
    assert form.initial["embargo_until"] == datetime.datetime(2021, 12, 31, 9, 0)


def test_an_empty_to_field_is_no_field(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:ics_portal_user_change", args=[superuser.pk])
    assert client.get(url, {"_to_field": ""}).status_code == 200


def test_a_key_beyond_any_integer_column_is_no_choice(client, governance):
    """Every ModelMultipleChoiceField checks its keys with __in, which SQLite could not take
    beyond 64 bits."""
    theme = factories.ThemeFactory()
    client.force_login(governance)
    response = client.post(
        reverse("risks:create"),
        {"reference": "07", "title": "Workforce", "themes": [theme.pk, "99999999999999999999"]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(Milestone.objects.filter(pk__in=[2**70])) == []


@pytest.mark.parametrize("reference", ["Æ1", "07/08", "R 12", "²"])
def test_a_risk_reference_must_fit_its_address(client, governance, reference):
    """/risks/<reference>/ takes letters, numbers and hyphens: a risk saved with any other
    reference could not be linked to (every page naming it failed)."""
    client.force_login(governance)
    response = client.post(
        reverse("risks:create"),
        {
            "reference": reference,
            "title": "Workforce",
            "description": "A risk.",
            "category": BAFRisk.Category.GOVERNANCE,
            **{
                f"{b}_{f}": "3"
                for b in ("initial", "current", "target")
                for f in ("likelihood", "consequence")
            },
        },
    )
    assert response.status_code == 200
    assert "Enter a reference of up to 10 letters, numbers and hyphens, like 07" in (
        response.content.decode()
    )
    assert not BAFRisk.objects.exists()


@pytest.mark.parametrize("person", ["abc", "on"])
def test_reminding_a_person_who_is_not_one_is_not_found(client, governance, person):
    cycle = factories.ReportingCycleFactory()
    client.force_login(governance)
    response = client.post(reverse("reporting:cycle_remind", args=[cycle.pk]), {"person": person})
    assert response.status_code == 404


def test_create_risk_refuses_a_reference_that_cannot_be_linked_to(governance):
    from ics_portal.workflow.errors import SubmissionInvalid
    from risks import actions as risk_actions

    fields = {
        "reference": "R 12",
        "title": "Workforce",
        "description": "A risk.",
        "category": BAFRisk.Category.GOVERNANCE,
        **{
            f"{b}_{f}": 3
            for b in ("initial", "current", "target")
            for f in ("likelihood", "consequence")
        },
    }
    with pytest.raises(SubmissionInvalid) as raised:
        risk_actions.create_risk(by=governance, fields=fields)
    assert raised.value.errors == {
        "reference": "Enter a reference of up to 10 letters, numbers and hyphens, like 07"
    }
    assert not BAFRisk.objects.exists()


@pytest.mark.parametrize(
    ("model", "field"), [("workstreams_objective", "workstream"), ("risks_bafrisk", "owner")]
)
def test_an_admin_form_posted_with_a_key_that_is_not_one_shows_its_errors(
    client, superuser, model, field
):
    """The autocomplete box looked the posted key up to show it again, and failed."""
    client.force_login(superuser)
    response = client.post(reverse(f"admin:{model}_add"), {field: "abc"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_an_inline_autocomplete_posted_with_a_key_that_is_not_one_shows_its_errors(
    client, superuser
):
    milestone = factories.MilestoneFactory()
    client.force_login(superuser)
    response = client.post(
        _admin_url(Milestone, "change", milestone.pk),
        {
            "title": milestone.title,
            "due_precision": "MONTH",
            "Workstream_milestones-TOTAL_FORMS": "1",
            "Workstream_milestones-INITIAL_FORMS": "0",
            "Workstream_milestones-0-workstream": "abc",
        },
    )
    assert response.status_code == 200


def test_a_refused_risk_edit_keeps_the_risks_own_reference_on_the_page(client, governance):
    """The form wrote the refused reference onto the risk the page links to ("Cancel", the
    heading), and the link could not be made."""
    risk = factories.BAFRiskFactory(reference="07")
    client.force_login(governance)
    response = client.post(
        reverse("risks:edit", kwargs={"reference": "07"}),
        {"reference": "R 12", "title": risk.title, "version": str(risk.version)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Edit risk 07</h1>" in html
    assert "Enter a reference of up to 10 letters, numbers and hyphens, like 07" in html
