"""The review workflow's emails to the leads of an item: returned (or reopened), given an
extension, approved. Each kind words its own (templates/emails/<email_prefix>_<name>.html);
all are sent after the transaction commits (ics_portal/mail.py). Submissions are told to
governance by the layer above, on the `item_submitted` signal (reporting/submissions.py), as
SUBMISSION_NOTICE says, and home's review queue lists them."""

from ics_portal.mail import send_on_commit
from ics_portal.models import User

from .kinds import kind_of


def lead_emails(item) -> list[str]:
    ids = kind_of(item).lead_ids(item)
    return list(User.objects.filter(pk__in=ids, is_active=True).values_list("email", flat=True))


def resubmit_by(item):
    """The last day the leads can submit `item`: in a closed cycle, governance's extension;
    in an open one, the cycle's deadline or a later extension."""
    deadline = item.cycle.submission_deadline
    if item.extended_until and (item.cycle.is_closed or item.extended_until > deadline):
        return item.extended_until
    return deadline


def _send(item, name: str, context: dict) -> None:
    send_on_commit(
        f"{kind_of(item).email_prefix}_{name}",
        lead_emails(item),
        {"update": item, "url": item.get_absolute_url(), **context},
    )


def returned(item, *, comment: str, reopened: bool = False) -> None:
    """Tell the leads their item was returned with comments, or (`reopened`) that their
    approved item was reopened for changes, and the date to submit it again by."""
    _send(
        item,
        "returned",
        {
            "comment": comment,
            "sections": kind_of(item).sections_to_change(item),
            "reopened": reopened,
            "resubmit_by": resubmit_by(item),
        },
    )


def extended(item, *, reason: str) -> None:
    """Tell the leads governance gave their item an extension after the cycle closed."""
    _send(item, "extended", {"reason": reason})


def approved(item) -> None:
    _send(item, "approved", {})
