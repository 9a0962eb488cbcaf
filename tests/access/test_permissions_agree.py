"""Every portal permission answers the same through has_permission(), user.has_perm() and the
template's {% if perms.… %} (issue 10): the rules are registered with django-rules, and
User.has_perm holds superusers and inactive people to the portal's rules. Permission names are
a `Perm`: every member has a rule, a name that is not one is refused wherever it is written,
and the lists' filters (published packs, imports) show exactly what the per-object rule allows.
"""

import ast
import datetime
import re
from pathlib import Path

import pytest
import rules
from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from dataio.models import ImportJob
from ics_portal.models import ReportingCycle
from ics_portal.permissions import (
    PERMISSIONS,
    Perm,
    UnknownPermission,
    has_permission,
    imports_visible_to,
    looks_at_object,
    readable_published,
    refusal,
)
from ics_portal.views_support import requires
from packs.models import BoardPack, PublishedPack
from risks.models import BAFRisk

from .. import factories
from ..updates.support import approve, submit

BASE = Path(settings.BASE_DIR)


@pytest.fixture
def people(lead, other_lead, governance, board_member, outsider):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    inactive = factories.UserFactory()
    inactive.groups.set(governance.groups.all())
    inactive.is_active = False
    inactive.save()
    return [AnonymousUser(), outsider, board_member, lead, other_lead, governance, admin, inactive]


@pytest.fixture
def things(update, thread_update, outsider, governance, lead):
    """An object of every kind a permission is asked about, in the states its rules tell apart.
    The outsider owns a closed risk (so has risk reviews without a role); the lead started an
    import."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    closed = factories.BAFRiskFactory(
        reference="R99", owner=outsider, status=BAFRisk.Status.CLOSED, closed_reason="Done."
    )
    draft = factories.BoardPackFactory(cycle=update.cycle)
    generating = factories.BoardPackFactory(cycle=update.cycle, state=BoardPack.State.GENERATING)
    public = BoardPack.Visibility.PUBLIC
    published = [
        factories.PublishedPackFactory(visibility=public, embargo_until=now - day),
        factories.PublishedPackFactory(visibility=public, embargo_until=now + day),
        factories.PublishedPackFactory(visibility=BoardPack.Visibility.MEMBERS),
        factories.PublishedPackFactory(
            visibility=public,
            embargo_until=now - day,
            withdrawn_at=now,
            withdrawn_by=governance,
            withdrawn_reason="Wrong figures.",
        ),
    ]
    jobs = [
        ImportJob.objects.create(
            owner=owner, kind="themes", label="Themes", filename="t.xlsx", rows_total=600
        )
        for owner in (lead, governance)
    ]
    return {
        "update": [update, thread_update],
        "cycle": [None, update.cycle],
        "risk": [None, BAFRisk.objects.get(reference="07"), closed],
        "pack": [None, draft, generating],
        "published": published,
        "data": [None, *jobs],
        "rows": [None, [], ["a row"]],
        "audit": [None],  # the audit trail: about the person alone
        "dashboard": [None],  # the dashboards: about the person alone
        "forum": [None],  # forums and their names: about the person alone
    }


def _objects_for(perm: Perm, things) -> list:
    if perm == Perm.PACK_READ:
        return things["published"]
    if perm == Perm.UPDATE_LIST_OWN:
        return things["rows"]
    return things[perm.split(".")[0]]


def _check(people, things):
    checked = 0
    for perm in Perm:
        for obj in _objects_for(perm, things):
            for person in people:
                expected = has_permission(person, perm, obj)
                assert person.has_perm(perm.value, obj) == expected, (perm, person, obj)
                if obj is None:
                    app, codename = perm.value.split(".")
                    assert PermWrapper(person)[app][codename] == expected, (perm, person)
                if not looks_at_object(perm):
                    # A rule about the person alone gives one answer whatever the object, so
                    # views may ask it before loading anything.
                    assert expected == has_permission(person, perm), (perm, person, obj)
                checked += 1
    return checked


def test_has_perm_and_perms_agree_with_has_permission_in_every_state(
    people, things, update, thread_update, lead
):
    checked = _check(people, things)
    submit(update, lead)
    submit(thread_update, lead)
    checked += _check(people, things)
    ReportingCycle.objects.filter(pk=update.cycle_id).update(status=ReportingCycle.Status.CLOSED)
    update.cycle.refresh_from_db()
    checked += _check(people, things)
    assert checked > 1500


def test_every_perm_has_a_rule_registered_with_rules():
    assert set(PERMISSIONS) == set(Perm)
    for perm in Perm:
        assert rules.perm_exists(perm.value), perm
        assert rules.perm_exists(perm), perm


def test_a_name_that_is_not_a_perm_is_refused_wherever_it_is_written(lead):
    for call in (
        lambda: has_permission(lead, "update.teleport"),
        lambda: has_permission(AnonymousUser(), "update.edti"),  # refused even when signed out
        lambda: refusal(lead, "cycle.destroy"),
        lambda: requires("pack.manages"),
        lambda: requires(see="risk.veiw"),
    ):
        with pytest.raises(UnknownPermission):
            call()
    # Still what was raised before there was an enum (KeyError), and what the enum raises.
    assert issubclass(UnknownPermission, KeyError) and issubclass(UnknownPermission, ValueError)


def test_a_perm_value_is_the_member_itself(update, lead):
    assert Perm("update.edit") is Perm.UPDATE_EDIT
    assert has_permission(lead, "update.edit", update) == has_permission(
        lead, Perm.UPDATE_EDIT, update
    )


def test_the_published_packs_filter_shows_exactly_what_pack_read_allows(people, things):
    published = things["published"]
    everyone = PublishedPack.objects.filter(pk__in=[p.pk for p in published])
    for person in people:
        if person.is_authenticated and not person.is_active:
            continue  # cannot sign in; holds no permission at all
        shown = set(readable_published(person, everyone).values_list("pk", flat=True))
        allowed = {p.pk for p in published if has_permission(person, Perm.PACK_READ, p)}
        assert shown == allowed, person
    # Anyone reads a public version once its embargo has passed, and nothing else.
    public_now = published[0]
    assert {p.pk for p in published if has_permission(AnonymousUser(), Perm.PACK_READ, p)} == {
        public_now.pk
    }


def test_the_imports_filter_shows_exactly_what_view_import_allows(people, things):
    jobs = things["data"][1:]
    everyone = ImportJob.objects.filter(pk__in=[job.pk for job in jobs])
    for person in people[1:]:  # the pages are for people signed in
        if not person.is_active:
            continue  # cannot sign in; holds no permission at all
        shown = set(imports_visible_to(person, everyone).values_list("pk", flat=True))
        allowed = {job.pk for job in jobs if has_permission(person, Perm.DATA_VIEW_IMPORT, job)}
        assert shown == allowed, person


def test_a_superuser_is_held_to_the_lock_by_has_perm_too(update, lead, governance):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    approve(update, lead, governance)
    update.refresh_from_db()
    assert not has_permission(admin, Perm.UPDATE_EDIT, update)
    assert not admin.has_perm("update.edit", update)
    # Django's own model permissions keep Django's rule for superusers.
    assert admin.has_perm("reporting.change_workstreamupdate")


# --- names as written in templates and in code -------------------------------------------------

TEMPLATE_PERM = re.compile(r"\bperms\.(\w+)\.(\w+)")


def _template_names() -> dict[str, set[str]]:
    """Every "<app>.<codename>" a template asks `perms` about, with the templates asking."""
    found: dict[str, set[str]] = {}
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            for app, codename in TEMPLATE_PERM.findall(path.read_text()):
                found.setdefault(f"{app}.{codename}", set()).add(str(path.relative_to(folder)))
    return found


def test_every_permission_a_template_names_is_a_perm():
    found = _template_names()
    assert found, "the templates ask perms about something (home.html does)"
    values = {perm.value for perm in Perm}
    unknown = {name: sorted(where) for name, where in found.items() if name not in values}
    assert unknown == {}, "a typo in {% if perms.… %}, or a Perm missing"


def test_the_template_check_catches_a_typo():
    assert TEMPLATE_PERM.findall("{% if perms.cycle.mange %}") == [("cycle", "mange")]
    assert "cycle.mange" not in {perm.value for perm in Perm}


ASKS = {"has_permission", "refusal", "require", "requires", "has_perm", "test_rule"}


def _string_permission_calls(source: str) -> list[tuple[int, str]]:
    """(line, text) of each call to a permission question that names it with a string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in ASKS:
            continue
        arguments = [*node.args, *(k.value for k in node.keywords if k.arg == "see")]
        for argument in arguments:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.append((node.lineno, argument.value))
    return found


def _project_modules():
    """The project's own Python modules: every top-level package but the tests."""
    for package in sorted(BASE.iterdir()):
        if package.name == "tests" or not (package / "__init__.py").is_file():
            continue
        for path in package.rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_code_names_permissions_as_perm_members_not_strings():
    offenders = []
    modules = list(_project_modules())
    assert any(path.name == "permissions.py" for path in modules)
    for path in modules:
        for line, text in _string_permission_calls(path.read_text()):
            offenders.append(f"{path.relative_to(BASE)}:{line} {text!r}")
    assert offenders == [], "name permissions as Perm.X"


def test_the_code_check_catches_a_string():
    source = 'has_permission(user, "update.edit", obj)\nrequires(see="risk.view")\n'
    assert _string_permission_calls(source) == [(1, "update.edit"), (2, "risk.view")]
    assert _string_permission_calls("has_permission(user, Perm.UPDATE_EDIT, obj)") == []
