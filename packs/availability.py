"""Why an update is, or is not, shown in full in the pack."""

from ics_portal.status import WorkflowState
from reporting.numbers import is_counted

NOT_SUBMITTED = "Not submitted"
AWAITING_APPROVAL = "Awaiting approval"
RETURNED = "Returned to its lead for changes"


def availability(update) -> str:
    """ "" when the update is counted (approved or published: shown in full), else why it is
    not in the pack."""
    if update is not None and is_counted(update.state):
        return ""
    if update is not None and update.state == WorkflowState.SUBMITTED:
        return AWAITING_APPROVAL
    if update is not None and update.state == WorkflowState.RETURNED:
        return RETURNED
    return NOT_SUBMITTED
