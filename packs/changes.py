"""What changed since last quarter, as plain sentences for the pack's summary.

Sentences come in four small groups: Statuses, Milestones, Risks and Not yet approved. Only
approved (or published) updates and risk reviews are compared. Where a comparison cannot be
made (no earlier cycle, or no approved updates or reviews on one side) a sentence says so and
names what could not be compared; "nothing changed" is said only of what was compared.

A milestone slip is a revised date this quarter that differs from the previous quarter's
revised date or, where that gave none (or there was no previous update), from the milestone's
delivery date, so a slip is reported even when last quarter has nothing to compare.
"""

import re
from dataclasses import dataclass, field

from ics_portal.status import NEEDS_EXPLANATION, DeliveryStatus
from ics_portal.workflow.states import READABLE_BY_BOARD_STATES
from risks.models import BAFRisk

from .availability import NOT_SUBMITTED, availability

STATUSES, MILESTONES, RISKS, NOT_APPROVED = (
    "Statuses",
    "Milestones",
    "Risks",
    "Not yet approved",
)


@dataclass
class Change:
    sentence: str
    # status, forecast, milestone, new_milestone, completed_milestone, risk, new_risk,
    # closed_risk, not_compared, unchanged, no_slip, not_approved
    kind: str


@dataclass
class ChangeGroup:
    title: str
    changes: list[Change] = field(default_factory=list)

    def add(self, sentence: str, kind: str) -> None:
        self.changes.append(Change(sentence, kind))


@dataclass
class WhatChanged:
    groups: list[ChangeGroup]

    def __iter__(self):
        for group in self.groups:
            yield from group.changes

    @property
    def sentences(self) -> list[str]:
        return [c.sentence for c in self]

    def of_kind(self, *kinds: str) -> list[str]:
        return [c.sentence for c in self if c.kind in kinds]


def _label(code: str) -> str:
    return DeliveryStatus(code).label if code else "No status"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _due_words(row) -> str:
    """ "Sept 2021" from "Delivery by Sept 2021": the delivery date of a milestone row
    (reporting.MilestoneProgress) as its own workstream gives it; else the date in words."""
    text = row.due_text
    if not text:
        return "no delivery date"
    return re.sub(r"^\s*(delivery|due)\s+by\s+", "", text, flags=re.I)


def _approved(update) -> bool:
    return update is not None and not availability(update)


def what_changed(
    *,
    cycle,
    previous_cycle,
    workstreams,
    ws_updates: dict,
    prev_ws: dict,
    threads,
    thread_updates: dict,
    prev_threads: dict,
    risk_rows,
) -> WhatChanged:
    """What changed since `previous_cycle`, in plain sentences (one query: closed risks).

    `ws_updates`/`prev_ws` and `thread_updates`/`prev_threads` map subject id to that cycle's
    update (milestone progress prefetched); `risk_rows` are the pack's RiskRows (every open risk).
    The not-yet-approved counts are of the subjects the pack lists under "Updates not
    included" (packs/availability.py), so a thread whose update was never started counts too."""
    statuses, milestones, risks, waiting = (
        ChangeGroup(STATUSES),
        ChangeGroup(MILESTONES),
        ChangeGroup(RISKS),
        ChangeGroup(NOT_APPROVED),
    )
    prev_label = previous_cycle.label if previous_cycle else ""
    no_earlier = f"There is no reporting cycle before {cycle.label}"
    yet = " yet" if cycle.is_open else ""
    workstreams = list(workstreams)

    # --- workstream and golden-thread statuses --------------------------------------------
    def compare_statuses(subjects, now_by_id, before_by_id, noun, name, forecasts):
        now_any = any(_approved(now_by_id.get(s.pk)) for s in subjects)
        before_any = any(_approved(u) for u in before_by_id.values())
        what = f"{noun} statuses" + (" and forecasts" if forecasts else "")
        if previous_cycle is None:
            statuses.add(f"{no_earlier}, so {what} cannot be compared.", "not_compared")
            return
        if not before_any:
            statuses.add(
                f"{prev_label} has no approved {noun} updates, so {what} cannot be compared.",
                "not_compared",
            )
            return
        if not now_any:
            statuses.add(
                f"{cycle.label} has no approved {noun} updates{yet}, so {what} cannot be compared.",
                "not_compared",
            )
            return
        moved, unmatched = 0, []
        for subject in subjects:
            now, before = now_by_id.get(subject.pk), before_by_id.get(subject.pk)
            if not _approved(now):
                continue
            if not _approved(before):
                unmatched.append(name(subject))
                continue
            if now.overall_status != before.overall_status:
                moved += 1
                statuses.add(
                    f"{name(subject)} moved from {_label(before.overall_status)} to "
                    f"{_label(now.overall_status)}.",
                    "status",
                )
            if forecasts and now.forecast_status != before.forecast_status:
                moved += 1
                statuses.add(
                    f"{name(subject)}\u2019s forecast for next quarter moved from "
                    f"{_label(before.forecast_status)} to {_label(now.forecast_status)}.",
                    "forecast",
                )
        if unmatched:
            statuses.add(
                f"{_names(unmatched)} {'has' if len(unmatched) == 1 else 'have'} no approved "
                f"{prev_label} update to compare with.",
                "not_compared",
            )
        if not moved:
            statuses.add(
                f"No {noun}\u2019s {'status or forecast' if forecasts else 'status'} changed "
                f"since {prev_label}"
                + (" among those that can be compared." if unmatched else "."),
                "unchanged",
            )

    compare_statuses(
        workstreams, ws_updates, prev_ws, "workstream", lambda w: w.name, forecasts=True
    )
    compare_statuses(threads, thread_updates, prev_threads, "golden-thread", str, forecasts=False)

    # A forecast worse than this quarter's status is reported whether or not last quarter can
    # be compared: it is where the workstream is heading.
    next_label = cycle.period.next().label
    for ws in workstreams:
        now, before = ws_updates.get(ws.pk), prev_ws.get(ws.pk)
        if not _approved(now) or now.forecast_status not in NEEDS_EXPLANATION:
            continue
        if now.forecast_status == now.overall_status:
            continue
        if _approved(before) and before.forecast_status != now.forecast_status:
            continue  # already said as a forecast move
        statuses.add(
            f"{ws.name} is {_label(now.overall_status)} now and forecast "
            f"{_label(now.forecast_status)} for {next_label}.",
            "forecast",
        )

    # --- milestones -----------------------------------------------------------------------
    now_any = any(_approved(ws_updates.get(w.pk)) for w in workstreams)
    before_any = previous_cycle is not None and any(_approved(u) for u in prev_ws.values())
    if not now_any:
        milestones.add(
            f"{cycle.label} has no approved workstream updates{yet}, so milestone dates "
            "cannot be compared.",
            "not_compared",
        )
    else:
        if not before_any:
            reason = (
                no_earlier
                if previous_cycle is None
                else f"{prev_label} has no approved workstream updates"
            )
            milestones.add(
                f"{reason}, so new and completed milestones cannot be identified; revised "
                "dates are compared with delivery dates.",
                "not_compared",
            )
        slips: dict[tuple, list[str]] = {}
        added: dict[tuple, list[str]] = {}
        completed: dict[tuple, list[str]] = {}
        for ws in workstreams:
            now, before = ws_updates.get(ws.pk), prev_ws.get(ws.pk)
            if not _approved(now):
                continue
            compared = _approved(before)
            before_rows = (
                {m.milestone_id: m for m in before.milestone_progress.all()} if compared else {}
            )
            for row in now.milestone_progress.all():
                milestone, old = row.milestone, before_rows.get(row.milestone_id)
                if row.revised_date:
                    if old is not None and old.revised_date:
                        was, was_words = old.revised_date, f"{old.revised_date:%-d %B %Y}"
                    else:
                        was, was_words = row.due_date, _due_words(row)
                    if was != row.revised_date:
                        key = (milestone.title, was_words, row.revised_date, was)
                        slips.setdefault(key, []).append(ws.name)
                if not compared:
                    continue
                if old is None:
                    added.setdefault((milestone.title, _due_words(row)), []).append(ws.name)
                if row.status == DeliveryStatus.COMPLETE and (
                    old is None or old.status != DeliveryStatus.COMPLETE
                ):
                    completed.setdefault((milestone.title,), []).append(ws.name)
        for (title, was_words, new, was), names in slips.items():
            verb = "slipped" if was is None or new > was else "was brought forward"
            milestones.add(
                f"{title} ({'; '.join(names)}) {verb} from {was_words} to {new:%-d %B %Y}.",
                "milestone",
            )
        for (title, due), names in added.items():
            milestones.add(
                f"{title} ({'; '.join(names)}) is a new milestone this quarter, due {due}.",
                "new_milestone",
            )
        for (title,), names in completed.items():
            milestones.add(
                f"{title} ({'; '.join(names)}) was completed this quarter.",
                "completed_milestone",
            )
        if not (slips or added or completed):
            if before_any:
                milestones.add(
                    f"No milestone slipped, was added or was completed since {prev_label}.",
                    "unchanged",
                )
            else:
                milestones.add(
                    "No milestone in an approved update has a revised date different from its "
                    "delivery date.",
                    "no_slip",
                )

    # --- risks ----------------------------------------------------------------------------
    reviewed = [r for r in risk_rows if r.reviewed]
    before_reviews = any(r.previous is not None for r in risk_rows)
    if previous_cycle is None:
        risks.add(f"{no_earlier}, so risk scores cannot be compared.", "not_compared")
    elif not before_reviews:
        risks.add(
            f"{prev_label} has no approved risk reviews, so risk scores cannot be compared.",
            "not_compared",
        )
    elif not reviewed:
        risks.add(
            f"{cycle.label} has no approved risk reviews{yet}, so risk scores cannot be compared.",
            "not_compared",
        )
    else:
        moved, unmatched = 0, []
        for row in reviewed:
            name = f"Risk {row.risk.reference} ({row.risk.title})"
            if row.is_new:
                moved += 1
                risks.add(f"{name} is new this quarter.", "new_risk")
            elif row.previous is None:
                unmatched.append(row.risk.reference)
            elif row.previous.value != row.current.value:
                moved += 1
                verb = "increased" if row.current.value > row.previous.value else "reduced"
                risks.add(
                    f"{name} {verb} from {row.previous.label} to {row.current.label}.", "risk"
                )
        if unmatched:
            risks.add(
                f"Risk{'s' if len(unmatched) != 1 else ''} {_names(unmatched)} "
                f"{'was' if len(unmatched) == 1 else 'were'} not reviewed in {prev_label}, so "
                f"{'its score' if len(unmatched) == 1 else 'their scores'} cannot be compared.",
                "not_compared",
            )
        if not moved:
            risks.add(f"No reviewed risk\u2019s score changed since {prev_label}.", "unchanged")
    if previous_cycle is not None:
        closed = (
            BAFRisk.objects.filter(
                status=BAFRisk.Status.CLOSED,
                reviews__cycle=previous_cycle,
                reviews__state__in=READABLE_BY_BOARD_STATES,
            )
            .distinct()
            .order_by("reference")
        )
        for risk in closed:
            risks.add(f"Risk {risk.reference} ({risk.title}) was closed.", "closed_risk")

    # --- not yet approved / not submitted ------------------------------------------------
    # In the words of "Updates not included": an update never submitted is "not submitted";
    # one submitted or returned is "not yet approved".
    def reason(update) -> str:
        why = availability(update)
        return "" if not why else ("unsent" if why == NOT_SUBMITTED else "waiting")

    ws_reasons = [reason(ws_updates.get(w.pk)) for w in workstreams]
    thread_reasons = [reason(thread_updates.get(t.pk)) for t in threads]
    reviews_waiting = sum(1 for r in risk_rows if not r.reviewed)
    for which, verb_one, verb_many, extra in (
        ("waiting", "is not yet approved", "are not yet approved", reviews_waiting),
        ("unsent", "has not been submitted", "have not been submitted", 0),
    ):
        parts = [
            _plural(n, word)
            for n, word in (
                (ws_reasons.count(which), "workstream update"),
                (thread_reasons.count(which), "golden-thread update"),
                (extra, "risk review"),
            )
            if n
        ]
        if parts:
            single = len(parts) == 1 and parts[0].startswith("1 ")
            waiting.add(
                f"{_names(parts)} {verb_one if single else verb_many} and "
                f"{'is' if single else 'are'} not reflected above.",
                "not_approved",
            )

    return WhatChanged([g for g in (statuses, milestones, risks, waiting) if g.changes])
