"""State changes of the Board Assurance Framework: risks and their quarterly reviews.

Plain functions with keyword-only arguments and an explicit `by=` user; each runs in one
transaction and writes its audit event there. Risk reviews go through the same workflow as
updates (ics_portal/workflow/actions.py): this module only adds what is particular to a risk
(what a review must hold to be submitted, what accepting one does to its risk), which the
risk-review kind (risks/kinds.py, registered in risks/apps.py) hands to the workflow.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, record, record_access_change
from ics_portal.richtext import html_to_text
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, SubmissionInvalid
from ics_portal.workflow.history import after, latest_approved
from ics_portal.workflow.states import READABLE_BY_BOARD_STATES

from . import notifications
from .models import SCALE, BAFRisk, RiskMatrix, RiskReview

SCORE_FIELDS = [
    "initial_likelihood",
    "initial_consequence",
    "current_likelihood",
    "current_consequence",
    "target_likelihood",
    "target_consequence",
]
TEXT_FIELDS = [
    "rationale",
    "controls",
    "assurances",
    "gaps_in_control",
    "gaps_in_assurance",
    "mitigating_actions",
]
# What governance sets on a risk. Scores and bands are derived, so they are not here.
RISK_FIELDS = {
    "reference",
    "title",
    "description",
    "category",
    "owner",
    "owner_role",
    *SCORE_FIELDS,
    *TEXT_FIELDS,
    "risk_appetite",
    "next_review",
}
# What an owner (or governance) edits in a quarterly review, in form order.
REVIEW_FIELDS = (
    "likelihood",
    "consequence",
    "target_likelihood",
    "target_consequence",
    *TEXT_FIELDS,
)


class StaleRiskError(ActionError):
    """An edit of a risk based on an older version than the one stored."""

    def __init__(self, current: BAFRisk):
        self.current = current
        last = current.history.select_related("history_user").first()
        who = last.history_user.full_name if last and last.history_user else "someone else"
        when = timezone.localtime(last.history_date if last else timezone.now())
        super().__init__(f"This risk was changed by {who} at {when:%-d %B %Y at %H:%M}.")


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _snapshot(risk: BAFRisk, fields) -> dict[str, Any]:
    return {f: _plain(getattr(risk, f)) for f in fields}


def _check_scores(values: dict[str, Any]) -> None:
    for name, value in values.items():
        is_level = name in SCORE_FIELDS or name in {"likelihood", "consequence"}
        if is_level and value not in SCALE:
            raise SubmissionInvalid({name: "Choose a level from 1 to 5"})


def _check_reference_free(reference: str, *, exclude_pk: int | None = None) -> None:
    clash = BAFRisk.objects.filter(reference=reference).exclude(pk=exclude_pk).first()
    if clash:
        raise SubmissionInvalid(
            {
                "reference": f'Risk {reference} already exists ("{clash.title}"). '
                "Each BAF risk needs its own reference."
            }
        )


# --- risks ------------------------------------------------------------------------------------


def _check_reference_format(reference: str) -> None:
    """A reference names the risk's pages (/risks/07/): the model's rule, whoever calls."""
    try:
        BAFRisk._meta.get_field("reference").run_validators(reference)
    except ValidationError as error:
        raise SubmissionInvalid({"reference": error.messages[0]}) from None


def create_risk(*, by, fields: dict[str, Any], themes=()) -> BAFRisk:
    """Add a risk to the BAF, scored under the matrix in force."""
    assert set(fields) <= RISK_FIELDS, set(fields) - RISK_FIELDS
    values = dict(fields)
    values["reference"] = BAFRisk.canonical_reference(values.get("reference", ""))
    if not values["reference"]:
        raise SubmissionInvalid({"reference": "Enter the risk reference, for example 07"})
    _check_reference_format(values["reference"])
    _check_scores(values)
    try:
        with transaction.atomic():
            _check_reference_free(values["reference"])
            risk = BAFRisk(matrix=RiskMatrix.objects.current(), **values)
            risk._history_user = by  # who, in the risk's field history (simple-history)
            risk.save(force_insert=True)
            risk.themes.set(themes)
            record(
                by=by,
                verb=AuditVerb.RISK_CREATE,
                obj=risk,
                after={**_snapshot(risk, values), "themes": sorted(t.pk for t in themes)},
            )
            if risk.owner_id is not None:
                # The owner sees and writes the risk's quarterly reviews: who can see or do what.
                record_access_change(
                    by=by, obj=risk, before={"owner": None}, after={"owner": risk.owner_id}
                )
    except IntegrityError:
        # Someone else took the reference between the check and the insert.
        _check_reference_free(values["reference"])
        raise
    return risk


def edit_risk(*, risk: BAFRisk, base_version: int, by, fields: dict[str, Any], themes=None):
    """Governance changes a risk. A stale edit is refused; changed scores are re-made under the
    matrix in force."""
    assert set(fields) <= RISK_FIELDS, set(fields) - RISK_FIELDS
    values = dict(fields)
    if "reference" in values:
        values["reference"] = BAFRisk.canonical_reference(values["reference"])
        _check_reference_format(values["reference"])
    _check_scores(values)
    with transaction.atomic():
        current = BAFRisk.objects.select_for_update().get(pk=risk.pk)
        if current.version != base_version:
            raise StaleRiskError(current)
        if "reference" in values:
            _check_reference_free(values["reference"], exclude_pk=current.pk)
        changed = [f for f, v in values.items() if _plain(v) != _plain(getattr(current, f))]
        before = _snapshot(current, changed)
        for name in changed:
            setattr(current, name, values[name])
        if any(f in SCORE_FIELDS for f in changed):
            current.matrix = RiskMatrix.objects.current()
        if themes is not None:
            old = set(current.themes.values_list("pk", flat=True))
            new = {t.pk for t in themes}
            if old != new:
                current.themes.set(themes)
                before["themes"] = sorted(old)
                changed.append("themes")
        current.version += 1
        current._history_user = by
        current.save()
        after = _snapshot(current, [f for f in changed if f != "themes"])
        if "themes" in changed:
            after["themes"] = sorted(t.pk for t in themes)
        record(by=by, verb=AuditVerb.RISK_EDIT, obj=current, before=before, after=after)
        if "owner" in changed:
            record_access_change(
                by=by,
                obj=current,
                before={"owner": before["owner"]},
                after={"owner": current.owner_id},
            )
    return current


def close_risk(*, risk: BAFRisk, by, reason: str) -> BAFRisk:
    """Close a risk that no longer threatens the plan; the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionInvalid({"reason": "Enter why the risk is being closed"})
    with transaction.atomic():
        current = BAFRisk.objects.select_for_update().get(pk=risk.pk)
        if not current.is_open:
            raise ActionError(f"Risk {current.reference} is already closed.")
        current.status = BAFRisk.Status.CLOSED
        current.closed_reason = reason
        current.closed_at = timezone.now()
        current.version += 1
        current._history_user = by
        current.save()
        record(
            by=by,
            verb=AuditVerb.RISK_CLOSE,
            obj=current,
            before={"status": "OPEN"},
            after={"status": "CLOSED"},
            comment=reason,
        )
    return current


def reopen_risk(*, risk: BAFRisk, by) -> BAFRisk:
    """Put a closed risk back on the register; its closing reason stays in the audit trail."""
    with transaction.atomic():
        current = BAFRisk.objects.select_for_update().get(pk=risk.pk)
        if current.is_open:
            raise ActionError(f"Risk {current.reference} is already open.")
        reason = current.closed_reason
        current.status = BAFRisk.Status.OPEN
        current.closed_reason = ""
        current.closed_at = None
        current.version += 1
        current._history_user = by
        current.save()
        record(
            by=by,
            verb=AuditVerb.RISK_REOPEN,
            obj=current,
            before={"status": "CLOSED", "closed_reason": reason},
            after={"status": "OPEN"},
        )
    return current


# --- quarterly reviews ------------------------------------------------------------------------


def open_risk_reviews(*, cycle, by) -> int:
    """Give each open risk a review in `cycle`, pre-filled with its current scores and text,
    and tell each owner which reviews they owe."""
    matrix = RiskMatrix.objects.current()
    created = 0
    with transaction.atomic():
        existing = set(RiskReview.objects.filter(cycle=cycle).values_list("risk_id", flat=True))
        reviews = [
            RiskReview(
                risk=risk,
                cycle=cycle,
                likelihood=risk.current_likelihood,
                consequence=risk.current_consequence,
                target_likelihood=risk.target_likelihood,
                target_consequence=risk.target_consequence,
                matrix=matrix,
                rationale=risk.rationale,
                controls=risk.controls,
                assurances=risk.assurances,
                gaps_in_control=risk.gaps_in_control,
                gaps_in_assurance=risk.gaps_in_assurance,
                mitigating_actions=risk.mitigating_actions,
            )
            for risk in BAFRisk.objects.filter(status=BAFRisk.Status.OPEN).exclude(pk__in=existing)
        ]
        RiskReview.objects.bulk_create(reviews)
        created = len(reviews)
        if created:
            record(
                by=by,
                verb=AuditVerb.RISK_REVIEWS_OPEN,
                obj=cycle,
                after={"reviews_created": created},
            )
            notifications.risk_reviews_opened(cycle)
    return created


def save_review(*, review: RiskReview, base_version: int, by, fields: dict[str, Any]):
    """Save the owner's (or governance's) edits to a review, refusing a stale save and
    scores off the matrix. Submitting, returning, accepting, extending and reopening are the
    shared workflow's (ics_portal/workflow/actions.py)."""
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ActionError(f"A risk review has no field {', '.join(sorted(unknown))}")
    _check_scores(fields)
    return workflow.save(update=review, base_version=base_version, by=by, sections=fields)


def previous_review(review: RiskReview) -> RiskReview | None:
    """The accepted review of the quarter before, against which a change of score is judged."""
    found = latest_approved(RiskReview, [(review.risk_id, review.cycle)], subject="risk")
    return found.get((review.risk_id, review.cycle_id))


def validate_review(review: RiskReview) -> dict[str, str]:
    """What must be true before a review can be submitted (RiskReviewKind)."""
    errors: dict[str, str] = {}
    risk = review.risk
    if not risk.is_open:
        errors["__all__"] = f"Risk {risk.reference} is closed; its review cannot be submitted"
        return errors
    last = previous_review(review)
    last_factors = (
        (last.likelihood, last.consequence)
        if last
        else (risk.current_likelihood, risk.current_consequence)
    )
    last_rationale = html_to_text(last.rationale if last else risk.rationale)
    if (review.likelihood, review.consequence) != last_factors:
        was = last_factors[0] * last_factors[1]
        now = review.likelihood * review.consequence
        change = (
            f"from {was} ({last_factors[0]}×{last_factors[1]}) to {now} "
            f"({review.likelihood}×{review.consequence})"
        )
        rationale = html_to_text(review.rationale)
        if not rationale:
            errors["rationale"] = f"The score changed {change}: explain why in the rationale"
        elif rationale == last_rationale:
            errors["rationale"] = (
                f"The score changed {change}: update the rationale, which still says what it "
                "said last quarter"
            )
    return errors


def apply_accepted_review(review: RiskReview, by) -> None:
    """Inside the workflow's `approve` transaction (RiskReviewKind.after_approve): the risk takes the accepted
    review's scores (with the review's matrix) and text, unless a later quarter's review has
    already been accepted."""
    later = RiskReview.objects.filter(
        after(review.cycle), risk_id=review.risk_id, state__in=READABLE_BY_BOARD_STATES
    )
    if later.exists():
        return
    risk = BAFRisk.objects.select_for_update().get(pk=review.risk_id)
    taken = {
        "current_likelihood": review.likelihood,
        "current_consequence": review.consequence,
        "target_likelihood": review.target_likelihood,
        "target_consequence": review.target_consequence,
        **{f: getattr(review, f) for f in TEXT_FIELDS},
    }
    changed = [f for f, v in taken.items() if getattr(risk, f) != v]
    if risk.matrix_id != review.matrix_id:
        changed.append("matrix")
    before = _snapshot(risk, changed)
    for name in changed:
        setattr(risk, name, review.matrix if name == "matrix" else taken[name])
    risk.version += 1
    risk._history_user = by
    risk.save()
    record(
        by=by,
        verb=AuditVerb.RISK_REVIEW_ACCEPTED,
        obj=risk,
        before={**before, "score": _score_text(before, risk)},
        after={**_snapshot(risk, changed), "score": risk.current_score.label},
        comment=f"Accepted the {review.cycle.label} review",
    )


def _score_text(before: dict[str, Any], risk: BAFRisk) -> str:
    likelihood = before.get("current_likelihood", risk.current_likelihood)
    consequence = before.get("current_consequence", risk.current_consequence)
    return f"{likelihood * consequence} ({likelihood}×{consequence})"


# NHS/NPSA 5×5 matrix, as migration 0003 creates it: (band, lowest score, highest, colour key).
DEFAULT_BANDS = [
    ("Low", 1, 3, "green"),
    ("Moderate", 4, 6, "yellow"),
    ("High", 8, 12, "amber"),
    ("Extreme", 15, 25, "red"),
]


def ensure_default_matrix() -> RiskMatrix:
    """The matrix in force; on an empty database (after `flush`), the NHS 5×5 default."""
    matrix = RiskMatrix.objects.current()
    if matrix is None:
        with transaction.atomic():
            matrix = RiskMatrix.objects.create(version=1, name="NHS/NPSA 5×5 risk matrix")
            for name, low, high, colour in DEFAULT_BANDS:
                matrix.bands.create(name=name, min_score=low, max_score=high, colour=colour)
    return matrix
