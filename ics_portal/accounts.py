"""Actions on people's accounts: password reset requests (throttled), completed resets and
changes, and invitations to people who have no password yet. Each writes its audit event.

The reset throttle counts the audit trail's own PASSWORD_RESET_REQUESTED events of the last
hour: by client address (every request, sent or not) and by account (emails sent). The audit
trail is in the database every app server shares, whatever the cache (CACHE_URL is optional
and without it each process caches alone, which would multiply the limits by the number of
processes), and every request is recorded there anyway; the counts use the indexed verb and
time columns.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import mail
from .audit import AuditVerb, Subject, client_address, record
from .models import AuditEvent, User
from .signin import clear_account_lockout

THROTTLE_WINDOW = timedelta(hours=1)
# What an audit event about a reset request for an address with no account names: nothing
# that would tell a reader of the audit trail which addresses have accounts is left out, but
# nothing typed is kept either.
NO_ACCOUNT = Subject("ics_portal.User", "", "an email address with no account")


def _recent_requests():
    since = timezone.now() - THROTTLE_WINDOW
    return AuditEvent.objects.filter(verb=AuditVerb.PASSWORD_RESET_REQUESTED, created_at__gte=since)


def reset_throttled(person: User | None, request) -> str | None:
    """Why a reset email may not go now ("address" or "account"), or None."""
    address = client_address(request)
    if (
        address is not None
        and _recent_requests().filter(ip_address=address).count()
        >= settings.PASSWORD_RESET_ADDRESS_LIMIT
    ):
        return "address"
    if (
        person is not None
        and _recent_requests()
        .filter(object_type=User._meta.label, object_id=str(person.pk), after__sent=True)
        .count()
        >= settings.PASSWORD_RESET_ACCOUNT_LIMIT
    ):
        return "account"
    return None


@transaction.atomic
def password_reset_requested(*, people: list[User], request) -> bool:
    """Record a request for a reset link; True if the email may go to `people` (the active
    people with the email typed: at most one). The audit event names the person only when
    there is one; the page shows the same either way."""
    person = people[0] if people else None
    throttled = reset_throttled(person, request)
    send = person is not None and throttled is None
    record(
        by=None,
        verb=AuditVerb.PASSWORD_RESET_REQUESTED,
        **({"obj": person} if person is not None else {"subject": NO_ACCOUNT}),
        after={"sent": send, "throttled": throttled},
        request=request,
    )
    return send


@transaction.atomic
def password_was_reset(*, person: User, request) -> None:
    """After a reset link has set a new password: record it, and unlock the account."""
    record(by=person, verb=AuditVerb.PASSWORD_RESET, obj=person, request=request)
    if clear_account_lockout(person.email):
        record(
            by=person,
            verb=AuditVerb.LOCKOUT_CLEARED,
            obj=person,
            comment="Unlocked by a password reset.",
            request=request,
        )


@transaction.atomic
def password_changed(*, person: User, request) -> None:
    """The person changed their own password (knowing the old one)."""
    record(by=person, verb=AuditVerb.PASSWORD_CHANGE, obj=person, request=request)


def invitation_link(person: User) -> str:
    """A link, valid as long as a reset link (PASSWORD_RESET_TIMEOUT), to choose a password."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def invite(*, people: list[User], by) -> int:
    """Email each person who has no password yet a link to choose one, after the surrounding
    transaction commits (never for a dry run), and record INVITATION_SENT for each. People
    with a password already, inactive people, and anyone while email is muted are skipped.
    Returns how many were invited."""
    if mail.is_muted():
        return 0
    invited = 0
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    for person in people:
        if not person.is_active or person.has_usable_password():
            continue
        record(by=by, verb=AuditVerb.INVITATION_SENT, obj=person, after={"email": person.email})
        mail.send_on_commit(
            "invitation",
            [person.email],
            {
                "person": person,
                "link": invitation_link(person),
                "days": days,
                "invited_by": by.display_name if by is not None else "",
            },
        )
        invited += 1
    return invited
