"""Helpers for the admin's tests (tests/web/test_admin*.py and the admin URL walk in
tests/access/test_admin_walk.py): one of everything to open, URLs, and what a change page posts
back."""

import datetime

from django.urls import reverse

from dataio.models import ImportCheck, ImportJob
from ics_portal.models import Feedback, Forum, ForumAlias, ForumMember, Meeting, Post, PostAlias
from reporting.models import ReminderSent

from .. import factories


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_admin_data(lead, governance) -> dict:
    """One of everything, linked as the portal links them."""
    workstream = factories.WorkstreamFactory(name="Digital enablement", code="DE")
    workstream.leads.add(lead)
    workstream.deputies.add(governance)
    objective = factories.ObjectiveFactory(workstream=workstream, number=1)
    milestone = factories.MilestoneFactory(title="Agreement on organisational form")
    workstream.milestones.add(milestone)
    risk = factories.BAFRiskFactory(reference="07", title="Workforce capacity", owner=lead)
    workstream.baf_risks.add(risk)
    thread = factories.GoldenThreadFactory(name="Health inequalities")
    thread.system_leads.add(lead)
    workstream.golden_threads.add(thread)
    cycle = factories.ReportingCycleFactory()
    update = factories.WorkstreamUpdateFactory(cycle=cycle, workstream=workstream)
    factories.ObjectiveProgressFactory(update=update, objective=objective)
    factories.MilestoneProgressFactory(update=update, milestone=milestone, status="COMPLETE")
    factories.GoldenThreadUpdateFactory(cycle=cycle, golden_thread=thread)
    factories.RiskReviewFactory(risk=risk, cycle=cycle)
    published = factories.PublishedPackFactory(pack__cycle=cycle)
    factories.BoardPackFactory(cycle=cycle, title="Draft pack")
    factories.AuditEventFactory(actor_name="Gus Governance", verb="pack.create")
    Feedback.objects.create(trying_to_do="Find a report", what_happened="Could not")
    officer = Post.objects.create(title="Accountable Officer", short_name="AO", holder=lead)
    PostAlias.objects.create(post=officer, name="Chief Officer")
    board = Forum.objects.create(name="System Partnership Board", kind=Forum.Kind.BOARD)
    forum = Forum.objects.create(
        name="System Quality Group", abbreviation="SQG", reports_to=board, chair_post=officer
    )
    ForumAlias.objects.create(forum=forum, name="Quality Group")
    ForumMember.objects.create(forum=forum, role_label="Lay Members", count=2)
    Meeting.objects.create(forum=board, date=datetime.date(2021, 7, 28), in_public=True)
    ReminderSent.objects.create(
        person=lead, cycle=cycle, kind="REMINDER", sent_on=datetime.date(2021, 12, 15)
    )
    ImportJob.objects.create(
        owner=governance, kind="themes", label="Themes", filename="themes.xlsx", rows_total=3
    )
    ImportCheck.objects.create(
        owner=governance,
        kind="themes",
        label="Themes",
        filename="themes.xlsx",
        upload_token="c" * 43,
        rows_total=3,
    )
    return {
        "workstream": workstream,
        "objective": objective,
        "milestone": milestone,
        "risk": risk,
        "thread": thread,
        "cycle": cycle,
        "update": update,
        "published": published,
    }


def admin_post_data(response) -> dict:
    """What the change page would post back unchanged: its form and inline forms' values."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.initial_forms:
            add(form)
    return data
