"""Governance runs a cycle through its pages: create, open, follow progress (counts overall
and per theme, overdue highlighted, leads and last change), remind outstanding leads, close."""

import datetime
import re

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ics_portal.models import AuditEvent, ReportingCycle
from ics_portal.status import WorkflowState
from reporting import actions
from reporting.models import ReminderSent, WorkstreamUpdate

from .. import factories
from ..dates import with_dates
from .support import approve, make_workstream, submit, url

CYCLE_DATES = ("opens_on", "submission_deadline", "review_deadline", "board_meeting_date")


def test_create_then_open_a_cycle(client, lead, governance, django_capture_on_commit_callbacks):
    make_workstream(lead)
    client.force_login(governance)
    page = client.get(reverse("reporting:cycle_create")).content.decode()
    assert 'name="fy_start_year"' in page and 'name="submission_deadline_day"' in page
    data = with_dates(
        {
            "fy_start_year": "2021",
            "quarter": "3",
            "opens_on": "2021-12-01",
            "submission_deadline": "2021-12-20",
            "review_deadline": "2022-01-07",
            "board_forum": "System Partnership Board",
            "board_meeting_date": "2022-01-26",
        },
        *CYCLE_DATES,
    )
    response = client.post(reverse("reporting:cycle_create"), data)
    cycle = ReportingCycle.objects.get(fy_start_year=2021, quarter=3)
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert cycle.status == ReportingCycle.Status.DRAFT
    assert AuditEvent.objects.filter(verb="cycle.create").exists()
    html = client.get(cycle.get_absolute_url()).content.decode()
    assert "Open the cycle" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:cycle_open", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPEN
    assert WorkstreamUpdate.objects.filter(cycle=cycle).count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "Q3 2021/22 is open: 1 update was created" in html
    assert [m.to for m in mail.outbox] == [[lead.email]]


def test_a_second_cycle_for_the_same_quarter_is_refused(client, governance, plan):
    client.force_login(governance)
    data = with_dates(
        {
            "fy_start_year": "2021",
            "quarter": "3",
            "opens_on": "2021-12-01",
            "submission_deadline": "2021-11-20",
            "review_deadline": "2021-11-07",
        },
        *CYCLE_DATES,
    )
    response = client.post(reverse("reporting:cycle_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_quarter">There is already a reporting cycle for Q3 2021/22</a>' in html
    assert "The submission deadline must be after opening" in html
    assert "The review deadline must be on or after the submission deadline" in html


def test_the_create_form_suggests_the_next_quarter(client, governance, plan):
    client.force_login(governance)
    html = client.get(reverse("reporting:cycle_create")).content.decode()
    assert re.search(r'name="fy_start_year" value="2021"', html)
    assert re.search(r'<option value="4" selected>Quarter 4</option>', html)


def test_the_cycle_list_counts_each_cycles_updates(client, governance, lead, plan, update):
    approve(update, lead, governance)
    client.force_login(governance)
    html = client.get(reverse("reporting:cycle_list")).content.decode()
    assert "Q3 2021/22" in html and "Q2 2021/22" in html
    assert "1 of 3" in html  # Q3: DIGITAL approved; WORKFORCE and the thread not
    assert "2 of 3" in html  # Q2: both workstreams approved, the thread only saved


def test_the_progress_page(client, lead, other_lead, governance, plan, update, thread_update):
    submit(thread_update, lead)
    client.force_login(governance)
    html = client.get(plan.cycle.get_absolute_url()).content.decode()
    counts = re.search(r'id="progress-counts">(.*?)</table>', html, re.S)[1]
    theme = plan.workstream.theme.name
    theme_row = re.search(rf"{theme}</th>(.*?)</tr>", counts, re.S)[1]
    assert re.findall(r">(\d+)</td>", theme_row) == ["1", "0", "0", "0", "0", "1"]
    total_row = re.search(r"All updates</strong></th>(.*?)</tr>", counts, re.S)[1]
    # not started, draft, returned, submitted, approved, total
    assert re.findall(r">(\d+)</td>", total_row) == ["2", "0", "0", "1", "0", "3"]
    assert 'class="app-progress"' in html
    row = re.search(rf'id="update-workstream-{update.pk}">(.*?)</tr>', html, re.S)[1]
    assert "Lee Lead" in row and "Not started" in row and "Overdue" not in row
    thread_row = re.search(rf'id="update-thread-{thread_update.pk}">(.*?)</tr>', html, re.S)[1]
    assert "Submitted" in thread_row and "Lee Lead" in thread_row  # last change by
    assert url(thread_update, "update_review") in thread_row
    leads = re.search(r'id="outstanding-leads">(.*?)</table>', html, re.S)[1]
    assert "Lee Lead" in leads and "Ola Otherlead" in leads


def test_overdue_updates_are_highlighted(client, governance, plan, update):
    ReportingCycle.objects.filter(pk=plan.cycle.pk).update(
        submission_deadline=timezone.localdate() - datetime.timedelta(days=2),
        opens_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    client.force_login(governance)
    html = client.get(plan.cycle.get_absolute_url()).content.decode()
    assert 'class="nhsuk-table__row app-row--overdue" id="update-workstream-' in html
    assert "3 overdue." in html and "2 days overdue" in html


def test_remind_one_lead_then_not_again_today(
    client, lead, other_lead, governance, plan, django_capture_on_commit_callbacks
):
    client.force_login(governance)
    path = reverse("reporting:cycle_remind", args=[plan.cycle.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"person": lead.pk}, follow=True)
    assert "Reminder sent to Lee Lead." in response.content.decode()
    [message] = mail.outbox
    assert message.to == [lead.email]
    assert message.subject.startswith("Reminder: 2 Q3 2021/22 updates due by")
    assert ReminderSent.objects.get().kind == ReminderSent.Kind.MANUAL
    assert AuditEvent.objects.filter(verb="cycle.remind").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, follow=True)  # everyone outstanding
    html = response.content.decode()
    assert "Reminder sent to Ola Otherlead." in html
    assert "Already reminded today, so not emailed again: Lee Lead." in html
    assert [m.to for m in mail.outbox] == [[lead.email], [other_lead.email]]


def test_remind_someone_with_nothing_outstanding(client, governance, lead, plan, update):
    approve(update, lead, governance)
    client.force_login(governance)
    nobody = factories.UserFactory(full_name="Nora Nobody")
    response = client.post(
        reverse("reporting:cycle_remind", args=[plan.cycle.pk]), {"person": nobody.pk}, follow=True
    )
    assert "Nora Nobody has nothing outstanding in Q3 2021/22." in response.content.decode()


def test_close_the_cycle(client, governance, lead, plan, update):
    client.force_login(governance)
    path = reverse("reporting:cycle_close", args=[plan.cycle.pk])
    response = client.post(path, {"confirm": "yes"})
    assert response["Location"] == plan.cycle.get_absolute_url()
    plan.cycle.refresh_from_db()
    assert plan.cycle.status == ReportingCycle.Status.CLOSED
    client.force_login(lead)
    assert client.get(url(update, "update_edit")).status_code == 403


def test_closing_asks_first_saying_what_it_leaves_unfinished(
    client, governance, lead, plan, update
):
    submit(update, lead)
    client.force_login(governance)
    html = client.get(plan.cycle.get_absolute_url()).content.decode()
    path = reverse("reporting:cycle_close", args=[plan.cycle.pk])
    assert f'href="{path}">Close the cycle</a>' in html  # a link to the question, not a POST
    with CaptureQueriesContext(connection) as few:
        html = client.get(path).content.decode()
    assert "Close the Q3 2021/22 cycle?" in html
    assert "3 of 3 updates are not approved" in html
    assert "2 have not been submitted (not started, draft or returned)" in html
    assert "1 is submitted and waiting for review" in html
    assert "1 of 1 BAF risk review has not been submitted" in html
    assert "stops the reminder emails to the 2 people who still owe something" in html
    assert "Yes, close the cycle" in html and ">Cancel</a>" in html
    plan.cycle.refresh_from_db()
    assert plan.cycle.status == ReportingCycle.Status.OPEN  # asking changes nothing
    # A form posted without the confirmation asks the question rather than closing.
    assert client.post(path)["Location"] == path
    plan.cycle.refresh_from_db()
    assert plan.cycle.status == ReportingCycle.Status.OPEN
    # Ten more updates: the same number of queries.
    factories.WorkstreamUpdateFactory.create_batch(10, cycle=plan.cycle)
    with CaptureQueriesContext(connection) as many:
        html = client.get(path).content.decode()
    assert len(many) == len(few) <= 25
    assert "13 of 13 updates are not approved" in html


def test_a_closed_cycle_is_not_asked_to_close_again(client, governance, plan):
    actions.close_cycle(cycle=plan.cycle, by=governance)
    client.force_login(governance)
    path = reverse("reporting:cycle_close", args=[plan.cycle.pk])
    response = client.get(path, follow=True)
    assert "Only an open cycle can be closed; Q3 2021/22 is closed." in response.content.decode()


def test_my_updates_shows_overdue_and_state(client, lead, plan, update):
    ReportingCycle.objects.filter(pk=plan.cycle.pk).update(
        submission_deadline=timezone.localdate() - datetime.timedelta(days=1),
        opens_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    client.force_login(lead)
    html = client.get(reverse("reporting:my_updates")).content.decode()
    assert "1 day overdue" in html and "app-row--overdue" in html
    assert WorkflowState.NOT_STARTED.label in html


def test_the_cycle_form_sent_empty_shows_one_error_summary(client, governance):
    """The form's own error summary (the crispy pack draws it) and no second one: two would
    give the page two alerts and two "There is a problem" headings."""
    client.force_login(governance)
    data = with_dates({"fy_start_year": "2022", "quarter": "1", "board_forum": ""}, *CYCLE_DATES)
    html = client.post(reverse("reporting:cycle_create"), data).content.decode()
    assert html.count('class="nhsuk-error-summary"') == 1
    assert html.count("There is a problem") == 1
