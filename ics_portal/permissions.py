"""Who may do what: every named permission and its rule, in one place.

Views, templates and actions ask `has_permission(user, "update.edit", update)`. The answer
depends on the person's role (a group) and their relation to the object (lead or deputy of
this workstream, owner of this risk). Superusers count as governance officers but are held to
the same locks (an approved update is read-only for everyone).

Convention for views: cannot *see* an object -> 404; can see it but not do this -> 403, with
`refusal(user, perm, obj)` saying why in words (shown on the 403 page).

Leads act on an update only while their window is open (the cycle is open, or governance gave
the update an extension); governance reviews in open and closed cycles and can reopen a closed
cycle or one update. The rules are explained in docs/adr/0006-no-dead-ends.md and checked
state by state in tests/workflow/test_state_machine.py.
"""

import rules
from django.utils import formats

from ics_portal.status import WorkflowState
from ics_portal.workflow.states import (
    EDITABLE_STATES,
    READABLE_BY_BOARD_STATES,
    cycle_is_live,
    leads_window_open,
)

from . import roles
from .workflow.kinds import kind_of
from .workflow.states import closed_window_message

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
    return user.pk in kind_of(update).lead_ids(update)


@rules.predicate
def in_leads_window(user, update) -> bool:
    """The cycle is open, or it is closed and this update's extension has not ended."""
    return update is not None and leads_window_open(update)


@rules.predicate
def in_live_cycle(user, update) -> bool:
    """The update's cycle is open or closed (governance still reviews after the deadline)."""
    return update is not None and cycle_is_live(update.cycle)


@rules.predicate
def in_closed_cycle(user, update) -> bool:
    return update is not None and update.cycle.status == "CLOSED"


@rules.predicate
def is_approved(user, update) -> bool:
    """Approved and not yet in a published board pack."""
    return update is not None and update.state == WorkflowState.APPROVED


@rules.predicate
def is_closed_cycle(user, cycle) -> bool:
    return cycle is not None and cycle.status == "CLOSED"


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
    (leads_update & in_leads_window & in_editable_state)
    | (is_governance & ~is_locked & in_live_cycle),
)
PERMISSIONS.add_rule("update.submit", leads_update & in_leads_window & in_editable_state)
PERMISSIONS.add_rule("update.withdraw", leads_update & in_leads_window & is_submitted)
PERMISSIONS.add_rule("update.review", is_governance & is_submitted & in_live_cycle)
PERMISSIONS.add_rule("update.history", is_governance | leads_update)
# Governance unblocks one update after the cycle closes: a late-submission extension for one
# not yet submitted, or an approved (unpublished) one sent back to its leads.
PERMISSIONS.add_rule("update.extend", is_governance & in_editable_state & in_closed_cycle)
PERMISSIONS.add_rule("update.reopen", is_governance & is_approved & in_live_cycle)

PERMISSIONS.add_rule("cycle.manage", is_governance)
PERMISSIONS.add_rule("cycle.reopen", is_governance & is_closed_cycle)
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

# The same rules answer Django's own question, user.has_perm() and {% if perms.… %}, through the
# rules backend in AUTHENTICATION_BACKENDS and User.has_perm.
for _name in PERMISSIONS:
    rules.set_perm(_name, PERMISSIONS[_name])


def has_permission(user, perm: str, obj=None) -> bool:
    """The one question every view, template and action asks."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if perm not in PERMISSIONS:
        raise KeyError(f"Unknown permission {perm!r}")
    return PERMISSIONS.test_rule(perm, user, obj)


# --- why not, in words ------------------------------------------------------------------------


def _day(value) -> str:
    return formats.date_format(value, "j F Y")


def refusal(user, perm: str, obj=None) -> str:
    """Why `user` may not do `perm` to `obj` (which they can see), in words for the 403 page
    and the buttons' place on a page: what is stopping it and what to do instead."""
    if perm == "cycle.reopen":
        if not roles.is_governance(user):
            return "Only the governance team can reopen a reporting cycle."
        status = obj.get_status_display().lower() if obj is not None else "not closed"
        return f"Only a closed cycle can be reopened; this one is {status}."
    if not perm.startswith("update.") or obj is None:
        return "Your role does not allow this."
    return _update_refusal(user, perm, obj)


def _update_refusal(user, perm: str, update) -> str:
    noun = kind_of(update).noun
    cycle = update.cycle
    state = update.state
    governance = roles.is_governance(user)
    if state == WorkflowState.PUBLISHED:
        return (
            f"This {noun} is in a published board pack, so it is locked for good. Record any "
            f"correction in next quarter's {noun}."
        )
    if not cycle_is_live(cycle):
        return f"The {cycle.label} reporting cycle is {cycle.get_status_display().lower()}."
    if perm == "update.reopen":
        if not governance:
            return f"Only the governance team can reopen an approved {noun}."
        return f"Only an approved {noun} can be reopened; this one is {update.state_label.lower()}."
    if perm == "update.extend":
        if not governance:
            return "Only the governance team gives extensions."
        if cycle.status == "OPEN":
            return (
                f"The {cycle.label} cycle is open, so the leads can still submit until the "
                "deadline: no extension is needed."
            )
        return (
            f"Only a {noun} that has not been submitted can be given an extension; this one is "
            f"{update.state_label.lower()}."
        )
    if state == WorkflowState.APPROVED:
        if governance:
            return (
                f"This {noun} is approved and locked. To change it before the board pack is "
                "published, reopen it: it goes back to its leads with your reason."
            )
        return (
            f"This {noun} is approved and locked. If it must change before the board pack is "
            "published, ask the governance team to reopen it."
        )
    if perm == "update.review":
        if not governance:
            return f"Only the governance team reviews a submitted {noun}."
        return f"Only a submitted {noun} can be reviewed; this one is {update.state_label.lower()}."
    if perm == "update.submit" and not leads_update(user, update):
        return f"Only the {noun}'s leads submit it; the governance team reviews it once submitted."
    if perm == "update.withdraw" and state != WorkflowState.SUBMITTED:
        return (
            f"Only a submitted {noun} can be withdrawn; this one is {update.state_label.lower()}."
        )
    if leads_update(user, update) and not leads_window_open(update):
        return closed_window_message(update)
    if perm in ("update.edit", "update.submit") and state == WorkflowState.SUBMITTED:
        return (
            f"This {noun} has been submitted. Withdraw it first if you need to change it, "
            "before the governance team reviews it."
        )
    return "Your role does not allow this."
