"""The review workflow's state changes, for every kind of reviewed item (ADR 0010).

    not started -save-> draft -submit-> submitted -approve-> approved -(pack published)-> published
                          ^                 |  |                |
                          +---- return -----+  +-- withdraw     +-- reopen (governance, before
                          +------------------------------------------ publication) --> returned

Plain functions with keyword-only arguments and an explicit `by=` user. Each runs in one
transaction, locks the item's row, checks its precondition, writes an AuditEvent named
`<kind>.<verb>` in that transaction and queues its emails for after the commit. What differs
between kinds (fields, leads, submission checks, what approving changes, words, emails) is
asked of the item's registered kind (ics_portal/workflow/kinds.py), never by checking which
kind it is. Leads act only while their window is open (ADR 0006).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, record
from ics_portal.models import ReportingCycle
from ics_portal.roles import is_governance
from ics_portal.status import WorkflowState

from . import merge, notify
from .errors import ActionError, StaleUpdateError, SubmissionInvalid
from .kinds import kind_of, reviewed_models
from .signals import approved_work_reopened, item_submitted
from .states import EDITABLE_STATES, closed_window_message, cycle_is_live, leads_window_open


def _verb(item, action: str) -> AuditVerb:
    """The audit verb of `action` on this kind of item: update.submit, risk_review.submit ..."""
    return AuditVerb(f"{kind_of(item).audit_kind}.{action}")


def _snapshot(item, fields) -> dict[str, Any]:
    return {f: _plain(getattr(item, f)) for f in fields}


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def _locked(update):
    # Lock only the update's row: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to updated_by.
    return (
        type(update)
        .objects.select_for_update(of=("self",))
        .select_related("updated_by", "cycle")
        .get(pk=update.pk)
    )


def save(*, update, by, sections: dict[str, Any], base_version: int):
    """Save edits to an item, by section key, based on the whole item at `base_version`.

    Refuses with StaleUpdateError when the stored version is newer, so two people editing at
    once never overwrite each other silently. The first save moves the item from "not
    started" to "draft". Edit forms that merge section by section use `merge_edits`."""
    current, _ = _save_sections(update=update, by=by, posted=sections, base_version=base_version)
    return current


@dataclass
class MergeResult:
    """What `merge_edits` did: the update as stored now, and the merge plan it carried out
    (the sections written, the conflicts left for the person to choose, the sections someone
    else changed meanwhile, and the bases of the person's form from now on)."""

    update: Any
    plan: merge.Plan

    @property
    def saved(self) -> bool:
        return bool(self.plan.write)


def merge_edits(
    *,
    update,
    by,
    bases: dict[str, str],
    sections: dict[str, Any],
    resolutions: dict[str, tuple[str, str]] | None = None,
) -> MergeResult:
    """Save the sections of an item that the person changed from their form's `bases`
    (ics_portal/workflow/merge.py, ADR 0005). A section someone else changed too is not
    written: it comes back as a conflict for the person to choose, with `resolutions` on the
    next save. Sections the person did not change are never written."""
    current, plan = _save_sections(
        update=update, by=by, posted=sections, bases=bases, resolutions=resolutions
    )
    return MergeResult(update=current, plan=plan)


def _save_sections(*, update, by, posted, bases=None, base_version=None, resolutions=None):
    """Lock the update, merge `posted` into it and write what the merge says. With
    `base_version` (save_update) the whole update must be that version, and the person is taken
    to have seen every section as stored; otherwise `bases` say what they saw (merge_edits)."""
    with transaction.atomic():
        current = _locked(update)
        if base_version is not None and current.version != base_version:
            raise StaleUpdateError(current)
        _check_editable(current, by)
        stored = merge.stored_sections(current)
        if bases is None:
            bases = {key: merge.fingerprint(stored.get(key)) for key in posted}
        plan = merge.plan_save(
            posted=posted,
            stored=stored,
            bases=bases,
            resolutions=resolutions,
            edits=current.section_edits,
            fallback_by=current.updated_by,
            by=by,
        )
        # save_update always counts as a save (version and audit); the form's merge only when
        # it wrote something, or to start the draft.
        always = base_version is not None or current.state == WorkflowState.NOT_STARTED
        _write(current, plan.write, by=by, always=always)
    return current, plan


def _check_editable(current, by) -> None:
    if current.state not in EDITABLE_STATES and current.state != WorkflowState.SUBMITTED:
        raise ActionError(
            f"This {kind_of(current).noun} is {current.state_label.lower()} and can no longer "
            "be edited."
        )
    # Governance may correct an item in a closed cycle; leads only while their window is
    # open (ADR 0006). The views ask the same through the "edit" permission.
    if not is_governance(by) and not leads_window_open(current):
        raise ActionError(closed_window_message(current))


def _write(current, sections: dict[str, Any], *, by, always: bool) -> None:
    """Write `sections` (by merge key) to the locked `current`, bump its version and audit the
    change; with nothing to write, only when `always` (a first save still starts the draft)."""
    if not sections and not always:
        return
    kind = kind_of(current)
    field_names = set(kind.fields)
    changed_fields = [key for key in sections if key in field_names]
    related = {key: value for key, value in sections.items() if key not in field_names}
    _validate_values(type(current), {k: sections[k] for k in changed_fields})
    kind.check_related(related)
    before = _snapshot(current, changed_fields)
    for name in changed_fields:
        setattr(current, name, sections[name])
    changed = list(changed_fields)
    if related:
        changed += kind.write_related(current, related)
    if current.state == WorkflowState.NOT_STARTED:
        current.state = WorkflowState.DRAFT
    current.version += 1
    current.updated_by = by
    now = timezone.now()
    edits = dict(current.section_edits or {})
    for key in sections:
        edits[key] = {"by": by.pk, "name": by.full_name or by.email, "at": now.isoformat()}
    current.section_edits = edits
    current.save()
    record(
        by=by,
        verb=_verb(current, "save"),
        obj=current,
        before=before,
        after={
            **_snapshot(current, changed_fields),
            "changed": changed,
            "version": current.version,
        },
    )


def _validate_values(model, values: dict[str, Any]) -> None:
    """The model's own validators on what is about to be saved (a date outside the portal's
    range, ics_portal/dates.py), whoever calls: the forms check first, imports and scripts
    meet them here."""
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as error:
            raise ActionError("; ".join(error.messages)) from None


def _leads_window_refusal(current) -> str:
    """Why the leads may not act on `current` now (their window is shut)."""
    cycle = current.cycle
    if cycle.is_closed:
        return closed_window_message(current)
    return (
        f"The {cycle.label} reporting cycle is not open for submissions; it is "
        f"{cycle.get_status_display().lower()}."
    )


def _refuse_unless_live(current) -> None:
    """Governance reviews in open and closed cycles; a draft or published cycle is refused."""
    if not cycle_is_live(current.cycle):
        cycle = current.cycle
        raise ActionError(
            f"The {cycle.label} reporting cycle is {cycle.get_status_display().lower()}; "
            f"its {kind_of(current).noun}s cannot change."
        )


def _checked_date(value: date | None, *, required: bool, errors: dict[str, str]) -> date | None:
    """The date the leads have until (an extension), which is today or later."""
    if value is None:
        if required:
            errors["extended_until"] = (
                "The cycle is closed: enter the date the leads have until to submit it"
            )
        return None
    if value < timezone.localdate():
        errors["extended_until"] = "The date the leads have until must be today or later"
    return value


def _set_extension(current, *, until: date | None, reason: str, by) -> None:
    current.extended_until = until
    current.extension_reason = reason if until else ""
    current.extended_by = by if until else None


def submit(*, update, by):
    """Submit a draft or returned update for governance review: while the cycle is open, or
    after it closed while governance's extension for the update lasts."""
    with transaction.atomic():
        current = _locked(update)
        if current.state not in EDITABLE_STATES:
            raise ActionError(
                f"This {kind_of(current).noun} is {current.state_label.lower()}; it cannot be "
                "submitted."
            )
        if not leads_window_open(current):
            raise ActionError(_leads_window_refusal(current))
        errors = kind_of(current).submission_errors(current)
        if errors:
            raise SubmissionInvalid(errors)
        before = current.state
        current.state = WorkflowState.SUBMITTED
        current.returned_sections = []  # the lead has dealt with them
        current.submitted_at = timezone.now()
        current.submitted_by = by
        current.updated_by = by
        current.version += 1
        current.save()
        record(
            by=by,
            verb=_verb(current, "submit"),
            obj=current,
            before={"state": before},
            after={"state": current.state},
        )
        item_submitted.send(sender=type(current), item=current)
    return current


def withdraw(*, update, by):
    """The lead takes back a submission that has not been reviewed yet, while they could still
    submit it again (the cycle is open, or their extension lasts): a withdrawal after the
    cycle closed would leave a draft nobody could move."""
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError(
                f"Only a submitted {kind_of(current).noun} that has not been reviewed can be "
                "withdrawn."
            )
        if not leads_window_open(current):
            raise ActionError(_leads_window_refusal(current))
        current.state = WorkflowState.DRAFT
        current.updated_by = by
        current.version += 1
        current.save()
        record(
            by=by,
            verb=_verb(current, "withdraw"),
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "DRAFT"},
        )
    return current


def return_for_changes(
    *,
    update,
    by,
    comment: str,
    sections: list[str] | None = None,
    extended_until: date | None = None,
):
    """Governance returns a submitted update to its lead with comments (required) and,
    optionally, the keys of the sections to change (its kind's `section_keys`).

    In a closed cycle the lead could not resubmit, so a date they have until is required
    (`extended_until`, today or later): the return carries an extension."""
    comment = (comment or "").strip()
    errors = {}
    if not comment:
        errors["comment"] = "Enter comments for the lead explaining what to change"
    sections = _checked_sections(update, sections or [], errors)
    closed = update.cycle.is_closed
    _checked_date(extended_until, required=closed, errors=errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError(f"Only a submitted {kind_of(current).noun} can be returned.")
        _refuse_unless_live(current)
        if current.cycle.is_closed and extended_until is None:
            raise SubmissionInvalid(_checked_date_errors(required=True))
        if extended_until is not None:
            _set_extension(current, until=extended_until, reason=comment, by=by)
        current.state = WorkflowState.RETURNED
        current.review_comment = comment
        current.returned_sections = sections
        current.returned_at = timezone.now()
        current.updated_by = by
        current.version += 1
        current.save()
        after = {"state": "RETURNED", "sections": sections}
        if extended_until is not None:
            after["extended_until"] = extended_until.isoformat()
        record(
            by=by,
            verb=_verb(current, "return"),
            obj=current,
            before={"state": "SUBMITTED"},
            after=after,
            comment=comment,
        )
        notify.returned(current, comment=comment)
    return current


def _checked_sections(update, keys: list[str], errors: dict[str, str]) -> list[str]:
    """`keys` in the order of the update's form, or an error naming the ones it does not have."""
    if not keys:
        return []
    known = kind_of(update).section_keys(update)
    unknown = [key for key in keys if key not in known]
    if unknown:
        choices = ", ".join(known) or "none"
        errors["sections"] = (
            f"This {kind_of(update).noun} has no section {', '.join(map(repr, unknown))}; "
            f"its sections are: {choices}"
        )
        return []
    return [key for key in known if key in keys]


def approve(*, update, by):
    """Governance approves a submitted update, in an open or closed cycle (reviewing after the
    deadline is normal); it is read-only from then on and any extension has done its job."""
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError(f"Only a submitted {kind_of(current).noun} can be approved.")
        _refuse_unless_live(current)
        _set_extension(current, until=None, reason="", by=None)
        current.state = WorkflowState.APPROVED
        current.approved_at = timezone.now()
        current.approved_by = by
        current.updated_by = by
        current.version += 1
        current.save()
        kind_of(current).after_approve(current, by)
        record(
            by=by,
            verb=_verb(current, "approve"),
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "APPROVED"},
        )
        notify.approved(current)
    return current


# --- unblocking one update after the cycle closes ---------------------------------------------


def extend(*, update, by, until: date, reason: str):
    """Governance gives one update (or risk review) not yet submitted a late-submission
    extension while its cycle stays closed: its leads may change and submit it until the end
    of `until`. Reason required; audited; the leads are emailed. Giving a new date replaces
    the old one."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter why the extension is being given"
    _checked_date(until, required=True, errors=errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        noun = kind_of(current).noun
        if current.state not in EDITABLE_STATES:
            raise ActionError(
                f"Only a {noun} that has not been submitted can be given an extension; this "
                f"one is {current.state_label.lower()}."
            )
        if not current.cycle.is_closed:
            _refuse_unless_live(current)
            raise ActionError(
                f"The {current.cycle.label} cycle is open, so the leads can still submit until "
                "the deadline: no extension is needed."
            )
        before = {"extended_until": _plain(current.extended_until)}
        _set_extension(current, until=until, reason=reason, by=by)
        current.save(update_fields=["extended_until", "extension_reason", "extended_by"])
        record(
            by=by,
            verb=_verb(current, "extend"),
            obj=current,
            before=before,
            after={"extended_until": until.isoformat(), "state": current.state},
            comment=reason,
        )
        notify.extended(current, reason=reason)
    return current


def reopen(*, update, by, reason: str, extended_until: date | None = None):
    """Governance sends an approved update (or accepted risk review) that is not yet in a
    published board pack back to its leads, as returned with `reason` as the comment. In a
    closed cycle `extended_until` (the date the leads have until) is required. Any generated
    draft board pack of the cycle is discarded: it showed this update as approved."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = f"Enter why the approved {kind_of(update).noun} is being reopened"
    closed = update.cycle.is_closed
    _checked_date(extended_until, required=closed, errors=errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        noun = kind_of(current).noun
        if current.state == WorkflowState.PUBLISHED:
            raise ActionError(
                f"This {noun} is in a published board pack, so it is locked for good. Record "
                f"any correction in next quarter's {noun}."
            )
        if current.state != WorkflowState.APPROVED:
            raise ActionError(
                f"Only an approved {noun} can be reopened; this one is "
                f"{current.state_label.lower()}."
            )
        _refuse_unless_live(current)
        if current.cycle.is_closed and extended_until is None:
            raise SubmissionInvalid(_checked_date_errors(required=True))
        before = {
            "state": current.state,
            "approved_by": current.approved_by.full_name if current.approved_by else None,
            "approved_at": current.approved_at.isoformat() if current.approved_at else None,
        }
        if extended_until is not None:
            _set_extension(current, until=extended_until, reason=reason, by=by)
        current.state = WorkflowState.RETURNED
        current.review_comment = reason
        current.returned_sections = []
        current.returned_at = timezone.now()
        current.approved_at = None
        current.approved_by = None
        current.updated_by = by
        current.version += 1
        current.save()
        after = {"state": current.state}
        discarded = _discard_generated_packs(current.cycle)
        if discarded:
            after["board_pack_drafts_discarded"] = discarded
        if extended_until is not None:
            after["extended_until"] = extended_until.isoformat()
        record(
            by=by,
            verb=_verb(current, "reopen"),
            obj=current,
            before=before,
            after=after,
            comment=reason,
        )
        notify.returned(current, comment=reason, reopened=True)
    return current


def _checked_date_errors(*, required: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    _checked_date(None, required=required, errors=errors)
    return errors


def _discard_generated_packs(cycle) -> int:
    """Tell the layers above that approved work of `cycle` reopened; how many drafts went."""
    responses = approved_work_reopened.send(sender=None, cycle=cycle)
    return sum(count for _, count in responses if isinstance(count, int))


# --- publication ------------------------------------------------------------------------------


def publish_cycle(*, cycle, by) -> int:
    """A board pack of `cycle` has been published (call inside its transaction): every
    approved item of every kind published with the pack becomes published, locked for good,
    each saved with its history and audited; the cycle is marked published. Items not yet
    approved stay in the workflow as in a closed cycle. Returns how many were published."""
    if not cycle.is_closed:
        raise ActionError(
            f"Close the {cycle.label} cycle before publishing its board pack: until then its "
            "leads can still change and submit what the pack shows."
        )
    published = 0
    for model in reviewed_models():
        if not kind_of(model).published_with_pack:
            continue
        approved = model.objects.select_for_update(of=("self",)).filter(
            cycle=cycle, state=WorkflowState.APPROVED
        )
        for item in approved:
            item.state = WorkflowState.PUBLISHED
            item.version += 1
            item.save(update_fields=["state", "version", "updated_at"])
            record(
                by=by,
                verb=_verb(item, "publish"),
                obj=item,
                before={"state": "APPROVED"},
                after={"state": "PUBLISHED"},
            )
            published += 1
    if cycle.status != ReportingCycle.Status.PUBLISHED:
        before = cycle.status
        cycle.status = ReportingCycle.Status.PUBLISHED
        cycle.save(update_fields=["status"])
        record(
            by=by,
            verb=AuditVerb.CYCLE_PUBLISH,
            obj=cycle,
            before={"status": before},
            after={"status": cycle.status, "published_now": published},
        )
    return published


def publication_withdrawn(*, cycle, by, still_published: bool) -> None:
    """A published version of `cycle`'s pack was withdrawn (call inside its transaction).
    With no other version still published, the cycle is closed again, so it can be reopened;
    what was published stays published (the board read it)."""
    if still_published or cycle.status != ReportingCycle.Status.PUBLISHED:
        return
    cycle.status = ReportingCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    record(
        by=by,
        verb=AuditVerb.CYCLE_PUBLICATION_WITHDRAWN,
        obj=cycle,
        before={"status": "PUBLISHED"},
        after={"status": cycle.status},
    )
