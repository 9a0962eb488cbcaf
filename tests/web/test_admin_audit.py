"""Every admin add, change and delete writes an audit event in the same transaction (issue 13),
with the changed fields before and after as plain values; changes to who can see or do what
(leads, deputies, golden-thread leads, risk owners, roles and flags) also write an access
change. Tried with the admin's real forms, as a governance officer."""

from unittest import mock

import pytest
from django.urls import reverse

from ics_portal.models import AuditEvent, Organisation
from workstreams.models import Milestone, Workstream

from .. import factories
from .support import admin_post_data, admin_url


def _events(verb, obj):
    return AuditEvent.objects.filter(
        verb=verb, object_type=obj._meta.label, object_id=str(obj.pk)
    ).order_by("pk")


def _save(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, admin_post_data(page) | changes)
    assert response.status_code == 302, response.context and response.context.get("errors")
    return response


def test_changing_workstream_leads_and_deputies_is_an_access_change(
    gov_client, data, governance, lead, other_lead
):
    workstream = data["workstream"]
    _save(gov_client, workstream, leads=[str(other_lead.pk)], deputies=[])
    assert list(workstream.leads.all()) == [other_lead]
    change = _events("admin.change", workstream).get()
    assert change.actor_id == governance.pk
    assert change.before == {"leads": [lead.pk], "deputies": [governance.pk]}
    assert change.after == {"leads": [other_lead.pk], "deputies": []}
    access = _events("access.change", workstream).get()
    assert access.before == {"leads": [lead.pk], "deputies": [governance.pk]}
    assert access.after == {"leads": [other_lead.pk], "deputies": []}


def test_changing_a_workstream_name_is_not_an_access_change(gov_client, data):
    workstream = data["workstream"]
    _save(gov_client, workstream, name="Digital and data")
    change = _events("admin.change", workstream).get()
    assert change.before == {"name": "Digital enablement"}
    assert change.after == {"name": "Digital and data"}
    assert not _events("access.change", workstream).exists()


def test_changing_golden_thread_leads_is_an_access_change(gov_client, data, lead, other_lead):
    thread = data["thread"]
    _save(gov_client, thread, system_leads=[str(lead.pk), str(other_lead.pk)])
    access = _events("access.change", thread).get()
    assert access.before == {"system_leads": [lead.pk]}
    assert access.after == {"system_leads": sorted([lead.pk, other_lead.pk])}


def test_changing_a_risk_owner_is_an_access_change(gov_client, data, lead, other_lead):
    risk = data["risk"]
    _save(gov_client, risk, owner=str(other_lead.pk))
    risk.refresh_from_db()
    assert risk.owner == other_lead
    access = _events("access.change", risk).get()
    assert access.before == {"owner": lead.pk} and access.after == {"owner": other_lead.pk}
    assert _events("risk.edit", risk).exists()  # still through the action


def test_cycle_date_changes_are_audited_with_the_dates(gov_client, data):
    cycle = data["cycle"]
    old = cycle.submission_deadline.isoformat()
    _save(gov_client, cycle, submission_deadline="2021-12-22")
    change = _events("admin.change", cycle).get()
    assert change.before == {"submission_deadline": old}
    assert change.after == {"submission_deadline": "2021-12-22"}


def test_an_added_organisation_is_audited(gov_client, db):
    response = gov_client.post(
        admin_url(Organisation, "add"),
        {"name": "North Hospital Trust", "short_name": "NHT", "kind": "NHS_TRUST"},
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    organisation = Organisation.objects.get(name="North Hospital Trust")
    event = _events("admin.add", organisation).get()
    assert event.before is None and event.after["name"] == "North Hospital Trust"


def test_a_delete_is_audited_with_what_was_deleted(gov_client, db):
    milestone = factories.MilestoneFactory(title="Typed by mistake")
    url = admin_url(Milestone, "delete", milestone.pk)
    assert gov_client.get(url).status_code == 200
    assert gov_client.post(url, {"post": "yes"}).status_code == 302
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    event = AuditEvent.objects.get(verb="admin.delete")
    assert event.object_type == "workstreams.Milestone"
    assert event.object_id == str(milestone.pk)
    assert event.before["title"] == "Typed by mistake"


def test_a_person_added_by_an_administrator_with_a_password_is_audited(client, superuser, db):
    from ics_portal.models import User

    client.force_login(superuser)
    secret = "a-new-Passw0rd-123"
    response = client.post(
        reverse("admin:ics_portal_user_add"),
        {
            "email": "new.person@example.nhs.uk",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": secret,
            "password2": secret,
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.nhs.uk")
    added = _events("admin.add", person).get()
    assert "password" not in added.after
    assert added.after["email"] == "new.person@example.nhs.uk"
    assert _events("password.set_by_admin", person).exists()
    for event in AuditEvent.objects.all():
        assert person.password not in f"{event.before} {event.after}"


def test_the_event_is_in_the_same_transaction_as_the_change(gov_client, data):
    """If the audit event cannot be written, the change is not kept."""
    workstream = data["workstream"]
    url = admin_url(Workstream, "change", workstream.pk)
    post = admin_post_data(gov_client.get(url)) | {"name": "Never saved"}
    gov_client.raise_request_exception = True
    with (
        mock.patch("ics_portal.audit.record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        gov_client.post(url, post)
    workstream.refresh_from_db()
    assert workstream.name == "Digital enablement"


def test_an_unchanged_save_writes_no_change_event(gov_client, data):
    _save(gov_client, data["workstream"])
    assert not _events("admin.change", data["workstream"]).exists()


def test_third_party_admins_are_audited_too(client, superuser, db):
    from django.contrib.auth.models import Group, Permission

    client.force_login(superuser)
    permission = Permission.objects.get(codename="view_workstream")
    response = client.post(
        reverse("admin:auth_group_add"), {"name": "Readers", "permissions": [permission.pk]}
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Readers")
    assert _events("admin.add", group).get().after["permissions"] == [permission.pk]
    assert _events("access.change", group).get().after == {"permissions": [permission.pk]}


def test_deactivating_a_person_is_an_access_change(gov_client, lead):
    page = gov_client.get(reverse("admin:ics_portal_user_change", args=[lead.pk]))
    post = admin_post_data(page)
    post.pop("is_active")
    response = gov_client.post(reverse("admin:ics_portal_user_change", args=[lead.pk]), post)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert not lead.is_active
    access = _events("access.change", lead).get()
    assert access.before == {"is_active": True} and access.after == {"is_active": False}


def test_a_staff_members_own_password_change_in_the_admin_is_audited(gov_client, governance):
    secret = "a-new-Passw0rd-123"
    response = gov_client.post(
        reverse("admin:password_change"),
        {"old_password": "correct-horse-battery", "new_password1": secret, "new_password2": secret},
    )
    assert response.status_code == 302
    governance.refresh_from_db()
    assert governance.check_password(secret)
    event = _events("password.change", governance).get()
    assert event.actor_id == governance.pk
    assert secret not in f"{event.before} {event.after}"


def test_a_refused_own_password_change_is_not_audited(gov_client):
    response = gov_client.post(
        reverse("admin:password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(verb="password.change").exists()
