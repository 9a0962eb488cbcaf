"""Writing audit events. Actions call `record` inside their transaction, naming what happened
with an `AuditVerb`, so a misspelt verb fails where it is written, not in a report later.

An event is about an object (`obj`), or, where there is no row to point at (a failed sign-in
with an address nobody has), about a `subject` named by type, id and label. Given the request,
the event keeps the client's address (read as the lockout reads it, through django-ipware
behind trusted proxies) and a reference to the session (a hash, never the session key)."""

import hashlib
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NamedTuple

from django.db import connections, models, transaction

from .models import AuditEvent


class AuditVerb(StrEnum):
    """Every kind of audit event the portal writes."""

    CYCLE_CLOSE = "cycle.close"
    CYCLE_CREATE = "cycle.create"
    CYCLE_OPEN = "cycle.open"
    CYCLE_PUBLISH = "cycle.publish"
    CYCLE_PUBLICATION_WITHDRAWN = "cycle.publication_withdrawn"
    CYCLE_REMIND = "cycle.remind"
    CYCLE_REOPEN = "cycle.reopen"
    DATA_IMPORT = "data.import"
    DATA_IMPORT_QUEUED = "data.import_queued"
    PACK_CREATE = "pack.create"
    PACK_EDIT = "pack.edit"
    PACK_GENERATE = "pack.generate"
    PACK_PUBLISH = "pack.publish"
    PACK_WITHDRAW = "pack.withdraw"
    RISK_CLOSE = "risk.close"
    RISK_CREATE = "risk.create"
    RISK_EDIT = "risk.edit"
    RISK_REOPEN = "risk.reopen"
    RISK_REVIEW_ACCEPTED = "risk.review_accepted"
    RISK_REVIEW_APPROVE = "risk_review.approve"
    RISK_REVIEW_EXTEND = "risk_review.extend"
    RISK_REVIEW_REOPEN = "risk_review.reopen"
    RISK_REVIEW_RETURN = "risk_review.return"
    RISK_REVIEW_SAVE = "risk_review.save"
    RISK_REVIEW_SUBMIT = "risk_review.submit"
    RISK_REVIEW_WITHDRAW = "risk_review.withdraw"
    RISK_REVIEWS_OPEN = "risk_reviews.open"
    UPDATE_APPROVE = "update.approve"
    UPDATE_EXTEND = "update.extend"
    UPDATE_PUBLISH = "update.publish"
    UPDATE_REOPEN = "update.reopen"
    UPDATE_RETURN = "update.return"
    UPDATE_SAVE = "update.save"
    UPDATE_SUBMIT = "update.submit"
    UPDATE_WITHDRAW = "update.withdraw"
    SUBMISSION_DIGEST = "submissions.digest"  # governance's daily email of what was submitted

    # Identity and access (issue 13).
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    LOCKED_OUT = "auth.locked_out"
    LOCKOUT_CLEARED = "auth.lockout_cleared"
    SSO_REFUSED = "auth.sso_refused"
    SESSION_EXPIRED = "auth.session_expired"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"
    PASSWORD_RESET = "password.reset"
    PASSWORD_CHANGE = "password.change"
    PASSWORD_SET_BY_ADMIN = "password.set_by_admin"
    INVITATION_SENT = "user.invitation_sent"
    MFA_ENROL = "mfa.enrol"
    MFA_REMOVE = "mfa.remove"
    MFA_RECOVERY_CODES_ISSUED = "mfa.recovery_codes_issued"
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used"
    MFA_VERIFIED = "mfa.verified"
    MFA_FAILED = "mfa.failed"
    ACCESS_CHANGE = "access.change"  # roles, flags, permissions, leads and deputies
    ADMIN_ADD = "admin.add"
    ADMIN_CHANGE = "admin.change"
    ADMIN_DELETE = "admin.delete"
    EXPORT_DOWNLOAD = "export.download"  # a spreadsheet holding people's names or emails
    PACK_DOWNLOAD = "pack.download"  # a member-only PDF
    AUDIT_EXPORT = "audit.export"


# What each verb means, in the governance team's words: the audit page, its filter and its
# export show these. Every verb has one (checked below), so a new verb without a label fails
# at import.
VERB_LABELS: dict[AuditVerb, str] = {
    AuditVerb.CYCLE_CLOSE: "Closed a reporting cycle",
    AuditVerb.CYCLE_CREATE: "Created a reporting cycle",
    AuditVerb.CYCLE_OPEN: "Opened a reporting cycle",
    AuditVerb.CYCLE_PUBLISH: "Published a reporting cycle",
    AuditVerb.CYCLE_PUBLICATION_WITHDRAWN: "Withdrew a cycle's publication",
    AuditVerb.CYCLE_REMIND: "Sent reminders",
    AuditVerb.CYCLE_REOPEN: "Reopened a reporting cycle",
    AuditVerb.DATA_IMPORT: "Imported a spreadsheet",
    AuditVerb.DATA_IMPORT_QUEUED: "Queued a spreadsheet import",
    AuditVerb.PACK_CREATE: "Created a board pack",
    AuditVerb.PACK_EDIT: "Edited a board pack's cover sheet",
    AuditVerb.PACK_GENERATE: "Generated a board pack PDF",
    AuditVerb.PACK_PUBLISH: "Published a board pack",
    AuditVerb.PACK_WITHDRAW: "Withdrew a published board pack",
    AuditVerb.RISK_CLOSE: "Closed a BAF risk",
    AuditVerb.RISK_CREATE: "Added a BAF risk",
    AuditVerb.RISK_EDIT: "Edited a BAF risk",
    AuditVerb.RISK_REOPEN: "Reopened a BAF risk",
    AuditVerb.RISK_REVIEW_ACCEPTED: "Accepted a risk review's scores",
    AuditVerb.RISK_REVIEW_APPROVE: "Approved a risk review",
    AuditVerb.RISK_REVIEW_EXTEND: "Extended a risk review's deadline",
    AuditVerb.RISK_REVIEW_REOPEN: "Reopened a risk review",
    AuditVerb.RISK_REVIEW_RETURN: "Returned a risk review",
    AuditVerb.RISK_REVIEW_SAVE: "Saved a risk review",
    AuditVerb.RISK_REVIEW_SUBMIT: "Submitted a risk review",
    AuditVerb.RISK_REVIEW_WITHDRAW: "Withdrew a risk review",
    AuditVerb.RISK_REVIEWS_OPEN: "Opened the quarter's risk reviews",
    AuditVerb.UPDATE_APPROVE: "Approved an update",
    AuditVerb.UPDATE_EXTEND: "Extended an update's deadline",
    AuditVerb.UPDATE_PUBLISH: "Published an update",
    AuditVerb.UPDATE_REOPEN: "Reopened an update",
    AuditVerb.UPDATE_RETURN: "Returned an update",
    AuditVerb.UPDATE_SAVE: "Saved an update",
    AuditVerb.UPDATE_SUBMIT: "Submitted an update",
    AuditVerb.UPDATE_WITHDRAW: "Withdrew an update",
    AuditVerb.SUBMISSION_DIGEST: "Sent the daily email of submissions",
    AuditVerb.SIGN_IN: "Signed in",
    AuditVerb.SIGN_IN_FAILED: "Failed to sign in",
    AuditVerb.SIGN_OUT: "Signed out",
    AuditVerb.LOCKED_OUT: "Was locked out",
    AuditVerb.LOCKOUT_CLEARED: "Cleared a lockout",
    AuditVerb.SSO_REFUSED: "Was refused single sign-on",
    AuditVerb.SESSION_EXPIRED: "Was signed out after being idle",
    AuditVerb.PASSWORD_RESET_REQUESTED: "Asked to reset a password",
    AuditVerb.PASSWORD_RESET: "Reset their password",
    AuditVerb.PASSWORD_CHANGE: "Changed their password",
    AuditVerb.PASSWORD_SET_BY_ADMIN: "Set someone's password in the admin",
    AuditVerb.INVITATION_SENT: "Sent an invitation to set a password",
    AuditVerb.MFA_ENROL: "Set up two-factor authentication",
    AuditVerb.MFA_REMOVE: "Removed two-factor authentication",
    AuditVerb.MFA_RECOVERY_CODES_ISSUED: "Issued two-factor recovery codes",
    AuditVerb.MFA_RECOVERY_CODE_USED: "Used a two-factor recovery code",
    AuditVerb.MFA_VERIFIED: "Passed two-factor authentication",
    AuditVerb.MFA_FAILED: "Failed two-factor authentication",
    AuditVerb.ACCESS_CHANGE: "Changed who can see or do what",
    AuditVerb.ADMIN_ADD: "Added a record in the admin",
    AuditVerb.ADMIN_CHANGE: "Changed a record in the admin",
    AuditVerb.ADMIN_DELETE: "Deleted a record in the admin",
    AuditVerb.EXPORT_DOWNLOAD: "Downloaded an export of personal data",
    AuditVerb.PACK_DOWNLOAD: "Downloaded a members-only board pack PDF",
    AuditVerb.AUDIT_EXPORT: "Exported the audit trail",
}
assert set(VERB_LABELS) == set(AuditVerb), "every AuditVerb has a label in VERB_LABELS"

# Saves that come in runs (autosave every few seconds): the audit page folds each person's
# run on one object in one session into one entry.
AUTOSAVE_VERBS = frozenset({AuditVerb.UPDATE_SAVE, AuditVerb.RISK_REVIEW_SAVE})


def verb_label(verb: str) -> str:
    """The verb in words; a verb no longer in the list (an old row) as it was stored."""
    try:
        return VERB_LABELS[AuditVerb(verb)]
    except ValueError:
        return verb


class Subject(NamedTuple):
    """What an event is about when there is no model instance to name (or none any more)."""

    type: str
    id: str = ""
    label: str = ""


def client_address(request) -> str | None:
    """The client's address as the lockout sees it (django-axes through django-ipware, with
    TRUSTED_PROXIES); None when it cannot be read."""
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    return address or None


def session_reference(request) -> str:
    """A stable, non-secret name for the request's session: the first 16 hex digits of a
    SHA-256 of its key ("" without a session). Lets the audit page fold one session's
    autosaves together without storing anything that could sign someone in."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if not key:
        return ""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def record(
    *,
    by,
    verb: AuditVerb,
    obj: models.Model | None = None,
    subject: Subject | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
    request=None,
) -> AuditEvent:
    """Store who did `verb` to `obj` (or to `subject`), with plain values that survive
    deletions. `by` is a user or None ("system"; an anonymous user counts as None)."""
    verb = AuditVerb(verb)  # a verb not in the list is a mistake: ValueError
    if (obj is None) == (subject is None):
        raise TypeError("record() needs exactly one of obj and subject.")
    if obj is not None:
        subject = Subject(obj._meta.label, str(obj.pk), str(obj))
    if by is not None and not getattr(by, "is_authenticated", False):
        by = None
    return AuditEvent.objects.create(
        actor_id=getattr(by, "pk", None),
        actor_name=(by.full_name or by.email)[:300] if by is not None else "system",
        verb=verb,
        object_type=subject.type[:100],
        object_id=str(subject.id)[:64],
        object_label=str(subject.label)[:300],
        before=before,
        after=after,
        comment=comment,
        ip_address=client_address(request) if request is not None else None,
        session_ref=session_reference(request) if request is not None else "",
    )


def record_access_change(
    *, by, obj: models.Model, before: dict, after: dict, fields=None, request=None
) -> AuditEvent | None:
    """ACCESS_CHANGE for a change to who can see or do what (a person's roles and flags; the
    leads, deputies and owners who see and write an update or review), with the fields whose
    values differ, before and after, as plain values (`audit_values`: related rows by key, in
    one order). `fields` limits which are compared (default: those in `after`). Nothing is
    written when none differs. Used by the admin's audit trail and the spreadsheet import."""
    names = after if fields is None else fields
    changed = [name for name in names if before.get(name) != after.get(name)]
    if not changed:
        return None
    return record(
        by=by,
        verb=AuditVerb.ACCESS_CHANGE,
        obj=obj,
        before={name: before.get(name) for name in changed},
        after={name: after.get(name) for name in changed},
        request=request,
    )


# --- the audit trail is permanent (docs/adr/0015-audit-trail-is-permanent.md) -------------------
# The database refuses UPDATE and DELETE on the table (triggers made by migration 0005). The one
# way past them is `flush`, which empties the whole database (an operator's `manage.py flush`,
# or the one after each transactional test): it sets a marker on its own connection only.

UNLOCK_SETTING = "ics_portal.audit_unlocked"  # PostgreSQL: a transaction-local setting
SQLITE_UNLOCK_FUNCTION = "ics_portal_audit_unlocked"  # SQLite: a function of the connection


def register_sqlite_unlock(sender, connection, **kwargs) -> None:
    """Give each new SQLite connection the function the DELETE trigger asks (0 unless this
    connection is flushing). A connection Django did not open lacks it, so there the trigger
    fails, and the DELETE with it."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        SQLITE_UNLOCK_FUNCTION, 0, lambda: 1 if getattr(connection, "_audit_unlocked", 0) else 0
    )


@contextmanager
def unlocked_for_flush(using: str = "default"):
    """Let this connection, and nothing else, delete audit events while the block runs.
    Only the flush command uses it."""
    connection = connections[using]

    def unlock(value: str) -> None:
        if connection.vendor == "postgresql" and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [UNLOCK_SETTING, value])

    # Local to the transaction, and locked again at the end of the block even when it is
    # part of a larger transaction.
    with transaction.atomic(using=using):
        unlock("on")
        connection._audit_unlocked = True
        try:
            yield
        finally:
            connection._audit_unlocked = False
            unlock("off")
