"""The admin in the permission matrix (issue 13): every admin URL pattern (index, login and
logout, password change, autocomplete, the JavaScript catalogue, view on site, each app's index,
and each registered model's change list, add, change, delete, history and field-history pages,
the set-password page) is visited with GET by every role, and each answer is checked against
the table below. A new admin URL pattern (a new model admin, a new app) without a row fails the
walk; so does a row for a URL that no longer exists. Then the escalation cases of issue 13 are
tried as POSTs by a governance officer, and each must leave nothing changed.

Roles, in order: anonymous, outsider (signed in, no role), board member, system lead,
governance officer (staff, not superuser), administrator (superuser).

Statuses: LOGIN = a redirect to the admin's sign-in page; INDEX = a redirect to the admin's
index; 302 = another redirect; 405 = the URL takes only POST. A model's change, delete, history
and field-history pages are opened on a real row (for people: someone with no role).
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ics_portal.models import ReportingCycle, User
from ics_portal.roles import GOVERNANCE_OFFICER
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from risks.models import BAFRisk, RiskReview

from .. import factories
from ..web.support import make_admin_data

ROLES = ("anonymous", "outsider", "board", "lead", "governance", "admin")
LOGIN = "admin sign in"
INDEX = "admin index"
L = LOGIN  # for the rows' first four columns: the admin is for staff only


def _staff(governance, administrator):
    """A page behind the admin's sign-in: everyone without staff is sent to sign in."""
    return (L, L, L, L, governance, administrator)


# Site pages and app indexes: name (app indexes as "app_list:<label>"): statuses by role.
SITE = {
    "index": _staff(200, 200),
    "login": (200, 200, 200, 200, INDEX, INDEX),
    # Sign out is a POST; the admin sends anyone without staff to its index (then to sign in).
    "logout": (INDEX, INDEX, INDEX, INDEX, 405, 405),
    "password_change": _staff(200, 200),
    "password_change_done": _staff(200, 200),
    # Without its parameters (which field of which model is being filled) it refuses.
    "autocomplete": _staff(403, 403),
    "jsi18n": _staff(200, 200),
    # Django's "view on site": a redirect to the portal's own page for the row, which checks
    # permission itself.
    "view_on_site": _staff(302, 302),
    "app_list:auth": _staff(404, 200),
    "app_list:axes": _staff(404, 200),
    "app_list:django_tasks_database": _staff(404, 200),
    "app_list:ics_portal": _staff(200, 200),
    "app_list:workstreams": _staff(200, 200),
    "app_list:risks": _staff(200, 200),
    "app_list:reporting": _staff(200, 200),
    "app_list:packs": _staff(200, 200),
    "app_list:dataio": _staff(200, 200),
    # Second factors (django-otp's admins): administrators only, to remove a lost device.
    "app_list:otp_totp": _staff(404, 200),
    "app_list:otp_static": _staff(404, 200),
}

# Model pages: "<app>_<model>_<view>": (governance, administrator); everyone else is sent to
# sign in. 403 on add/delete: the admin refuses it (read-only records, workflow rows; the reason
# is on the page); 403 everywhere: governance holds no permission on the table.
MODELS = {
    # Django's groups, the lockout logs, the task results: administrators only.
    "auth_group_changelist": (403, 200),
    "auth_group_add": (403, 200),
    "auth_group_change": (403, 200),
    "auth_group_delete": (403, 200),
    "auth_group_history": (403, 200),
    # Second factors: administrators only; django-otp's own admin pages (the key's settings
    # and QR code are hidden: OTP_ADMIN_HIDE_SENSITIVE_DATA).
    **{
        f"otp_{kind}_{view}": (403, 200)
        for kind in ("totp_totpdevice", "static_staticdevice")
        for view in ("changelist", "add", "change", "delete", "history")
    },
    "otp_totp_totpdevice_config": (403, 403),
    "otp_totp_totpdevice_qrcode": (403, 403),
    "axes_accessattempt_changelist": (403, 200),
    "axes_accessattempt_add": (403, 403),
    "axes_accessattempt_change": (403, 200),
    "axes_accessattempt_delete": (403, 200),
    "axes_accessattempt_history": (403, 200),
    "axes_accesslog_changelist": (403, 200),
    "axes_accesslog_add": (403, 403),
    "axes_accesslog_change": (403, 200),
    "axes_accesslog_delete": (403, 200),
    "axes_accesslog_history": (403, 200),
    "axes_accessfailurelog_changelist": (403, 200),
    "axes_accessfailurelog_add": (403, 403),
    "axes_accessfailurelog_change": (403, 200),
    "axes_accessfailurelog_delete": (403, 200),
    "axes_accessfailurelog_history": (403, 200),
    "django_tasks_database_dbtaskresult_changelist": (403, 200),
    "django_tasks_database_dbtaskresult_add": (403, 403),
    "django_tasks_database_dbtaskresult_change": (403, 200),
    "django_tasks_database_dbtaskresult_delete": (403, 403),
    "django_tasks_database_dbtaskresult_history": (403, 200),
    # People: governance adds and edits people, never deletes them or sets a password.
    "ics_portal_user_changelist": (200, 200),
    "ics_portal_user_add": (200, 200),
    "ics_portal_user_change": (200, 200),
    "ics_portal_user_delete": (403, 200),
    "ics_portal_user_history": (200, 200),
    "auth_user_password_change": (403, 200),
    "ics_portal_organisation_changelist": (200, 200),
    "ics_portal_organisation_add": (200, 200),
    "ics_portal_organisation_change": (200, 200),
    "ics_portal_organisation_delete": (200, 200),
    "ics_portal_organisation_history": (200, 200),
    # The audit trail: read only.
    "ics_portal_auditevent_changelist": (200, 200),
    "ics_portal_auditevent_add": (403, 403),
    "ics_portal_auditevent_change": (200, 200),
    "ics_portal_auditevent_delete": (403, 403),
    "ics_portal_auditevent_history": (200, 200),
    # Posts, forums and meetings (issue 16): governance keeps them.
    **{
        f"ics_portal_{model}_{view}": (200, 200)
        for model in ("post", "postalias", "forum", "forumalias", "forummember", "meeting")
        for view in ("changelist", "add", "change", "delete", "history")
    },
    # Feedback from the feedback page: read and deleted once dealt with, never written here.
    "ics_portal_feedback_changelist": (200, 200),
    "ics_portal_feedback_add": (403, 403),
    "ics_portal_feedback_change": (200, 200),
    "ics_portal_feedback_delete": (200, 200),
    "ics_portal_feedback_history": (200, 200),
    # Cycles: an open cycle is closed, not deleted.
    "ics_portal_reportingcycle_changelist": (200, 200),
    "ics_portal_reportingcycle_add": (200, 200),
    "ics_portal_reportingcycle_change": (200, 200),
    "ics_portal_reportingcycle_delete": (403, 403),
    "ics_portal_reportingcycle_history": (200, 200),
    # The plan. Deleting a workstream or thread would take its updates with it: the page
    # opens, and lists what the deletion is refused for.
    "workstreams_theme_changelist": (200, 200),
    "workstreams_theme_add": (200, 200),
    "workstreams_theme_change": (200, 200),
    "workstreams_theme_delete": (200, 200),
    "workstreams_theme_history": (200, 200),
    "workstreams_goldenthread_changelist": (200, 200),
    "workstreams_goldenthread_add": (200, 200),
    "workstreams_goldenthread_change": (200, 200),
    "workstreams_goldenthread_delete": (200, 200),
    "workstreams_goldenthread_history": (200, 200),
    "workstreams_goldenthread_simple_history": (200, 200),
    "workstreams_workstream_changelist": (200, 200),
    "workstreams_workstream_add": (200, 200),
    "workstreams_workstream_change": (200, 200),
    "workstreams_workstream_delete": (200, 200),
    "workstreams_workstream_history": (200, 200),
    "workstreams_workstream_simple_history": (200, 200),
    "workstreams_objective_changelist": (200, 200),
    "workstreams_objective_add": (200, 200),
    "workstreams_objective_change": (200, 200),
    "workstreams_objective_delete": (200, 200),
    "workstreams_objective_history": (200, 200),
    "workstreams_milestone_changelist": (200, 200),
    "workstreams_milestone_add": (200, 200),
    "workstreams_milestone_change": (200, 200),
    "workstreams_milestone_delete": (200, 200),
    "workstreams_milestone_history": (200, 200),
    "workstreams_workstreammilestone_changelist": (200, 200),
    "workstreams_workstreammilestone_add": (200, 200),
    "workstreams_workstreammilestone_change": (200, 200),
    "workstreams_workstreammilestone_delete": (200, 200),
    "workstreams_workstreammilestone_history": (200, 200),
    # The BAF: a matrix in use and a reviewed risk are kept; reviews are never deleted.
    "risks_riskmatrix_changelist": (200, 200),
    "risks_riskmatrix_add": (200, 200),
    "risks_riskmatrix_change": (200, 200),
    "risks_riskmatrix_delete": (403, 403),
    "risks_riskmatrix_history": (200, 200),
    "risks_riskband_changelist": (200, 200),
    "risks_riskband_add": (200, 200),
    "risks_riskband_change": (200, 200),
    "risks_riskband_delete": (403, 403),
    "risks_riskband_history": (200, 200),
    "risks_bafrisk_changelist": (200, 200),
    "risks_bafrisk_add": (200, 200),
    "risks_bafrisk_change": (200, 200),
    "risks_bafrisk_delete": (403, 403),
    "risks_bafrisk_history": (200, 200),
    "risks_bafrisk_simple_history": (200, 200),
    "risks_riskreview_changelist": (200, 200),
    "risks_riskreview_add": (200, 200),
    "risks_riskreview_change": (200, 200),
    "risks_riskreview_delete": (403, 403),
    "risks_riskreview_history": (200, 200),
    "risks_riskreview_simple_history": (200, 200),
    # Updates: never deleted; their rows are edited inside them.
    "reporting_workstreamupdate_changelist": (200, 200),
    "reporting_workstreamupdate_add": (200, 200),
    "reporting_workstreamupdate_change": (200, 200),
    "reporting_workstreamupdate_delete": (403, 403),
    "reporting_workstreamupdate_history": (200, 200),
    "reporting_workstreamupdate_simple_history": (200, 200),
    "reporting_goldenthreadupdate_changelist": (200, 200),
    "reporting_goldenthreadupdate_add": (200, 200),
    "reporting_goldenthreadupdate_change": (200, 200),
    "reporting_goldenthreadupdate_delete": (403, 403),
    "reporting_goldenthreadupdate_history": (200, 200),
    "reporting_goldenthreadupdate_simple_history": (200, 200),
    "reporting_objectiveprogress_changelist": (200, 200),
    "reporting_objectiveprogress_add": (403, 403),
    "reporting_objectiveprogress_change": (200, 200),
    "reporting_objectiveprogress_delete": (403, 403),
    "reporting_objectiveprogress_history": (200, 200),
    "reporting_objectiveprogress_simple_history": (200, 200),
    "reporting_milestoneprogress_changelist": (200, 200),
    "reporting_milestoneprogress_add": (403, 403),
    "reporting_milestoneprogress_change": (200, 200),
    "reporting_milestoneprogress_delete": (403, 403),
    "reporting_milestoneprogress_history": (200, 200),
    "reporting_milestoneprogress_simple_history": (200, 200),
    "reporting_remindersent_changelist": (200, 200),
    "reporting_remindersent_add": (403, 403),
    "reporting_remindersent_change": (200, 200),
    "reporting_remindersent_delete": (403, 403),
    "reporting_remindersent_history": (200, 200),
    # The search index (issue 15): derived from the texts, looked at, never edited.
    "reporting_searchdocument_changelist": (200, 200),
    "reporting_searchdocument_add": (403, 403),
    "reporting_searchdocument_change": (200, 200),
    "reporting_searchdocument_delete": (403, 403),
    "reporting_searchdocument_history": (200, 200),
    # Packs: never deleted; published versions never changed.
    "packs_boardpack_changelist": (200, 200),
    "packs_boardpack_add": (200, 200),
    "packs_boardpack_change": (200, 200),
    "packs_boardpack_delete": (403, 403),
    "packs_boardpack_history": (200, 200),
    "packs_publishedpack_changelist": (200, 200),
    "packs_publishedpack_add": (403, 403),
    "packs_publishedpack_change": (200, 200),
    "packs_publishedpack_delete": (403, 403),
    "packs_publishedpack_history": (200, 200),
    # Imports: read only.
    "dataio_importjob_changelist": (200, 200),
    "dataio_importjob_add": (403, 403),
    "dataio_importjob_change": (200, 200),
    "dataio_importjob_delete": (403, 403),
    "dataio_importjob_history": (200, 200),
    "dataio_importcheck_changelist": (200, 200),
    "dataio_importcheck_add": (403, 403),
    "dataio_importcheck_change": (200, 200),
    "dataio_importcheck_delete": (403, 403),
    "dataio_importcheck_history": (200, 200),
}

# The administrator's own account, as each role finds it: read-only to governance at most.
SUPERUSER_PAGES = {
    "ics_portal_user_change": _staff(200, 200),
    "ics_portal_user_delete": _staff(403, 200),
    "ics_portal_user_history": _staff(200, 200),
    "auth_user_password_change": _staff(403, 200),
}

APP_LABELS = sorted({model._meta.app_label for model in admin.site._registry})


def _admin_names(patterns=None):
    """The name of every named URL pattern in the admin."""
    if patterns is None:
        resolver = next(
            p
            for p in get_resolver().url_patterns
            if isinstance(p, URLResolver) and p.app_name == "admin"
        )
        patterns = resolver.url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def _rows() -> dict:
    rows = dict(SITE)
    rows |= {name: _staff(*statuses) for name, statuses in MODELS.items()}
    return rows


def test_every_admin_url_pattern_has_a_row():
    names = set(_admin_names())
    covered = {name.split(":")[0] for name in SITE} | set(MODELS)
    assert names - covered == set(), "add a row to SITE or MODELS for each new admin URL"
    assert covered - names == set(), "remove rows for admin URLs that no longer exist"
    apps_in_table = {name.split(":")[1] for name in SITE if name.startswith("app_list:")}
    assert apps_in_table == set(APP_LABELS), "add an app_list row for each app in the admin"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db, lead, governance, board_member, outsider, superuser):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult

    data = make_admin_data(lead, governance)
    person = factories.UserFactory(full_name="Pat Person", email="pat.person@example.nhs.uk")
    attempt = {"user_agent": "walk", "ip_address": "127.0.0.1", "username": "x@example.nhs.uk"}
    attempt |= {"http_accept": "*/*", "path_info": "/sign-in/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    now = timezone.now()
    TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
    StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    DBTaskResult.objects.create(
        enqueued_at=now,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="ics_portal.tasks.walk",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    objects = {model: model.objects.order_by("pk").first() for model in admin.site._registry}
    objects[User] = person
    objects[Group] = Group.objects.get(name=GOVERNANCE_OFFICER.group_name)
    objects[ReportingCycle] = data["cycle"]  # open
    objects[BAFRisk] = data["risk"]  # reviewed
    for model, obj in objects.items():
        assert obj is not None, f"the walk has no {model.__name__} to open"
    users = {
        "outsider": outsider,
        "board": board_member,
        "lead": lead,
        "governance": governance,
        "admin": superuser,
    }
    return objects, users, data


def _paths(objects, data):
    """name -> path, for every row."""
    by_name = {}
    for model in admin.site._registry:
        obj = objects[model]
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        by_name[f"{info}_changelist"] = reverse(f"admin:{info}_changelist")
        by_name[f"{info}_add"] = reverse(f"admin:{info}_add")
        for view in ("change", "delete", "history"):
            by_name[f"{info}_{view}"] = reverse(f"admin:{info}_{view}", args=[obj.pk])
        if hasattr(model, "history") and f"{info}_simple_history" in MODELS:
            version = obj.history.order_by("history_id").first()
            assert version is not None, f"{model.__name__} {obj.pk} has no history"
            by_name[f"{info}_simple_history"] = reverse(
                f"admin:{info}_simple_history", args=[obj.pk, version.history_id]
            )
    for view in ("config", "qrcode"):
        by_name[f"otp_totp_totpdevice_{view}"] = reverse(
            f"admin:otp_totp_totpdevice_{view}", args=[objects[TOTPDevice].pk]
        )
    by_name["auth_user_password_change"] = reverse(
        "admin:auth_user_password_change", args=[objects[User].pk]
    )
    cycle = data["cycle"]
    by_name["view_on_site"] = reverse(
        "admin:view_on_site", args=[ContentType.objects.get_for_model(cycle).pk, cycle.pk]
    )
    for name in ("index", "login", "logout", "password_change", "password_change_done"):
        by_name[name] = reverse(f"admin:{name}")
    by_name["autocomplete"] = reverse("admin:autocomplete")
    by_name["jsi18n"] = reverse("admin:jsi18n")
    for label in APP_LABELS:
        by_name[f"app_list:{label}"] = reverse("admin:app_list", args=[label])
    return by_name


def _matches(response, wanted) -> bool:
    got = response.status_code
    if wanted == LOGIN:
        return got == 302 and response["Location"].startswith(reverse("admin:login"))
    if wanted == INDEX:
        return got == 302 and response["Location"] == reverse("admin:index")
    if wanted == 302:
        return got == 302 and not response["Location"].startswith(reverse("admin:login"))
    return got == wanted


def _walk(rows, paths, users):
    mismatches = []
    for index, role in enumerate(ROLES):
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        for name, expected in rows.items():
            response = client.get(paths[name])
            if not _matches(response, expected[index]):
                mismatches.append((role, name, expected[index], response.status_code))
    return mismatches


def test_every_role_gets_the_outcome_in_the_table_at_every_admin_url(world):
    objects, users, data = world
    mismatches = _walk(_rows(), _paths(objects, data), users)
    assert mismatches == [], "\n".join(map(str, mismatches))


def test_the_administrators_own_account_is_out_of_reach(world):
    objects, users, data = world
    superuser = users["admin"]
    paths = {
        "ics_portal_user_change": reverse("admin:ics_portal_user_change", args=[superuser.pk]),
        "ics_portal_user_delete": reverse("admin:ics_portal_user_delete", args=[superuser.pk]),
        "ics_portal_user_history": reverse("admin:ics_portal_user_history", args=[superuser.pk]),
        "auth_user_password_change": reverse(
            "admin:auth_user_password_change", args=[superuser.pk]
        ),
    }
    mismatches = _walk(SUPERUSER_PAGES, paths, users)
    assert mismatches == [], "\n".join(map(str, mismatches))


# --- the escalation cases of issue 13, as POSTs by a governance officer ---------------------------


def _escalations(objects, users, data):
    """(what is tried, URL, posted data, statuses accepted) for each escalation."""
    from axes.models import AccessAttempt

    from packs.models import BoardPack

    governance, superuser, person = users["governance"], users["admin"], objects[User]
    everything = [str(p.pk) for p in Permission.objects.all()]
    all_groups = [str(g.pk) for g in Group.objects.all()]
    user_change = "admin:ics_portal_user_change"
    password = {"usable_password": "true", "password1": "Pwn3d-admin-1234"}
    password["password2"] = password["password1"]
    profile = {"full_name": "X", "is_active": "on", "is_superuser": "on", "is_staff": "on"}
    return [
        (
            "tick is_superuser and is_staff on a person",
            reverse(user_change, args=[person.pk]),
            {"email": person.email, **profile},
            (302,),
        ),
        (
            "give a person every group and permission",
            reverse(user_change, args=[person.pk]),
            {
                "email": person.email,
                **profile,
                "groups": all_groups,
                "user_permissions": everything,
            },
            (200, 302),
        ),
        (
            "give itself superuser, every group and permission",
            reverse(user_change, args=[governance.pk]),
            {
                "email": governance.email,
                **profile,
                "groups": all_groups,
                "user_permissions": everything,
            },
            (403,),
        ),
        (
            "set the administrator's password",
            reverse("admin:auth_user_password_change", args=[superuser.pk]),
            password,
            (403,),
        ),
        (
            "set a person's password",
            reverse("admin:auth_user_password_change", args=[person.pk]),
            password,
            (403,),
        ),
        (
            "take over the administrator's account",
            reverse(user_change, args=[superuser.pk]),
            {"email": "me@example.nhs.uk", "full_name": "Mine", "is_active": "on"},
            (403,),
        ),
        (
            "delete the administrator",
            reverse("admin:ics_portal_user_delete", args=[superuser.pk]),
            {"post": "yes"},
            (403,),
        ),
        (
            "bulk-delete the administrator",
            reverse("admin:ics_portal_user_changelist"),
            {"action": "delete_selected", "_selected_action": [superuser.pk], "post": "yes"},
            (200, 302),
        ),
        (
            "create a superuser",
            reverse("admin:ics_portal_user_add"),
            {"email": "new.admin@example.nhs.uk", **profile, **password},
            (302,),
        ),
        (
            "create a group with every permission",
            reverse("admin:auth_group_add"),
            {"name": "Backdoor", "permissions": everything},
            (403,),
        ),
        (
            "give the governance group every permission",
            reverse("admin:auth_group_change", args=[objects[Group].pk]),
            {"name": objects[Group].name, "permissions": everything},
            (403,),
        ),
        (
            "clear the lockout log",
            reverse("admin:axes_accessattempt_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [str(AccessAttempt.objects.get().pk)],
                "post": "yes",
            },
            (403,),
        ),
        (
            "delete a draft golden-thread update",
            reverse(
                "admin:reporting_goldenthreadupdate_delete",
                args=[GoldenThreadUpdate.objects.get().pk],
            ),
            {"post": "yes"},
            (403,),
        ),
        (
            "delete a draft workstream update",
            reverse(
                "admin:reporting_workstreamupdate_delete", args=[WorkstreamUpdate.objects.get().pk]
            ),
            {"post": "yes"},
            (403,),
        ),
        (
            "delete a risk review",
            reverse("admin:risks_riskreview_delete", args=[RiskReview.objects.get().pk]),
            {"post": "yes"},
            (403,),
        ),
        (
            "delete an unpublished pack",
            reverse(
                "admin:packs_boardpack_delete", args=[BoardPack.objects.get(title="Draft pack").pk]
            ),
            {"post": "yes"},
            (403,),
        ),
        (
            "write an audit event",
            reverse("admin:ics_portal_auditevent_add"),
            {"verb": "update.approve", "actor_name": "Nobody"},
            (403,),
        ),
    ]


def _state():
    """Everything an escalation could change, as comparable values."""
    from axes.models import AccessAttempt

    from packs.models import BoardPack

    return {
        "superusers": sorted(User.objects.filter(is_superuser=True).values_list("pk", flat=True)),
        "staff": sorted(User.objects.filter(is_staff=True).values_list("pk", flat=True)),
        "passwords": sorted(User.objects.values_list("pk", "password")),
        "user_permissions": User.user_permissions.through.objects.count(),
        "memberships": sorted(User.groups.through.objects.values_list("user_id", "group__name")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group_permissions": Group.permissions.through.objects.count(),
        "lockouts": AccessAttempt.objects.count(),
        "updates": WorkstreamUpdate.objects.count() + GoldenThreadUpdate.objects.count(),
        "reviews": RiskReview.objects.count(),
        "packs": BoardPack.objects.count(),
    }


def test_no_escalation_of_issue_13_works_for_a_governance_officer(world):
    objects, users, data = world
    client = Client()
    client.force_login(users["governance"])
    failures = []
    for what, url, post, accepted in _escalations(objects, users, data):
        before = _state()
        response = client.post(url, post)
        after = _state()
        # A person may be added or renamed (that is governance's work), never made more.
        if what.startswith("create a superuser"):
            made = User.objects.filter(email="new.admin@example.nhs.uk").first()
            if made is None or made.is_superuser or made.is_staff or made.has_usable_password():
                failures.append((what, "made a superuser, staff or a known password"))
            if made is not None:
                made.delete()
                after = _state()
        if response.status_code not in accepted:
            failures.append((what, response.status_code))
        if after != before:
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            failures.append((what, changed))
    assert failures == [], "\n".join(map(str, failures))
