"""Every portal permission answers the same through has_permission(), user.has_perm() and the
template's {% if perms.… %} (issue 10): the rules are registered with django-rules, and
User.has_perm holds superusers and inactive people to the portal's rules."""

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import AnonymousUser

from ics_portal.models import ReportingCycle
from ics_portal.permissions import PERMISSIONS, has_permission

from .. import factories
from ..updates.support import approve, submit


@pytest.fixture
def people(lead, other_lead, governance, board_member, outsider):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    inactive = factories.UserFactory()
    inactive.groups.set(governance.groups.all())
    inactive.is_active = False
    inactive.save()
    return [AnonymousUser(), outsider, board_member, lead, other_lead, governance, admin, inactive]


def _objects(update, thread_update):
    return {
        "update": [update, thread_update],
        "cycle": [None, update.cycle],
        "risk": [None],
        "pack": [None],
        "data": [None],
    }


def _check(people, objects):
    checked = 0
    for name in PERMISSIONS:
        for obj in objects[name.split(".")[0]]:
            for person in people:
                expected = has_permission(person, name, obj)
                assert person.has_perm(name, obj) == expected, (name, person, obj)
                if obj is None:
                    app, codename = name.split(".")
                    assert PermWrapper(person)[app][codename] == expected, (name, person)
                checked += 1
    return checked


def test_has_perm_and_perms_agree_with_has_permission_in_every_state(
    people, update, thread_update, lead, governance
):
    objects = _objects(update, thread_update)
    checked = _check(people, objects)
    submit(update, lead)
    submit(thread_update, lead)
    checked += _check(people, objects)
    ReportingCycle.objects.filter(pk=update.cycle_id).update(status=ReportingCycle.Status.CLOSED)
    update.cycle.refresh_from_db()
    checked += _check(people, objects)
    assert checked > 500


def test_a_superuser_is_held_to_the_lock_by_has_perm_too(update, lead, governance):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    approve(update, lead, governance)
    update.refresh_from_db()
    assert not has_permission(admin, "update.edit", update)
    assert not admin.has_perm("update.edit", update)
    # Django's own model permissions keep Django's rule for superusers.
    assert admin.has_perm("reporting.change_workstreamupdate")
