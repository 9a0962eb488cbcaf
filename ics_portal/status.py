"""Status words: codes with a display label and a colour, never free text.

Everywhere a colour shows a status, its word shows too (WCAG 1.4.1: never colour alone).
"""

from django.db import models

from ics_portal import palette


class DeliveryStatus(models.TextChoices):
    """Progress/RAG of a workstream, milestone or golden thread."""

    NOT_STARTED = "NOT_STARTED", "Not started"
    ON_TRACK = "ON_TRACK", "On track"
    AT_RISK = "AT_RISK", "At risk"
    DELAYED = "DELAYED", "Delayed"
    COMPLETE = "COMPLETE", "Complete"
    PAUSED = "PAUSED", "Paused"


# Colour keys come from the one palette (ics_portal/palette.py), which holds their hex values.
STATUS_COLOURS = {code: palette.DELIVERY_STATUS_COLOURS[code.value] for code in DeliveryStatus}

# Statuses that need an explanation when an update is submitted.
NEEDS_EXPLANATION = {DeliveryStatus.AT_RISK, DeliveryStatus.DELAYED}

# Words found in the seed papers and spreadsheets, mapped onto codes. Keys are compared after
# lower-casing and collapsing hyphens/spaces, so "On Track", "On-Track", "on track" all match.
_STATUS_ALIASES = {
    "not started": DeliveryStatus.NOT_STARTED,
    "work not started": DeliveryStatus.NOT_STARTED,
    "on track": DeliveryStatus.ON_TRACK,
    "at risk": DeliveryStatus.AT_RISK,
    "amber": DeliveryStatus.AT_RISK,
    "delayed": DeliveryStatus.DELAYED,
    "behind schedule": DeliveryStatus.DELAYED,
    "red": DeliveryStatus.DELAYED,
    "complete": DeliveryStatus.COMPLETE,
    "completed": DeliveryStatus.COMPLETE,
    "paused": DeliveryStatus.PAUSED,
    "deferred": DeliveryStatus.PAUSED,
    "green": DeliveryStatus.ON_TRACK,
}


def normalise_status_word(word: str) -> str:
    return " ".join(word.replace("-", " ").replace("_", " ").lower().split())


def status_from_word(word: str) -> DeliveryStatus:
    """Map a status word as written ("On-Track", "Work not started") to its code.

    Raises ValueError for a word it does not know: an unknown word is an error, not a guess.
    """
    key = normalise_status_word(word)
    for code in DeliveryStatus:
        if key in {normalise_status_word(code.value), normalise_status_word(code.label)}:
            return code
    try:
        return _STATUS_ALIASES[key]
    except KeyError:
        known = ", ".join(f'"{c.label}"' for c in DeliveryStatus)
        raise ValueError(
            f'"{word}" is not a status the portal knows. Use one of {known}.'
        ) from None


def status_colour(code: str | None) -> str:
    """The colour key of a status; "white" (drawn outlined) for no status."""
    return STATUS_COLOURS.get(code, "grey") if code else palette.NO_STATUS_COLOUR


class WorkflowState(models.TextChoices):
    """Where an update (or a risk review) is in its review workflow."""

    NOT_STARTED = "NOT_STARTED", "Not started"
    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Submitted"
    RETURNED = "RETURNED", "Returned"
    APPROVED = "APPROVED", "Approved"
    PUBLISHED = "PUBLISHED", "Published"


WORKFLOW_COLOURS = {state: palette.WORKFLOW_STATE_COLOURS[state.value] for state in WorkflowState}
