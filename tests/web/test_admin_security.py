"""Least privilege in the admin (issue 13), tried with the admin's real forms: a page is opened
(GET) and posted back as the browser would, by a governance officer (staff, not superuser)
unless a test says otherwise.

Governance officers manage people's portal roles (system lead, board member) and work on the
plan, but cannot make anyone staff or superuser, see or set other people's passwords, give
permissions or other groups, manage staff or superuser accounts, or reach Django's group,
permission, lockout-log and task tables. Workflow things are never deleted here."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from ics_portal.models import AuditEvent, User
from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER, SYSTEM_LEAD, ensure_role_groups
from ics_portal.workflow.states import EDITABLE_STATES
from packs.models import BoardPack
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from risks.models import RiskReview

from .. import factories
from .support import admin_post_data, admin_url


@pytest.fixture
def person(db):
    """Someone with no role yet: the kind of account governance officers look after."""
    return factories.UserFactory(full_name="Pat Person", email="pat.person@example.nhs.uk")


def _change(user):
    return reverse("admin:ics_portal_user_change", args=[user.pk])


def _group(role):
    return Group.objects.get(name=role.group_name)


def _events(verb, obj):
    return AuditEvent.objects.filter(
        verb=verb, object_type=obj._meta.label, object_id=str(obj.pk)
    ).order_by("pk")


# --- what was seen: escalation ----------------------------------------------------------------


def test_governance_cannot_tick_is_superuser_or_is_staff(gov_client, person):
    page = gov_client.get(_change(person))
    assert page.status_code == 200
    form = page.context["adminform"].form
    for hidden in ("is_superuser", "is_staff", "user_permissions", "password"):
        assert hidden not in form.fields
    post = admin_post_data(page) | {"is_superuser": "on", "is_staff": "on", "full_name": "Pat P"}
    assert gov_client.post(_change(person), post).status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Pat P"
    assert not person.is_superuser and not person.is_staff


def test_governance_cannot_set_the_administrators_password(gov_client, superuser):
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    old = superuser.password
    assert gov_client.get(url).status_code == 403
    new = {"password1": "a-new-Passw0rd-123", "password2": "a-new-Passw0rd-123"}
    response = gov_client.post(url, new | {"usable_password": "true"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.password == old


def test_governance_cannot_set_anyones_password_in_the_admin(gov_client, person):
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    assert gov_client.get(url).status_code == 403
    own = reverse("admin:auth_user_password_change", args=[gov_client.session["_auth_user_id"]])
    assert gov_client.get(own).status_code == 403


def test_governance_cannot_grant_itself_permissions_or_groups(gov_client, governance):
    page = gov_client.get(_change(governance))
    assert page.status_code == 200  # its own record, to read
    assert page.context["has_change_permission"] is False
    assert "user_permissions" not in page.context["adminform"].form.fields
    axes = Permission.objects.filter(content_type__app_label="axes")
    group_perms = Permission.objects.filter(content_type__app_label="auth")
    post = {
        "email": governance.email,
        "full_name": governance.full_name,
        "is_active": "on",
        "is_superuser": "on",
        "groups": [str(g.pk) for g in Group.objects.all()],
        "user_permissions": [str(p.pk) for p in [*axes, *group_perms]],
    }
    assert gov_client.post(_change(governance), post).status_code == 403
    governance.refresh_from_db()
    assert not governance.is_superuser
    assert not governance.user_permissions.exists()
    assert not governance.has_perm("auth.change_group")
    assert not governance.has_perm("axes.view_accesslog")


def test_governance_cannot_create_superusers_or_staff(gov_client):
    page = gov_client.get(reverse("admin:ics_portal_user_add"))
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert {"is_superuser", "is_staff", "password1", "password2"}.isdisjoint(fields)
    post = {
        "email": "new.person@example.nhs.uk",
        "full_name": "New Person",
        "is_superuser": "on",
        "is_staff": "on",
        "usable_password": "true",
        "password1": "a-new-Passw0rd-123",
        "password2": "a-new-Passw0rd-123",
    }
    assert gov_client.post(reverse("admin:ics_portal_user_add"), post).status_code == 302
    made = User.objects.get(email="new.person@example.nhs.uk")
    assert not made.is_superuser and not made.is_staff
    # They set their own password ("Forgotten your password?"); nobody else knows it.
    assert not made.has_usable_password()


def test_governance_cannot_give_the_governance_role_or_other_groups(gov_client, person):
    other = Group.objects.create(name="Site operators")
    page = gov_client.get(_change(person))
    offered = set(page.context["adminform"].form.fields["groups"].queryset)
    assert offered == {_group(SYSTEM_LEAD), _group(BOARD_MEMBER)}
    post = admin_post_data(page) | {
        "groups": [str(_group(GOVERNANCE_OFFICER).pk), str(other.pk), str(_group(SYSTEM_LEAD).pk)]
    }
    response = gov_client.post(_change(person), post)
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["groups"]
    person.refresh_from_db()
    assert not person.groups.exists() and not person.is_staff


def test_governance_gives_and_removes_a_portal_role_keeping_other_groups(gov_client, person):
    other = Group.objects.create(name="Site operators")
    person.groups.add(other)
    page = gov_client.get(_change(person))
    post = admin_post_data(page) | {"groups": [str(_group(SYSTEM_LEAD).pk)]}
    assert gov_client.post(_change(person), post).status_code == 302
    assert set(person.groups.all()) == {other, _group(SYSTEM_LEAD)}
    event = _events("access.change", person).get()
    assert event.before == {"groups": [other.pk]}
    assert event.after == {"groups": sorted([other.pk, _group(SYSTEM_LEAD).pk])}


def test_governance_cannot_change_or_delete_the_superuser(gov_client, superuser):
    page = gov_client.get(_change(superuser))
    assert page.status_code == 200  # read-only at most
    assert page.context["has_change_permission"] is False
    assert "is_superuser" not in page.context["adminform"].form.fields
    post = {"email": superuser.email, "full_name": "Taken over", "is_active": ""}
    assert gov_client.post(_change(superuser), post).status_code == 403
    delete = reverse("admin:ics_portal_user_delete", args=[superuser.pk])
    assert gov_client.get(delete).status_code == 403
    assert gov_client.post(delete, {"post": "yes"}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.full_name != "Taken over"


def test_governance_cannot_change_other_staff_accounts(gov_client, db):
    colleague = factories.UserFactory(is_staff=True, full_name="Cleo Colleague")
    colleague.groups.add(_group(GOVERNANCE_OFFICER))
    post = {"email": colleague.email, "full_name": "Cleo C", "is_active": ""}
    assert gov_client.post(_change(colleague), post).status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


def test_bulk_delete_of_people_is_not_offered_to_governance(gov_client, superuser, person):
    changelist = reverse("admin:ics_portal_user_changelist")
    page = gov_client.get(changelist)
    assert "delete_selected" not in page.content.decode()
    post = {"action": "delete_selected", "_selected_action": [superuser.pk, person.pk]}
    gov_client.post(changelist, post | {"post": "yes"})
    assert User.objects.filter(pk__in=[superuser.pk, person.pk]).count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "admin:auth_group_changelist",
        "admin:auth_group_add",
        "admin:axes_accessattempt_changelist",
        "admin:axes_accesslog_changelist",
        "admin:axes_accessfailurelog_changelist",
        "admin:django_tasks_database_dbtaskresult_changelist",
    ],
)
def test_governance_cannot_reach_groups_lockout_logs_or_tasks(gov_client, url):
    assert gov_client.get(reverse(url)).status_code == 403


def test_governance_cannot_add_a_group_with_permissions(gov_client):
    post = {"name": "Backdoor", "permissions": [str(p.pk) for p in Permission.objects.all()[:5]]}
    assert gov_client.post(reverse("admin:auth_group_add"), post).status_code == 403
    assert not Group.objects.filter(name="Backdoor").exists()


def test_the_admin_index_shows_governance_only_the_portals_tables(gov_client):
    html = gov_client.get(reverse("admin:index")).content.decode()
    assert "Workstreams" in html
    for hidden in ("Groups", "Access attempts", "Access logs", "Access failure", "Task results"):
        assert hidden not in html, hidden


def test_the_governance_role_holds_no_permission_that_could_escalate(db):
    ensure_role_groups()
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in _group(GOVERNANCE_OFFICER).permissions.all()
    }
    assert granted, "governance works in the admin"
    apps = {name.split(".")[0] for name in granted}
    assert apps <= {"ics_portal", "workstreams", "risks", "reporting", "packs", "dataio"}
    for forbidden in (
        "ics_portal.delete_user",
        "ics_portal.add_auditevent",
        "ics_portal.change_auditevent",
        "ics_portal.delete_auditevent",
        "packs.change_publishedpack",
        "packs.delete_publishedpack",
    ):
        assert forbidden not in granted
    assert {"ics_portal.change_user", "ics_portal.add_user", "workstreams.change_workstream"} <= (
        granted
    )
    assert not _group(SYSTEM_LEAD).permissions.exists()
    assert not _group(BOARD_MEMBER).permissions.exists()


def test_ensure_role_groups_takes_back_what_governance_should_not_hold(db):
    governance = _group(GOVERNANCE_OFFICER)
    governance.permissions.add(Permission.objects.get(codename="change_group"))
    ensure_role_groups()
    assert not governance.permissions.filter(codename="change_group").exists()


# --- is_staff follows the governance role -----------------------------------------------------


def test_an_administrator_giving_the_governance_role_makes_the_person_staff(
    client, superuser, person
):
    client.force_login(superuser)
    page = client.get(_change(person))
    assert "is_staff" not in page.context["adminform"].form.fields  # shown, not ticked
    post = admin_post_data(page) | {"groups": [str(_group(GOVERNANCE_OFFICER).pk)]}
    assert client.post(_change(person), post).status_code == 302
    person.refresh_from_db()
    assert person.is_staff
    event = _events("access.change", person).get()
    assert event.before == {"groups": [], "is_staff": False}
    assert event.after == {"groups": [_group(GOVERNANCE_OFFICER).pk], "is_staff": True}

    page = client.get(_change(person))
    post = admin_post_data(page) | {"groups": []}
    post.pop("groups")
    assert client.post(_change(person), post).status_code == 302
    person.refresh_from_db()
    assert not person.is_staff


def test_an_administrator_can_make_a_superuser_and_it_is_audited(client, superuser, person):
    client.force_login(superuser)
    page = client.get(_change(person))
    post = admin_post_data(page) | {"is_superuser": "on"}
    assert client.post(_change(person), post).status_code == 302
    person.refresh_from_db()
    assert person.is_superuser and person.is_staff
    event = _events("access.change", person).get()
    assert event.before == {"is_staff": False, "is_superuser": False}
    assert event.after == {"is_staff": True, "is_superuser": True}
    assert event.actor_id == superuser.pk
    assert _events("admin.change", person).exists()


def test_an_administrator_setting_a_password_is_audited_without_the_password(
    client, superuser, person
):
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    assert client.get(url).status_code == 200
    secret = "a-new-Passw0rd-123"
    response = client.post(
        url, {"usable_password": "true", "password1": secret, "password2": secret}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(secret)
    event = _events("password.set_by_admin", person).get()
    assert event.actor_id == superuser.pk
    stored = f"{event.before} {event.after} {event.comment}"
    assert secret not in stored and person.password not in stored
    assert "pbkdf2" not in stored and "md5" not in stored


# --- workflow deletes -------------------------------------------------------------------------


def _refused(client, obj, reason):
    url = admin_url(type(obj), "delete", obj.pk)
    page = client.get(url)
    assert page.status_code == 403
    assert reason in page.content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert not AuditEvent.objects.filter(verb="admin.delete").exists()


def test_a_draft_golden_thread_update_is_not_deleted(gov_client, data):
    update = GoldenThreadUpdate.objects.get()
    assert update.state in EDITABLE_STATES  # not yet submitted
    _refused(gov_client, update, "never deleted")


def test_a_draft_workstream_update_is_not_deleted(gov_client, data):
    _refused(gov_client, WorkstreamUpdate.objects.get(), "never deleted")


def test_a_risk_review_is_not_deleted(gov_client, data):
    _refused(gov_client, RiskReview.objects.get(), "never deleted")


def test_an_unpublished_pack_is_not_deleted(gov_client, data):
    _refused(gov_client, BoardPack.objects.get(title="Draft pack"), "not deleted")


def test_an_opened_cycle_is_not_deleted(gov_client, data):
    cycle = data["cycle"]
    cycle.status = cycle.Status.OPEN
    cycle.save()
    _refused(gov_client, cycle, "not deleted")


def test_a_reviewed_risk_is_not_deleted_and_says_why(gov_client, data):
    _refused(gov_client, data["risk"], "closed on its page")


def test_bulk_delete_of_updates_is_refused_with_a_message(client, superuser, data):
    client.force_login(superuser)
    changelist = admin_url(GoldenThreadUpdate, "changelist")
    ids = [str(u.pk) for u in GoldenThreadUpdate.objects.all()]
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    assert GoldenThreadUpdate.objects.count() == len(ids)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages, "a refusal says so"
    assert not AuditEvent.objects.filter(verb="admin.delete").exists()


def test_bulk_delete_of_risks_refuses_the_reviewed_ones_by_name(client, superuser, data):
    client.force_login(superuser)
    mistake = factories.BAFRiskFactory(reference="99", title="Typed by mistake")
    changelist = admin_url(type(mistake), "changelist")
    ids = [str(data["risk"].pk), str(mistake.pk)]
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "Workforce capacity" in messages and "closed on its page" in messages
    assert type(mistake).objects.filter(pk__in=ids).count() == 2


def test_a_mistaken_risk_is_deleted_in_bulk_and_audited(client, superuser, data):
    client.force_login(superuser)
    mistake = factories.BAFRiskFactory(reference="99", title="Typed by mistake")
    changelist = admin_url(type(mistake), "changelist")
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [str(mistake.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not type(mistake).objects.filter(pk=mistake.pk).exists()
    event = AuditEvent.objects.get(verb="admin.delete")
    assert event.object_id == str(mistake.pk) and event.before["title"] == "Typed by mistake"


def test_there_is_no_permission_admin(gov_client, client, superuser):
    assert gov_client.get("/admin/auth/permission/").status_code == 404
    client.force_login(superuser)
    assert client.get("/admin/auth/permission/").status_code == 404


def test_superusers_keep_every_table(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    for shown in ("Groups", "Sign-in lockout counts", "Workstreams"):
        assert shown in html, shown
