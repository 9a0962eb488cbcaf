"""What the help pages say about each status, state and score, keyed by the enums themselves so
the help cannot drift from the code: a new state without its sentence here fails at import."""

from dataclasses import dataclass

from ics_portal import palette
from ics_portal.models import ReportingCycle
from ics_portal.status import (
    NEEDS_EXPLANATION,
    STATUS_COLOURS,
    WORKFLOW_COLOURS,
    DeliveryStatus,
    WorkflowState,
)
from risks.matrix import CONSEQUENCE_WORDS, LIKELIHOOD_WORDS
from risks.models import SCALE, BAFRisk, RiskMatrix
from risks.presenters import HeatMap, build_heat_map

WORKFLOW_MEANINGS = {
    WorkflowState.NOT_STARTED: "The cycle has opened and the update is waiting for its lead. "
    "It may already hold last quarter's text, copied forward for you to edit.",
    WorkflowState.DRAFT: "The lead has saved some changes but has not submitted. Only the "
    "leads, their deputies and the governance team can see it.",
    WorkflowState.SUBMITTED: "The lead has sent it to the governance team for review. The lead "
    "can withdraw it to make changes until a reviewer acts on it.",
    WorkflowState.RETURNED: "A reviewer has sent it back with a comment saying what to change. "
    "The lead edits it and submits it again.",
    WorkflowState.APPROVED: "The governance team has accepted it. It can no longer be edited "
    "and it can go into the board pack.",
    WorkflowState.PUBLISHED: "It went out in a published board pack and is kept exactly as "
    "published.",
}

DELIVERY_MEANINGS = {
    DeliveryStatus.NOT_STARTED: "Work has not begun yet, as planned.",
    DeliveryStatus.ON_TRACK: "Work is going to plan and will meet its dates.",
    DeliveryStatus.AT_RISK: "Dates or outcomes may be missed unless something changes.",
    DeliveryStatus.DELAYED: "A date has been missed or will be: give the revised date.",
    DeliveryStatus.COMPLETE: "The work or milestone is finished.",
    DeliveryStatus.PAUSED: "Work has been stopped on purpose, for example by a board decision.",
}

CYCLE_MEANINGS = {
    ReportingCycle.Status.DRAFT: "Governance is setting the quarter up; leads cannot see it yet.",
    ReportingCycle.Status.OPEN: "Leads write and submit their updates until the submission "
    "deadline.",
    ReportingCycle.Status.CLOSED: "The submission deadline has passed. Governance still reviews "
    "and can give a lead more time.",
    ReportingCycle.Status.PUBLISHED: "The quarter's board pack has been published.",
}

RISK_MEANINGS = {
    BAFRisk.Status.OPEN: "The risk is on the Board Assurance Framework. Its senior risk owner "
    "reviews its scores each quarter.",
    BAFRisk.Status.CLOSED: "The board has agreed the risk no longer needs managing. It stays "
    "in the register's history.",
}

for _enum, _meanings in (
    (WorkflowState, WORKFLOW_MEANINGS),
    (DeliveryStatus, DELIVERY_MEANINGS),
    (ReportingCycle.Status, CYCLE_MEANINGS),
    (BAFRisk.Status, RISK_MEANINGS),
):
    assert set(_meanings) == set(_enum), f"help: say what every {_enum.__name__} means"


@dataclass(frozen=True)
class StatusRow:
    label: str
    meaning: str
    tag: str = ""  # the NHS.UK tag modifier it is drawn with, "" when it is not drawn as a tag
    needs_explanation: bool = False


def workflow_rows() -> list[StatusRow]:
    return [
        StatusRow(
            state.label, WORKFLOW_MEANINGS[state], palette.colour(WORKFLOW_COLOURS[state]).tag
        )
        for state in WorkflowState
    ]


def delivery_rows() -> list[StatusRow]:
    return [
        StatusRow(
            status.label,
            DELIVERY_MEANINGS[status],
            palette.colour(STATUS_COLOURS[status]).tag,
            needs_explanation=status in NEEDS_EXPLANATION,
        )
        for status in DeliveryStatus
    ]


def cycle_rows() -> list[StatusRow]:
    return [StatusRow(s.label, CYCLE_MEANINGS[s]) for s in ReportingCycle.Status]


def risk_rows() -> list[StatusRow]:
    return [StatusRow(s.label, RISK_MEANINGS[s]) for s in BAFRisk.Status]


def needs_explanation_labels() -> list[str]:
    return [status.label for status in DeliveryStatus if status in NEEDS_EXPLANATION]


@dataclass(frozen=True)
class ScoringHelp:
    matrix: RiskMatrix
    grid: HeatMap
    likelihoods: list[tuple[int, str]]
    consequences: list[tuple[int, str]]


def scoring_help() -> ScoringHelp | None:
    """The matrix in force, as an empty 5×5 grid of scores and bands (the heat map's own
    builder, so the two read alike); None before any matrix is set up. Two queries."""
    matrix = RiskMatrix.objects.current()
    if matrix is None:
        return None
    words = [(n, LIKELIHOOD_WORDS[n]) for n in SCALE]
    return ScoringHelp(
        matrix=matrix,
        grid=build_heat_map([], "current", matrix),
        likelihoods=words,
        consequences=[(n, CONSEQUENCE_WORDS[n]) for n in SCALE],
    )
