"""Who may do what: every named permission and its rule, in one place.

Permissions are named by `Perm` members: views and actions ask
`has_permission(user, Perm.UPDATE_EDIT, update)`; templates name them by value
(`{% if perms.cycle.manage %}`), and tests/access/test_permissions_agree.py checks that every name a
template uses is one. The answer depends on the person's role (a group) and their relation to
the object (lead or deputy of this workstream, owner of this risk). Superusers count as
governance officers but are held to the same locks (an approved update is read-only for
everyone).

Convention for views: cannot *see* an object -> 404; can see it but not do this -> 403, with
`refusal(user, perm, obj)` saying why in words (shown on the 403 page). Views state both with
one decorator, ics_portal.views_support.requires.

Leads act on an update only while their window is open (the cycle is open, or governance gave
the update an extension); governance reviews in open and closed cycles and can reopen a closed
cycle or one update. The rules are explained in docs/adr/0006-no-dead-ends.md and checked
state by state in tests/workflow/test_state_machine.py.
"""

from enum import StrEnum

import rules
from django.utils import formats, timezone

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


class Perm(StrEnum):
    """Every permission the portal asks about. The value is the name Django's `has_perm` and
    templates' `perms` use ("<app>.<codename>")."""

    # Updates (workstream and golden thread) and risk reviews share one workflow and one set.
    UPDATE_VIEW = "update.view"
    UPDATE_EDIT = "update.edit"
    UPDATE_SUBMIT = "update.submit"
    UPDATE_WITHDRAW = "update.withdraw"
    UPDATE_REVIEW = "update.review"
    UPDATE_AUTHOR = "update.author"  # one of the people who write this update
    UPDATE_EXTEND = "update.extend"
    UPDATE_REOPEN = "update.reopen"
    UPDATE_WRITE = "update.write"
    UPDATE_LIST_OWN = "update.list_own"

    CYCLE_MANAGE = "cycle.manage"
    CYCLE_REOPEN = "cycle.reopen"
    CYCLE_VIEW_PROGRESS = "cycle.view_progress"
    CYCLE_SEND_REMINDERS = "cycle.send_reminders"

    RISK_VIEW = "risk.view"
    RISK_MANAGE = "risk.manage"
    RISK_CLOSE = "risk.close"
    RISK_LIST_REVIEWS = "risk.list_reviews"

    PACK_MANAGE = "pack.manage"
    PACK_EDIT = "pack.edit"
    PACK_VIEW_PUBLISHED = "pack.view_published"
    PACK_READ = "pack.read"

    DATA_VIEW = "data.view"
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"
    DATA_VIEW_IMPORT = "data.view_import"

    # The audit trail: its page and its export (governance officers and superusers).
    AUDIT_VIEW = "audit.view"

    # The dashboards (plan overview, trend grid, risk trends): approved work at a glance.
    DASHBOARD_VIEW = "dashboard.view"
    # Forums and committees (issue 16): governance keeps them and their names.
    FORUM_MANAGE = "forum.manage"


class UnknownPermission(KeyError, ValueError):
    """A permission name that is not a `Perm`: a mistake where it is written. A KeyError, as a
    name missing from the rules always was, and a ValueError, as `Perm("…")` raises."""


def as_perm(perm) -> Perm:
    """`perm` as a member; its value ("update.edit") is the same member. Anything else raises."""
    try:
        return Perm(perm)
    except ValueError:
        raise UnknownPermission(f"Unknown permission {perm!r}") from None


class Rule(rules.Predicate):
    """A rules predicate that knows whether it looks at the object (a second argument), also
    once combined with &, |, ^ and ~. A view asks a rule about the person alone before it loads
    anything (views_support.requires), so someone who may not be there costs no query."""

    looks_at_object = True

    def _joined(self, combined, *others):
        combined.looks_at_object = any(getattr(p, "looks_at_object", True) for p in (self, *others))
        return combined

    def __and__(self, other):
        return self._joined(super().__and__(other), other)

    def __or__(self, other):
        return self._joined(super().__or__(other), other)

    def __xor__(self, other):
        return self._joined(super().__xor__(other), other)

    def __invert__(self):
        return self._joined(super().__invert__())


def predicate(fn) -> Rule:
    rule = Rule(fn)
    rule.looks_at_object = rule.num_args >= 2
    return rule


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# --- who the person is ------------------------------------------------------------------------


@predicate
def is_governance(user) -> bool:
    return roles.is_governance(user)


@predicate
def is_board_member(user) -> bool:
    return roles.has_role(user, roles.BOARD_MEMBER)


@predicate
def is_system_lead(user) -> bool:
    return roles.has_role(user, roles.SYSTEM_LEAD)


@predicate
def owns_a_risk(user) -> bool:
    """Owns at least one BAF risk (so has risk reviews to write, with or without a role)."""
    # The BAF register's reverse relation (risks.BAFRisk.owner): asked by name, so this bottom
    # layer does not import the register (docs/adr/0009-layers.md).
    return _signed_in(user) and user.owned_risks.exists()


# --- updates and risk reviews -----------------------------------------------------------------


@predicate
def leads_update(user, update) -> bool:
    """The person leads or deputises what this update (or risk review) is about."""
    if update is None or not _signed_in(user):
        return False
    return user.pk in kind_of(update).lead_ids(update)


@predicate
def lists_updates(user, rows) -> bool:
    """The "My updates" page has something to list for the person (`rows`, its rows)."""
    return _signed_in(user) and isinstance(rows, list | tuple) and bool(rows)


@predicate
def in_leads_window(user, update) -> bool:
    """The cycle is open, or it is closed and this update's extension has not ended."""
    return update is not None and leads_window_open(update)


@predicate
def in_live_cycle(user, update) -> bool:
    """The update's cycle is open or closed (governance still reviews after the deadline)."""
    return update is not None and cycle_is_live(update.cycle)


@predicate
def in_closed_cycle(user, update) -> bool:
    return update is not None and update.cycle.is_closed


@predicate
def is_approved(user, update) -> bool:
    """Approved and not yet in a published board pack."""
    return update is not None and update.state == WorkflowState.APPROVED


@predicate
def is_closed_cycle(user, cycle) -> bool:
    return cycle is not None and cycle.status == "CLOSED"


@predicate
def in_editable_state(user, update) -> bool:
    return update is not None and update.state in EDITABLE_STATES


@predicate
def is_submitted(user, update) -> bool:
    return update is not None and update.state == WorkflowState.SUBMITTED


@predicate
def is_locked(user, update) -> bool:
    return update is not None and update.state in READABLE_BY_BOARD_STATES


@predicate
def is_board_readable(user, update) -> bool:
    return update is not None and update.state in READABLE_BY_BOARD_STATES


# --- risks, packs, imports --------------------------------------------------------------------


@predicate
def is_open_risk(user, risk) -> bool:
    return risk is not None and risk.is_open


@predicate
def is_editable_pack(user, pack) -> bool:
    """A board pack whose cover sheet can still change: not generating, not published."""
    return pack is not None and pack.is_editable


@predicate
def is_withdrawn(user, published) -> bool:
    """A published version of a pack that governance has withdrawn."""
    return published is not None and published.withdrawn_at is not None


@predicate
def is_public_now(user, published) -> bool:
    """A published version for meetings in public whose embargo has passed."""
    return (
        published is not None
        and published.visibility == "PUBLIC"
        and published.embargo_until is not None
        and published.embargo_until <= timezone.now()
    )


@predicate
def started_it(user, job) -> bool:
    """The person who uploaded and confirmed this import (an ImportJob)."""
    return job is not None and job.owner_id is not None and job.owner_id == user.pk


# --- the rules ----------------------------------------------------------------------------------

PERMISSIONS = rules.RuleSet()


def _rule(perm: Perm, rule: Rule) -> Rule:
    PERMISSIONS.add_rule(as_perm(perm), rule)
    return rule


_rule(Perm.UPDATE_VIEW, is_governance | leads_update | (is_board_member & is_board_readable))
_rule(
    Perm.UPDATE_EDIT,
    (leads_update & in_leads_window & in_editable_state)
    | (is_governance & ~is_locked & in_live_cycle),
)
_rule(Perm.UPDATE_SUBMIT, leads_update & in_leads_window & in_editable_state)
_rule(Perm.UPDATE_WITHDRAW, leads_update & in_leads_window & is_submitted)
_rule(Perm.UPDATE_REVIEW, is_governance & is_submitted & in_live_cycle)
_rule(Perm.UPDATE_AUTHOR, is_governance | leads_update)
# Governance unblocks one update after the cycle closes: a late-submission extension for one
# not yet submitted, or an approved (unpublished) one sent back to its leads.
_rule(Perm.UPDATE_EXTEND, is_governance & in_editable_state & in_closed_cycle)
_rule(Perm.UPDATE_REOPEN, is_governance & is_approved & in_live_cycle)
# The system-lead role: the "My updates" link and the home page's "what I owe" panel.
_rule(Perm.UPDATE_WRITE, is_system_lead)
# The "My updates" page (the object: its rows): leads and governance, and anyone it lists
# something for (a deputy who holds no role).
_rule(Perm.UPDATE_LIST_OWN, lists_updates | is_system_lead | is_governance)

_rule(Perm.CYCLE_MANAGE, is_governance)
_rule(Perm.CYCLE_REOPEN, is_governance & is_closed_cycle)
_rule(Perm.CYCLE_VIEW_PROGRESS, is_governance)
_rule(Perm.CYCLE_SEND_REMINDERS, is_governance)

reads_risks = _rule(Perm.RISK_VIEW, is_governance | is_board_member | is_system_lead)
_rule(Perm.RISK_MANAGE, is_governance)
_rule(Perm.RISK_CLOSE, is_governance & is_open_risk)
# "Risk reviews": whoever reads the BAF, and the owner of a risk who holds no role.
_rule(Perm.RISK_LIST_REVIEWS, reads_risks | owns_a_risk)

manages_packs = _rule(Perm.PACK_MANAGE, is_governance)
_rule(Perm.PACK_EDIT, manages_packs & is_editable_pack)
reads_packs = _rule(Perm.PACK_VIEW_PUBLISHED, is_governance | is_board_member)
# One published version: governance reads every one, withdrawn too; members every live one;
# anyone, signed in or not, a public one once its embargo has passed (readable_published).
_rule(Perm.PACK_READ, manages_packs | (~is_withdrawn & (reads_packs | is_public_now)))

imports_data = _rule(Perm.DATA_IMPORT, is_governance)
exports_data = _rule(Perm.DATA_EXPORT, is_governance)
# The import and export pages: for whoever may do either.
_rule(Perm.DATA_VIEW, imports_data | exports_data)
# An import running in the task worker: its progress and result are for whoever started it
# and for governance (imports_visible_to).
_rule(Perm.DATA_VIEW_IMPORT, is_governance | started_it)

# The audit trail is governance's tool; superusers count as governance (roles.is_governance).
_rule(Perm.AUDIT_VIEW, is_governance)
_rule(Perm.FORUM_MANAGE, is_governance)

# The dashboards show approved updates and accepted risk reviews only, as the board reads them:
# for whoever reads the BAF and the published reports (board, leads, governance).
_rule(Perm.DASHBOARD_VIEW, is_governance | is_board_member | is_system_lead)

assert set(PERMISSIONS) == set(Perm), "every Perm has a rule, and only Perms have rules"

# The same rules answer Django's own question, user.has_perm() and {% if perms.… %}, through the
# rules backend in AUTHENTICATION_BACKENDS and User.has_perm.
for _name in PERMISSIONS:
    rules.set_perm(_name, PERMISSIONS[_name])

# What someone who is not signed in may do: read what was published to the public.
OPEN_TO_EVERYONE = frozenset({Perm.PACK_READ})


def has_permission(user, perm: Perm, obj=None) -> bool:
    """The one question every view, template and action asks."""
    perm = as_perm(perm)
    if not _signed_in(user):
        if perm not in OPEN_TO_EVERYONE:
            return False
    elif not user.is_active:
        return False
    return PERMISSIONS.test_rule(perm, user, obj)


def looks_at_object(perm: Perm) -> bool:
    """Whether `perm`'s rule depends on the object, or only on who the person is."""
    return getattr(PERMISSIONS[as_perm(perm)], "looks_at_object", True)


# --- the same rules as filters, for lists -----------------------------------------------------


def readable_published(user, published):
    """The published versions (a PublishedPack queryset) `user` may read: Perm.PACK_READ as a
    filter, so lists and pages show exactly what the rule allows."""
    if has_permission(user, Perm.PACK_MANAGE):
        return published
    published = published.filter(withdrawn_at__isnull=True)
    if has_permission(user, Perm.PACK_VIEW_PUBLISHED):
        return published
    return published.filter(visibility="PUBLIC", embargo_until__lte=timezone.now())


def imports_visible_to(user, jobs):
    """The imports (an ImportJob queryset) `user` may follow: Perm.DATA_VIEW_IMPORT as a filter,
    every one for governance, else their own."""
    return jobs if is_governance(user) else jobs.filter(owner=user)


# --- why not, in words ------------------------------------------------------------------------


def _day(value) -> str:
    return formats.date_format(value, "j F Y")


def refusal(user, perm: Perm, obj=None) -> str:
    """Why `user` may not do `perm` to `obj` (which they can see), in words for the 403 page
    and the buttons' place on a page: what is stopping it and what to do instead."""
    perm = as_perm(perm)
    if perm in (Perm.RISK_MANAGE, Perm.RISK_CLOSE) and not roles.is_governance(user):
        return "Only the governance team changes the BAF."
    if perm == Perm.RISK_CLOSE:
        return "This risk is already closed."
    if perm == Perm.PACK_EDIT and roles.is_governance(user):
        return "This pack cannot be edited now."
    if perm == Perm.CYCLE_REOPEN:
        if not roles.is_governance(user):
            return "Only the governance team can reopen a reporting cycle."
        status = obj.get_status_display().lower() if obj is not None else "not closed"
        return f"Only a closed cycle can be reopened; this one is {status}."
    if not perm.startswith("update.") or obj is None:
        return "Your role does not allow this."
    return _update_refusal(user, perm, obj)


def _update_refusal(user, perm: Perm, update) -> str:
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
    if perm == Perm.UPDATE_REOPEN:
        if not governance:
            return f"Only the governance team can reopen an approved {noun}."
        return f"Only an approved {noun} can be reopened; this one is {update.state_label.lower()}."
    if perm == Perm.UPDATE_EXTEND:
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
    if perm == Perm.UPDATE_REVIEW:
        if not governance:
            return f"Only the governance team reviews a submitted {noun}."
        return f"Only a submitted {noun} can be reviewed; this one is {update.state_label.lower()}."
    if perm == Perm.UPDATE_SUBMIT and not leads_update(user, update):
        return f"Only the {noun}'s leads submit it; the governance team reviews it once submitted."
    if perm == Perm.UPDATE_WITHDRAW and state != WorkflowState.SUBMITTED:
        return (
            f"Only a submitted {noun} can be withdrawn; this one is {update.state_label.lower()}."
        )
    if leads_update(user, update) and not leads_window_open(update):
        return closed_window_message(update)
    if perm in (Perm.UPDATE_EDIT, Perm.UPDATE_SUBMIT) and state == WorkflowState.SUBMITTED:
        return (
            f"This {noun} has been submitted. Withdraw it first if you need to change it, "
            "before the governance team reviews it."
        )
    return "Your role does not allow this."
