"""Governance creates, edits, closes and reopens BAF risks: canonical unique references,
scores that are never typed, a reason to close, an audit event for each change."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from ics_portal.models import AuditEvent
from ics_portal.workflow.errors import SubmissionInvalid
from risks import actions
from risks.models import BAFRisk, RiskBand, RiskMatrix

from .. import factories
from ..dates import date_fields

CREATE = reverse("risks:create")


def _form(**overrides) -> dict:
    data = {
        "reference": "7",
        "title": "Change and uncertainty",
        "description": "Increasing change and uncertainty as the ICS develops.",
        "category": "STAKEHOLDER",
        "owner_role": "Director of Corporate Affairs",
        "initial_likelihood": "4",
        "initial_consequence": "4",
        "current_likelihood": "3",
        "current_consequence": "4",
        "target_likelihood": "2",
        "target_consequence": "4",
        "rationale": "<p>Relationships are still forming.</p>",
        "controls": "<ul><li>Monthly meetings</li></ul>",
        **date_fields("next_review", ("31", "12", "2021")),
    }
    data.update(overrides)
    return data


def test_governance_creates_a_risk_with_a_canonical_reference(client, governance, lead):
    theme = factories.ThemeFactory()
    client.force_login(governance)
    response = client.post(CREATE, _form(owner=lead.pk, themes=[theme.pk]))
    assert response.status_code == 302
    risk = BAFRisk.objects.get()
    assert response["Location"] == reverse("risks:detail", kwargs={"reference": "07"}) + "?saved=1"
    assert risk.reference == "07"
    assert risk.owner == lead
    assert risk.next_review == datetime.date(2021, 12, 31)  # typed as 31, 12, 2021
    assert list(risk.themes.all()) == [theme]
    assert risk.current_score.label == "12 (3×4) High"
    assert risk.matrix == RiskMatrix.objects.current()
    event = AuditEvent.objects.get(verb="risk.create")
    assert event.actor_id == governance.pk and event.object_label.startswith("07")
    assert BAFRisk.objects.get(reference=BAFRisk.canonical_reference("7")) == risk
    assert BAFRisk.objects.get(reference=BAFRisk.canonical_reference(" 07 ")) == risk


def test_a_duplicate_reference_is_refused_with_a_clear_message(client, governance):
    factories.BAFRiskFactory(reference="07", title="Existing risk")
    client.force_login(governance)
    response = client.post(CREATE, _form(reference="7"))
    assert response.status_code == 200
    assert "Risk 07 already exists (&quot;Existing risk&quot;)" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert BAFRisk.objects.count() == 1
    with pytest.raises(SubmissionInvalid, match="Risk 07 already exists"):
        actions.create_risk(by=governance, fields=_risk_values() | {"reference": "007"})


def _risk_values() -> dict:
    return {
        "reference": "09",
        "title": "Partnership",
        "description": "Many partners.",
        "category": "GOVERNANCE",
        "initial_likelihood": 3,
        "initial_consequence": 3,
        "current_likelihood": 3,
        "current_consequence": 3,
        "target_likelihood": 2,
        "target_consequence": 3,
    }


def test_scores_and_bands_are_never_typed(client, governance):
    client.force_login(governance)
    form = client.get(CREATE).content.decode()
    assert 'name="score"' not in form and 'name="band"' not in form
    client.post(CREATE, _form(score="25", band="Low", current_score="25"))
    risk = BAFRisk.objects.get()
    assert risk.current_score.value == 12 and risk.current_score.band_name == "High"


@pytest.mark.parametrize("value", ["0", "6", "x", ""])
def test_likelihood_and_consequence_are_1_to_5(client, governance, value):
    client.force_login(governance)
    response = client.post(CREATE, _form(current_likelihood=value))
    assert response.status_code == 200
    assert not BAFRisk.objects.exists()
    with pytest.raises(SubmissionInvalid):
        actions.create_risk(by=governance, fields=_risk_values() | {"current_likelihood": 6})


def test_the_database_refuses_a_level_outside_1_to_5(db):
    risk = factories.BAFRiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BAFRisk.objects.filter(pk=risk.pk).update(current_consequence=6)


def test_governance_edits_a_risk_and_changed_scores_use_the_matrix_in_force(client, governance):
    risk = factories.BAFRiskFactory(reference="07", title="Old title")
    v1 = risk.matrix
    matrix = RiskMatrix.objects.create(version=2, name="Stricter")
    RiskBand.objects.create(matrix=matrix, name="Severe", min_score=1, max_score=25, colour="red")
    client.force_login(governance)
    edit = reverse("risks:edit", kwargs={"reference": "07"})
    form = client.get(edit).content.decode()
    assert 'name="version" value="1"' in form
    response = client.post(
        edit, _form(reference="07", title="New title", current_likelihood="4", version=1)
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.title == "New title" and risk.version == 2
    assert risk.matrix == matrix and risk.matrix != v1  # scores re-made under version 2
    event = AuditEvent.objects.get(verb="risk.edit")
    assert event.before["title"] == "Old title" and event.after["title"] == "New title"
    assert event.before["current_likelihood"] == 3 and event.after["current_likelihood"] == 4


def test_an_edit_that_keeps_the_scores_keeps_their_matrix(governance):
    risk = factories.BAFRiskFactory(reference="07")
    RiskMatrix.objects.create(version=2, name="Stricter")
    risk = actions.edit_risk(
        risk=risk, base_version=1, by=governance, fields={"title": "New", "current_likelihood": 3}
    )
    assert risk.matrix.version == 1


def test_a_stale_edit_is_refused(client, governance, superuser):
    risk = factories.BAFRiskFactory(reference="07")
    actions.edit_risk(risk=risk, base_version=1, by=superuser, fields={"title": "Changed first"})
    client.force_login(governance)
    edit = reverse("risks:edit", kwargs={"reference": "07"})
    response = client.post(edit, _form(reference="07", title="Mine", version=1))
    assert response.status_code == 200
    assert "This risk was changed by Ada Admin at" in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Changed first"
    # The form now carries the stored version, so saving again is a deliberate choice.
    assert 'name="version" value="2"' in response.content.decode()


def test_editing_to_another_risks_reference_is_refused(client, governance):
    factories.BAFRiskFactory(reference="07")
    factories.BAFRiskFactory(reference="09", title="Partnership")
    client.force_login(governance)
    edit = reverse("risks:edit", kwargs={"reference": "07"})
    response = client.post(edit, _form(reference="9", version=1))
    assert "Risk 09 already exists" in response.content.decode()


def test_closing_needs_a_reason(client, governance):
    risk = factories.BAFRiskFactory(reference="07")
    close = reverse("risks:close", kwargs={"reference": "07"})
    client.force_login(governance)
    response = client.post(close, {"reason": "  "})
    assert response.status_code == 200
    assert "Enter why the risk is being closed" in response.content.decode()
    risk.refresh_from_db()
    assert risk.is_open
    with pytest.raises(SubmissionInvalid):
        actions.close_risk(risk=risk, by=governance, reason="")
    response = client.post(close, {"reason": "Superseded by risk 09."})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == "CLOSED" and risk.closed_reason == "Superseded by risk 09."
    assert AuditEvent.objects.get(verb="risk.close").comment == "Superseded by risk 09."
    assert client.get(close).status_code == 403  # already closed


def test_the_database_refuses_a_closed_risk_without_a_reason(db):
    risk = factories.BAFRiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BAFRisk.objects.filter(pk=risk.pk).update(status="CLOSED", closed_reason="")


def test_a_closed_risk_can_be_reopened(client, governance):
    risk = factories.BAFRiskFactory(reference="07")
    actions.close_risk(risk=risk, by=governance, reason="Done.")
    client.force_login(governance)
    reopen = reverse("risks:reopen", kwargs={"reference": "07"})
    assert client.get(reopen).status_code == 405
    assert client.post(reopen).status_code == 302
    risk.refresh_from_db()
    assert risk.is_open and risk.closed_reason == ""
    assert AuditEvent.objects.get(verb="risk.reopen").before["closed_reason"] == "Done."


# --- who may change the BAF -------------------------------------------------------------------


def _urls():
    return [
        ("get", CREATE),
        ("post", CREATE),
        ("get", reverse("risks:edit", kwargs={"reference": "07"})),
        ("post", reverse("risks:edit", kwargs={"reference": "07"})),
        ("get", reverse("risks:close", kwargs={"reference": "07"})),
        ("post", reverse("risks:close", kwargs={"reference": "07"})),
        ("post", reverse("risks:reopen", kwargs={"reference": "07"})),
    ]


@pytest.fixture
def risk07(db):
    return factories.BAFRiskFactory(reference="07")


@pytest.mark.parametrize(("method", "path"), _urls())
def test_anonymous_is_sent_to_sign_in(client, risk07, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("method", "path"), _urls())
def test_outsider_gets_404(client, outsider, risk07, method, path):
    client.force_login(outsider)
    assert getattr(client, method)(path).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "lead"])
@pytest.mark.parametrize(("method", "path"), _urls())
def test_readers_get_403(client, request, risk07, who, method, path):
    client.force_login(request.getfixturevalue(who))
    assert getattr(client, method)(path, _form(reason="x")).status_code == 403
    risk07.refresh_from_db()
    assert risk07.is_open and risk07.version == 1


def test_governance_gets_each_form(client, governance, risk07):
    client.force_login(governance)
    for path in (
        CREATE,
        reverse("risks:edit", kwargs={"reference": "07"}),
        reverse("risks:close", kwargs={"reference": "07"}),
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response.content.decode().count("<h1") == 1


def test_a_new_owner_is_an_access_change_in_the_audit_trail(governance, lead, other_lead):
    # The owner sees and writes the risk's quarterly reviews (issue 13: every change to who can
    # see or do what is audited, from the portal's pages as from the admin and imports).
    risk = factories.BAFRiskFactory(reference="07", owner=lead)
    actions.edit_risk(risk=risk, base_version=1, by=governance, fields={"owner": other_lead})
    event = AuditEvent.objects.get(verb="access.change")
    assert (event.before, event.after) == ({"owner": lead.pk}, {"owner": other_lead.pk})
    assert event.actor_id == governance.pk
    actions.edit_risk(risk=risk, base_version=2, by=governance, fields={"title": "Renamed"})
    assert AuditEvent.objects.filter(verb="access.change").count() == 1


def test_a_new_risk_with_an_owner_is_an_access_change(governance, lead):
    fields = {
        "reference": "31",
        "title": "New risk",
        "owner": lead,
        "initial_likelihood": 3,
        "initial_consequence": 3,
        "current_likelihood": 3,
        "current_consequence": 3,
        "target_likelihood": 2,
        "target_consequence": 2,
    }
    risk = actions.create_risk(by=governance, fields=fields)
    event = AuditEvent.objects.get(verb="access.change")
    assert (event.object_id, event.before, event.after) == (
        str(risk.pk),
        {"owner": None},
        {"owner": lead.pk},
    )
