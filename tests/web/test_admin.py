"""The admin: every page opens, search and autocomplete work, and workflow changes go through
the actions (approve, edits of updates and risks), while the audit trail, published packs and
field history cannot be changed."""

import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent, ReportingCycle, User
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import actions as workflow
from packs.models import PublishedPack
from reporting import actions
from reporting.models import WorkstreamUpdate
from risks.models import BAFRisk

from .. import factories
from .support import admin_post_data, admin_url

OUR_APPS = tuple(settings.PORTAL_APPS)


def _our_models():
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        # django-simple-history's Historical* tables are read through their model's admin.
        if not model.__name__.startswith("Historical")
    ]


def _submitted(update, lead):
    update = actions.save_update(
        update=update,
        base_version=update.version,
        by=lead,
        fields={
            "overall_status": DeliveryStatus.ON_TRACK,
            "forecast_status": DeliveryStatus.ON_TRACK,
            "nothing_to_escalate": True,
        },
    )
    return workflow.submit(update=update, by=lead)


# --- every page opens -------------------------------------------------------------------------


def test_every_model_of_the_portal_is_registered():
    missing = [m.__name__ for m in _our_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_open(admin_client, data, model):
    model_admin = admin.site._registry[model]
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200

    add = admin_client.get(admin_url(model, "add"))
    # The audit trail, published packs and update rows are never added by hand.
    expected = 200 if model_admin.has_add_permission(add.wsgi_request) else 403
    assert add.status_code == expected

    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the fixture makes no {model.__name__}"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m.__name__)
def test_every_search_runs(admin_client, data, model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} has no search"
    response = admin_client.get(admin_url(model, "changelist"), {"q": "zz-no-such-thing"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [m for m in _our_models() if hasattr(m, "history")],
    ids=lambda m: m.__name__,
)
def test_history_pages_open(admin_client, data, model):
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_the_admin_is_for_staff_only(client, data, lead):
    client.force_login(lead)
    response = client.get(admin_url(WorkstreamUpdate, "changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- search and autocomplete ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        (User, "lee lead", "Lee Lead"),
        (BAFRisk, "07", "Workforce capacity"),
        (BAFRisk, "workforce", "Workforce capacity"),
        (WorkstreamUpdate, "digital", "Digital enablement"),
        (WorkstreamUpdate, "Lee Lead", "Digital enablement"),
        (ReportingCycle, "Q3 2021/22", "Q3 2021/22"),
        (AuditEvent, "gus", "pack.create"),
    ],
)
def test_search_finds(admin_client, data, model, term, expected):
    response = admin_client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert expected in response.content.decode()


def test_search_leaves_out_what_does_not_match(admin_client, data):
    factories.BAFRiskFactory(reference="08", title="Finance")
    response = admin_client.get(admin_url(BAFRisk, "changelist"), {"q": "workforce"})
    assert [r.reference for r in response.context["cl"].result_list] == ["07"]


def test_people_are_picked_by_autocomplete(admin_client, data, lead):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "workstreams",
            "model_name": "workstream",
            "field_name": "leads",
            "term": "lee",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(lead.pk)]


def test_risks_are_picked_by_autocomplete(admin_client, data):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "workstreams",
            "model_name": "workstream",
            "field_name": "baf_risks",
            "term": "07",
        },
    )
    assert [r["id"] for r in response.json()["results"]] == [str(data["risk"].pk)]


def test_workstream_page_has_objectives_and_shared_milestones_inline(admin_client, data):
    response = admin_client.get(
        admin_url(type(data["workstream"]), "change", data["workstream"].pk)
    )
    formsets = {i.formset.model.__name__ for i in response.context["inline_admin_formsets"]}
    assert formsets == {"Objective", "WorkstreamMilestone"}
    page = response.content.decode()
    assert "Agreement on organisational form" in page and data["objective"].text in page
    # Each row takes this workstream's own delivery date (a shared milestone's may differ).
    assert "milestone_links-0-due_label" in page and "milestone_links-0-due_date" in page


# --- derived scores ---------------------------------------------------------------------------


def test_risk_scores_and_bands_are_shown_not_typed(admin_client, data):
    # Factory scores: initial 4×4, current 3×4, target 2×4.
    response = admin_client.get(admin_url(BAFRisk, "change", data["risk"].pk))
    page = response.content.decode()
    assert "16 (4×4) Extreme" in page
    assert "12 (3×4) High" in page
    assert "8 (2×4) High" in page
    form = response.context["adminform"].form
    assert not {"matrix", "status", "closed_reason", "version"} & set(form.fields)
    changelist = admin_client.get(admin_url(BAFRisk, "changelist")).content.decode()
    assert "16 (4×4) Extreme" in changelist


def test_a_risk_added_in_the_admin_goes_through_the_action(admin_client, data, superuser):
    page = admin_client.get(admin_url(BAFRisk, "add"))
    post = admin_post_data(page) | {
        "reference": "9",
        "title": "Digital resilience",
        "description": "Systems fail.",
        "category": BAFRisk.Category.SERVICE_DELIVERY,
        "initial_likelihood": "5",
        "initial_consequence": "5",
        "current_likelihood": "4",
        "current_consequence": "3",
        "target_likelihood": "1",
        "target_consequence": "3",
        "rationale": "<p>Because.</p><script>alert(1)</script>",
    }
    response = admin_client.post(admin_url(BAFRisk, "add"), post)
    assert response.status_code == 302, response.context["adminform"].form.errors
    risk = BAFRisk.objects.get(reference="09")
    assert risk.current_score.label == "12 (4×3) High"
    assert risk.rationale == "<p>Because.</p>"
    assert AuditEvent.objects.filter(verb="risk.create", object_id=str(risk.pk)).exists()
    assert risk.history.first().history_user == superuser


def test_a_level_outside_1_to_5_is_refused(admin_client, data):
    risk = data["risk"]
    page = admin_client.get(admin_url(BAFRisk, "change", risk.pk))
    response = admin_client.post(
        admin_url(BAFRisk, "change", risk.pk), admin_post_data(page) | {"current_likelihood": "6"}
    )
    assert response.status_code == 200
    assert "current_likelihood" in response.context["adminform"].form.errors
    risk.refresh_from_db()
    assert risk.current_likelihood == 3


def test_a_risk_edit_is_versioned_and_audited(admin_client, data):
    risk = data["risk"]
    page = admin_client.get(admin_url(BAFRisk, "change", risk.pk))
    response = admin_client.post(
        admin_url(BAFRisk, "change", risk.pk), admin_post_data(page) | {"current_likelihood": "5"}
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.current_score.label == "20 (5×4) Extreme"
    assert risk.version == 2
    event = AuditEvent.objects.get(verb="risk.edit")
    assert event.before == {"current_likelihood": 3} and event.after == {"current_likelihood": 5}


def test_a_stale_risk_edit_is_refused(admin_client, data, governance):
    risk = data["risk"]
    page = admin_client.get(admin_url(BAFRisk, "change", risk.pk))
    from risks import actions as risk_actions

    risk_actions.edit_risk(
        risk=risk, base_version=risk.version, by=governance, fields={"title": "Changed"}
    )
    response = admin_client.post(
        admin_url(BAFRisk, "change", risk.pk), admin_post_data(page) | {"title": "Mine"}
    )
    assert response.status_code == 200
    assert "changed by Gus Governance" in str(response.context["adminform"].form.non_field_errors())
    risk.refresh_from_db()
    assert risk.title == "Changed"


# --- updates: state read-only, edits and approval through the actions -------------------------


def test_workflow_state_is_read_only_on_updates(admin_client, data):
    update = data["update"]
    page = admin_client.get(admin_url(WorkstreamUpdate, "change", update.pk))
    form = page.context["adminform"].form
    assert not {"state", "approved_at", "approved_by", "submitted_at", "version"} & set(form.fields)
    response = admin_client.post(
        admin_url(WorkstreamUpdate, "change", update.pk),
        admin_post_data(page) | {"state": WorkflowState.APPROVED},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == WorkflowState.NOT_STARTED


def test_an_admin_edit_of_an_update_goes_through_save_update(admin_client, data, superuser):
    update = data["update"]
    page = admin_client.get(admin_url(WorkstreamUpdate, "change", update.pk))
    post = admin_post_data(page)
    post["overall_status"] = DeliveryStatus.AT_RISK
    post["objective_progress-0-progress"] = "<ul><li>Board agreed</li></ul>"
    response = admin_client.post(admin_url(WorkstreamUpdate, "change", update.pk), post)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.overall_status == DeliveryStatus.AT_RISK
    assert update.state == WorkflowState.DRAFT  # the first save starts the draft
    assert update.version == 2 and update.updated_by == superuser
    assert update.objective_progress.get().progress == "<ul><li>Board agreed</li></ul>"
    event = AuditEvent.objects.get(verb="update.save")
    assert "overall_status" in event.after["changed"]
    assert f"objective:{data['objective'].pk}" in event.after["changed"]


def test_an_unchanged_save_changes_nothing(admin_client, data):
    update = data["update"]
    page = admin_client.get(admin_url(WorkstreamUpdate, "change", update.pk))
    admin_client.post(admin_url(WorkstreamUpdate, "change", update.pk), admin_post_data(page))
    update.refresh_from_db()
    assert (update.version, update.state) == (1, WorkflowState.NOT_STARTED)
    assert not AuditEvent.objects.filter(verb="update.save").exists()


def test_a_stale_update_edit_is_refused(admin_client, data, lead):
    update = data["update"]
    page = admin_client.get(admin_url(WorkstreamUpdate, "change", update.pk))
    actions.save_update(
        update=update, base_version=1, by=lead, fields={"status_explanation": "Lead's words"}
    )
    response = admin_client.post(
        admin_url(WorkstreamUpdate, "change", update.pk),
        admin_post_data(page) | {"status_explanation": "Admin's words"},
    )
    assert response.status_code == 200
    assert "changed by Lee Lead" in str(response.context["adminform"].form.non_field_errors())
    update.refresh_from_db()
    assert update.status_explanation == "Lead's words"


def test_approve_action_calls_approve_update(admin_client, data, lead, superuser):
    update = _submitted(data["update"], lead)
    response = admin_client.post(
        admin_url(WorkstreamUpdate, "changelist"),
        {"action": "approve_selected", "_selected_action": [update.pk]},
        follow=True,
    )
    assert response.status_code == 200
    update.refresh_from_db()
    assert update.state == WorkflowState.APPROVED
    assert update.approved_by == superuser and update.approved_at is not None
    assert AuditEvent.objects.filter(
        verb="update.approve", object_type="reporting.WorkstreamUpdate", object_id=str(update.pk)
    ).exists()
    assert "Approved 1 item." in [str(m) for m in response.context["messages"]]


def test_approve_action_reports_refusals(admin_client, data):
    update = data["update"]  # not submitted
    response = admin_client.post(
        admin_url(WorkstreamUpdate, "changelist"),
        {"action": "approve_selected", "_selected_action": [update.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("Only a submitted update can be approved." in m for m in messages)
    update.refresh_from_db()
    assert update.state == WorkflowState.NOT_STARTED
    assert not AuditEvent.objects.filter(verb="update.approve").exists()


def test_an_approved_update_is_read_only(admin_client, data, lead, governance):
    update = workflow.approve(update=_submitted(data["update"], lead), by=governance)
    page = admin_client.get(admin_url(WorkstreamUpdate, "change", update.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        admin_url(WorkstreamUpdate, "change", update.pk), {"status_explanation": "x"}
    )
    assert response.status_code == 403


def test_history_can_be_read_but_not_reverted(admin_client, data, lead):
    update = actions.save_update(
        update=data["update"],
        base_version=1,
        by=lead,
        fields={"overall_status": DeliveryStatus.DELAYED},
    )
    record = update.history.order_by("history_id").first()
    url = reverse(
        "admin:reporting_workstreamupdate_simple_history", args=(update.pk, record.history_id)
    )
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"_change_history": "1"}).status_code == 403
    update.refresh_from_db()
    assert update.overall_status == DeliveryStatus.DELAYED


def test_opening_a_cycle_from_the_admin_uses_the_action(admin_client, data):
    cycle = factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=4,
        opens_on=datetime.date(2022, 3, 1),
        submission_deadline=datetime.date(2022, 3, 20),
        review_deadline=datetime.date(2022, 4, 7),
        status=ReportingCycle.Status.DRAFT,
    )
    admin_client.post(
        admin_url(ReportingCycle, "changelist"),
        {"action": "open_selected", "_selected_action": [cycle.pk]},
    )
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPEN
    assert WorkstreamUpdate.objects.filter(cycle=cycle, workstream=data["workstream"]).exists()
    assert AuditEvent.objects.filter(verb="cycle.open", object_id=str(cycle.pk)).exists()


# --- what can never change --------------------------------------------------------------------


def test_audit_events_cannot_be_added_changed_or_deleted(admin_client, data):
    event = AuditEvent.objects.exclude(verb=AuditVerb.SIGN_IN).get()  # not admin_client's
    change = admin_url(AuditEvent, "change", event.pk)
    page = admin_client.get(change)
    assert page.status_code == 200  # it can be read
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"verb": "tampered"}).status_code == 403
    assert admin_client.get(admin_url(AuditEvent, "add")).status_code == 403
    assert (
        admin_client.post(admin_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(
        admin_url(AuditEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    event.refresh_from_db()
    assert event.verb == "pack.create"


def test_published_packs_cannot_be_changed(admin_client, data):
    published = data["published"]
    change = admin_url(PublishedPack, "change", published.pk)
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"title": "Rewritten"}).status_code == 403
    assert admin_client.get(admin_url(PublishedPack, "add")).status_code == 403
    assert (
        admin_client.post(
            admin_url(PublishedPack, "delete", published.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    published.refresh_from_db()
    assert published.title != "Rewritten"


# --- people -----------------------------------------------------------------------------------


def test_a_person_is_added_by_email_without_a_username(admin_client, data, client):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.NHS.uk",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(full_name="New Person")
    assert person.email == "new.person@example.nhs.uk"
    assert not hasattr(person, "username")
    assert client.login(username="new.person@example.nhs.uk", password="a-long-unusual-passphrase")


def test_an_email_is_unique_however_it_is_typed(admin_client, data, lead):
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "email": lead.email.upper(),
            "full_name": "Copy",
            "usable_password": "false",
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_the_person_page_has_name_job_title_organisation_and_groups(admin_client, data, lead):
    form = admin_client.get(admin_url(User, "change", lead.pk)).context["adminform"].form
    assert {"email", "full_name", "job_title", "organisation", "groups"} <= set(form.fields)
    assert "username" not in form.fields


# --- the other admins that go through actions -------------------------------------------------


def test_a_golden_thread_update_edit_goes_through_save_update(admin_client, data):
    from reporting.models import GoldenThreadUpdate

    update = GoldenThreadUpdate.objects.get()
    page = admin_client.get(admin_url(GoldenThreadUpdate, "change", update.pk))
    post = admin_post_data(page) | {
        "quarter_update": "<p>Work began.</p>",
        "objectives": [str(data["objective"].pk)],
    }
    assert (
        admin_client.post(admin_url(GoldenThreadUpdate, "change", update.pk), post).status_code
        == 302
    )
    update.refresh_from_db()
    assert update.quarter_update == "<p>Work began.</p>"
    assert list(update.objectives.all()) == [data["objective"]]
    assert (update.version, update.state) == (2, WorkflowState.DRAFT)
    changed = AuditEvent.objects.get(verb="update.save").after["changed"]
    assert {"quarter_update", "objectives"} <= set(changed)


def test_a_risk_review_is_edited_through_save_review_and_accepted_by_action(
    admin_client, data, lead, superuser
):
    from risks.models import RiskReview

    review = RiskReview.objects.get()
    page = admin_client.get(admin_url(RiskReview, "change", review.pk))
    assert "12 (3×4) High" in page.content.decode()
    post = admin_post_data(page) | {"likelihood": "4", "rationale": "<p>Vacancies rose.</p>"}
    assert admin_client.post(admin_url(RiskReview, "change", review.pk), post).status_code == 302
    review.refresh_from_db()
    assert review.score.label == "16 (4×4) Extreme"
    assert (review.version, review.state) == (2, WorkflowState.DRAFT)

    workflow.submit(update=review, by=lead)
    admin_client.post(
        admin_url(RiskReview, "changelist"),
        {"action": "accept_selected", "_selected_action": [review.pk]},
    )
    review.refresh_from_db()
    assert review.state == WorkflowState.APPROVED and review.approved_by == superuser
    data["risk"].refresh_from_db()
    assert data["risk"].current_score.label == "16 (4×4) Extreme"


def test_a_cycle_added_in_the_admin_goes_through_create_cycle(admin_client, data):
    response = admin_client.post(
        admin_url(ReportingCycle, "add"),
        {
            "fy_start_year": "2022",
            "quarter": "1",
            "opens_on": "2022-06-01",
            "submission_deadline": "2022-06-20",
            "review_deadline": "2022-07-07",
            "board_forum": "System Partnership Board",
        },
    )
    assert response.status_code == 302
    cycle = ReportingCycle.objects.get(fy_start_year=2022, quarter=1)
    assert cycle.status == ReportingCycle.Status.DRAFT
    assert AuditEvent.objects.filter(verb="cycle.create", object_id=str(cycle.pk)).exists()


def test_a_board_pack_edit_goes_through_edit_pack(admin_client, data):
    from packs.models import BoardPack

    pack = BoardPack.objects.get(title="Draft pack")
    page = admin_client.get(admin_url(BoardPack, "change", pack.pk))
    post = admin_post_data(page) | {"recommendation": "The board is asked to approve."}
    assert admin_client.post(admin_url(BoardPack, "change", pack.pk), post).status_code == 302
    pack.refresh_from_db()
    assert pack.recommendation == "The board is asked to approve."
    assert pack.version == 2
    assert AuditEvent.objects.filter(verb="pack.edit", object_id=str(pack.pk)).exists()


def test_the_editor_media_carries_the_csp_nonce(admin_client, data):
    page = admin_client.get(admin_url(WorkstreamUpdate, "change", data["update"].pk))
    html = page.content.decode()
    assert '<script type="importmap" nonce="' in html


def test_a_reviewed_risk_is_closed_not_deleted(admin_client, data):
    reviewed = data["risk"]
    assert admin_client.get(admin_url(BAFRisk, "delete", reviewed.pk)).status_code == 403
    mistake = factories.BAFRiskFactory(reference="99", title="Typed by mistake")
    assert admin_client.get(admin_url(BAFRisk, "delete", mistake.pk)).status_code == 200


def test_a_governance_officer_who_is_not_a_superuser_can_work_in_the_admin(client, governance):
    assert not governance.is_superuser and governance.is_staff
    client.force_login(governance)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Workstreams" in index
    assert client.get(reverse("admin:workstreams_workstream_changelist")).status_code == 200
    assert client.get(reverse("admin:risks_bafrisk_add")).status_code == 200


@pytest.mark.parametrize(
    ("changelist", "kind"),
    [
        ("admin:workstreams_workstream_changelist", "workstreams"),
        ("admin:risks_bafrisk_changelist", "risks"),
        ("admin:ics_portal_user_changelist", "people"),
    ],
)
def test_imported_models_link_to_the_spreadsheet_import(client, governance, changelist, kind):
    client.force_login(governance)
    html = client.get(reverse(changelist)).content.decode()
    assert f'href="{reverse("dataio:index")}?kind={kind}#import">Import from a spreadsheet' in html
    assert f'href="{reverse("dataio:export", args=[kind])}">Export to a spreadsheet' in html
    page = client.get(reverse("dataio:index"), {"kind": kind}).content.decode()
    assert f'value="{kind}" checked' in page


def test_models_that_are_not_imported_have_no_import_link(client, governance):
    client.force_login(governance)
    html = client.get(reverse("admin:ics_portal_auditevent_changelist")).content.decode()
    assert "Import from a spreadsheet" not in html
