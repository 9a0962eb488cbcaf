"""What the review workflow refuses, in words shown to the person."""

from django.utils import timezone


class ActionError(Exception):
    """A state change that cannot happen; the message is shown to the person as written."""


class StaleUpdateError(ActionError):
    """A save based on an older version than the one stored."""

    def __init__(self, current):
        self.current = current
        who = current.updated_by.full_name if current.updated_by else "someone else"
        when = timezone.localtime(current.updated_at).strftime("%-d %B %Y at %H:%M")
        super().__init__(f"This update was changed by {who} at {when}.")


class SubmissionInvalid(ActionError):
    """Submit found problems; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))
