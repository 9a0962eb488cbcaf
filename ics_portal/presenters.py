"""What a reviewed item's page says about when its leads can act (the cycle is closed, an
extension) and governance's ways to unblock it (docs/adr/0006), for every kind."""

from dataclasses import dataclass
from datetime import date

from ics_portal.models import ReportingCycle
from ics_portal.permissions import Perm, has_permission, leads_update
from ics_portal.status import WorkflowState

from .workflow.kinds import kind_of
from .workflow.states import OUTSTANDING_STATES, closed_window_message, leads_window_open


@dataclass(frozen=True)
class WorkflowWindow:
    """When an update's (or risk review's) leads can act, as its page tells the person looking,
    and what governance can do to unblock it."""

    update: object
    noun: str  # "update" or "risk review"
    lead_message: str  # for a lead whose window is shut; "" otherwise
    extended_until: date | None  # shown while the update is not yet approved
    extension_active: bool
    extend_url: str  # "" unless the person may give an extension
    reopen_url: str  # "" unless the person may reopen the approved update

    @property
    def cycle(self) -> ReportingCycle:
        return self.update.cycle


def workflow_window(update, user) -> WorkflowWindow:
    """No queries beyond the permission checks the page already makes."""
    kind = kind_of(update)
    shut = (
        update.cycle.is_closed
        and update.state in OUTSTANDING_STATES | {WorkflowState.SUBMITTED}
        and not leads_window_open(update)
    )
    waiting = update.state not in (WorkflowState.APPROVED, WorkflowState.PUBLISHED)
    return WorkflowWindow(
        update=update,
        noun=kind.noun,
        lead_message=closed_window_message(update) if shut and leads_update(user, update) else "",
        extended_until=update.extended_until if waiting else None,
        extension_active=update.has_extension,
        extend_url=kind.action_url(update, "extend")
        if has_permission(user, Perm.UPDATE_EXTEND, update)
        else "",
        reopen_url=kind.action_url(update, "reopen")
        if has_permission(user, Perm.UPDATE_REOPEN, update)
        else "",
    )
