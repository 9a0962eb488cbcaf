"""What changed since last quarter, as plain sentences for the pack's summary."""

from dataclasses import dataclass

from ics_portal.status import DeliveryStatus
from risks.models import BAFRisk

from .availability import availability


@dataclass
class Change:
    sentence: str
    kind: str  # status, milestone, risk, new_risk, closed_risk


def what_changed(ws_updates, prev_ws, workstreams, risk_rows, previous_cycle) -> list[Change]:
    """What changed since last quarter, in plain sentences."""
    if previous_cycle is None:
        return []
    changes = []
    for ws in workstreams:
        now, before = ws_updates.get(ws.pk), prev_ws.get(ws.pk)
        if not now or not before or availability(now) or availability(before):
            continue
        if (
            now.overall_status
            and before.overall_status
            and now.overall_status != before.overall_status
        ):
            changes.append(
                Change(
                    f"{ws.name} moved from {DeliveryStatus(before.overall_status).label} to "
                    f"{DeliveryStatus(now.overall_status).label}.",
                    "status",
                )
            )
        before_rows = {m.milestone_id: m for m in before.milestone_progress.all()}
        for row in now.milestone_progress.all():
            old = before_rows.get(row.milestone_id)
            if row.revised_date and (not old or old.revised_date != row.revised_date):
                changes.append(
                    Change(
                        f'"{row.milestone.title}" ({ws.name}) slipped from '
                        f"{row.milestone.due_label or row.milestone.due_date} to {row.revised_date:%-d %B %Y}.",
                        "milestone",
                    )
                )
    for row in risk_rows:
        if row.previous is None:
            changes.append(
                Change(
                    f"Risk {row.risk.reference} ({row.risk.title}) is new this quarter.", "new_risk"
                )
            )
        elif row.previous.value != row.current.value:
            verb = "increased" if row.current.value > row.previous.value else "reduced"
            changes.append(
                Change(
                    f"Risk {row.risk.reference} ({row.risk.title}) {verb} from {row.previous.label} to "
                    f"{row.current.label}.",
                    "risk",
                )
            )
    closed = BAFRisk.objects.filter(
        status=BAFRisk.Status.CLOSED, reviews__cycle=previous_cycle
    ).distinct()
    for risk in closed:
        changes.append(Change(f"Risk {risk.reference} ({risk.title}) was closed.", "closed_risk"))
    return changes
