"""Who may do what: every named permission and its rule, in one place.

Views, templates and actions ask `has_permission(user, "update.edit", update)`. The answer
depends on the person's role (a group) and their relation to the object (lead or deputy of
this workstream, owner of this risk). Superusers count as governance officers but are held to
the same locks (an approved update is read-only for everyone).

Convention for views: cannot *see* an object -> 404; can see it but not do this -> 403.
"""

import rules

from reporting.status import WorkflowState
from reporting.workflow import EDITABLE_STATES, READABLE_BY_BOARD_STATES

from . import roles

PERMISSIONS = rules.RuleSet()


@rules.predicate
def is_governance(user) -> bool:
    return roles.is_governance(user)


@rules.predicate
def is_board_member(user) -> bool:
    return roles.has_role(user, roles.BOARD_MEMBER)


@rules.predicate
def is_system_lead(user) -> bool:
    return roles.has_role(user, roles.SYSTEM_LEAD)


@rules.predicate
def leads_update(user, update) -> bool:
    """The person leads or deputises what this update (or risk review) is about."""
    if update is None or not getattr(user, "is_authenticated", False):
        return False
    return user.pk in update_lead_ids(update)


def update_lead_ids(update) -> set[int]:
    """Ids of the people who write this update: leads and deputies, or thread leads,
    or the owner of the risk under review. Uses prefetched relations when present."""
    if hasattr(update, "workstream"):
        workstream = update.workstream
        return {u.pk for u in workstream.leads.all()} | {u.pk for u in workstream.deputies.all()}
    if hasattr(update, "golden_thread"):
        return {u.pk for u in update.golden_thread.system_leads.all()}
    if hasattr(update, "risk"):
        return {update.risk.owner_id} if update.risk.owner_id else set()
    return set()


@rules.predicate
def cycle_is_open(user, update) -> bool:
    return update is not None and update.cycle.is_open


@rules.predicate
def in_editable_state(user, update) -> bool:
    return update is not None and update.state in EDITABLE_STATES


@rules.predicate
def is_submitted(user, update) -> bool:
    return update is not None and update.state == WorkflowState.SUBMITTED


@rules.predicate
def is_locked(user, update) -> bool:
    return update is not None and update.state in READABLE_BY_BOARD_STATES


@rules.predicate
def is_board_readable(user, update) -> bool:
    return update is not None and update.state in READABLE_BY_BOARD_STATES


@rules.predicate
def owns_risk(user, risk) -> bool:
    return risk is not None and risk.owner_id is not None and risk.owner_id == user.pk


@rules.predicate
def started_it(user, job) -> bool:
    """The person who uploaded and confirmed this import (an ImportJob)."""
    return job is not None and job.owner_id is not None and job.owner_id == user.pk


# Updates (workstream and golden thread) and risk reviews share one workflow and one set of rules.
PERMISSIONS.add_rule(
    "update.view", is_governance | leads_update | (is_board_member & is_board_readable)
)
PERMISSIONS.add_rule(
    "update.edit",
    (leads_update & cycle_is_open & in_editable_state) | (is_governance & ~is_locked),
)
PERMISSIONS.add_rule("update.submit", leads_update & cycle_is_open & in_editable_state)
PERMISSIONS.add_rule("update.withdraw", leads_update & is_submitted)
PERMISSIONS.add_rule("update.review", is_governance & is_submitted)
PERMISSIONS.add_rule("update.history", is_governance | leads_update)

PERMISSIONS.add_rule("cycle.manage", is_governance)
PERMISSIONS.add_rule("cycle.view_progress", is_governance)
PERMISSIONS.add_rule("cycle.send_reminders", is_governance)

PERMISSIONS.add_rule("risk.view", is_governance | is_board_member | is_system_lead)
PERMISSIONS.add_rule("risk.manage", is_governance)

PERMISSIONS.add_rule("pack.manage", is_governance)
PERMISSIONS.add_rule("pack.view_published", is_governance | is_board_member)

PERMISSIONS.add_rule("data.import", is_governance)
PERMISSIONS.add_rule("data.export", is_governance)
# An import running in the task worker: its progress and result are for whoever started it
# and for governance.
PERMISSIONS.add_rule("data.view_import", is_governance | started_it)


def has_permission(user, perm: str, obj=None) -> bool:
    """The one question every view, template and action asks."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if perm not in PERMISSIONS:
        raise KeyError(f"Unknown permission {perm!r}")
    return PERMISSIONS.test_rule(perm, user, obj)
