"""Read models of the Board Assurance Framework: register rows, the heat map, a risk's page
with its score history, and review lists. Each is built in a fixed number of queries, however
many risks or quarters there are (asserted in tests/risks/test_queries.py)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse

from ics_portal.models import ReportingCycle, User
from ics_portal.permissions import Perm, has_permission
from ics_portal.reading import ReadingLink, workstream_reading
from ics_portal.workflow.history import latest_approved
from ics_portal.workflow.queries import shown_to_leads
from ics_portal.workflow.states import (
    OUTSTANDING_STATES,
    READABLE_BY_BOARD_STATES,
    leads_window_open,
)

from .matrix import CONSEQUENCE_WORDS, LIKELIHOOD_WORDS, ColourStyle, colour_style
from .models import SCALE, SCORE_BASES, BAFRisk, RiskBand, RiskMatrix, RiskReview, Score

_NEWEST_CYCLE_FIRST = [F("cycle__fy_start_year").desc(), F("cycle__quarter").desc()]


# --- matrices and scores ----------------------------------------------------------------------


def matrices_by_id() -> dict[int, RiskMatrix]:
    """Every matrix version with its bands (two queries); attach them with `attach_matrix` so
    deriving a band never queries."""
    return {m.pk: m for m in RiskMatrix.objects.prefetch_related("bands")}


def matrix_in_force(matrices: dict[int, RiskMatrix]) -> RiskMatrix | None:
    """The highest version among `matrices` (as RiskMatrix.objects.current(), no query)."""
    return max(matrices.values(), key=lambda m: m.version, default=None)


def attach_matrix(objects, matrices: dict[int, RiskMatrix]) -> None:
    for obj in objects:
        obj.matrix = matrices[obj.matrix_id]


@dataclass(frozen=True)
class Direction:
    """Direction of travel of a score between two quarters, as arrow and word."""

    key: str  # "up", "down", "same" or "new"
    arrow: str
    word: str
    previous: Score | None = None

    @property
    def is_change(self) -> bool:
        return self.key in {"up", "down"}


NO_EARLIER_REVIEW = Direction("new", "–", "No earlier review")


def direction(latest: Score | None, previous: Score | None) -> Direction:
    """↑ Increased, ↓ Reduced or → No change, comparing score values."""
    if latest is None or previous is None:
        return NO_EARLIER_REVIEW
    if latest.value > previous.value:
        return Direction("up", "↑", "Increased", previous)
    if latest.value < previous.value:
        return Direction("down", "↓", "Reduced", previous)
    return Direction("same", "→", "No change", previous)


def latest_approved_reviews(risks, *, per_risk: int = 2) -> dict[int, list[RiskReview]]:
    """The `per_risk` most recent accepted reviews of each risk, newest first (one query)."""
    ranked = (
        RiskReview.objects.filter(
            risk_id__in=[r.pk for r in risks], state__in=READABLE_BY_BOARD_STATES
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("risk_id")], order_by=_NEWEST_CYCLE_FIRST)
        )
        .filter(rank__lte=per_risk)
        .select_related("cycle")
        .order_by("risk_id", *_NEWEST_CYCLE_FIRST)
    )
    result: dict[int, list[RiskReview]] = defaultdict(list)
    for review in ranked:
        result[review.risk_id].append(review)
    return result


# --- register ---------------------------------------------------------------------------------


@dataclass
class RegisterRow:
    risk: BAFRisk
    initial: Score
    current: Score
    target: Score
    direction: Direction

    def score(self, basis: str) -> Score:
        return getattr(self, basis)


SORTS = {
    "score": "Current score, highest first",
    "score_asc": "Current score, lowest first",
    "reference": "Reference",
}


def register_rows(
    *,
    status: str = "open",
    theme=None,
    category: str = "",
    owner=None,
    band: str = "",
    likelihood: int | None = None,
    consequence: int | None = None,
    basis: str = "current",
    sort: str = "score",
    matrices: dict[int, RiskMatrix] | None = None,
) -> list[RegisterRow]:
    """The register's rows after filtering, sorted by current score (highest first) unless
    asked otherwise. Filters are the register's GET parameters, already validated."""
    risks = BAFRisk.objects.select_related("owner__organisation")
    if status == "open":
        risks = risks.filter(status=BAFRisk.Status.OPEN)
    elif status == "closed":
        risks = risks.filter(status=BAFRisk.Status.CLOSED)
    if theme is not None:
        risks = risks.filter(themes=theme)
    if category:
        risks = risks.filter(category=category)
    if owner is not None:
        risks = risks.filter(owner=owner)
    if basis not in SCORE_BASES:
        raise ValueError(f"Unknown score basis {basis!r}")
    if likelihood:
        risks = risks.filter(**{f"{basis}_likelihood": likelihood})
    if consequence:
        risks = risks.filter(**{f"{basis}_consequence": consequence})
    risks = list(risks)
    matrices = matrices or matrices_by_id()
    attach_matrix(risks, matrices)
    reviews = latest_approved_reviews(risks)
    rows = []
    for risk in risks:
        recent = reviews.get(risk.pk, [])
        for review in recent:
            review.matrix = matrices[review.matrix_id]
        travel = direction(
            recent[0].score if recent else None, recent[1].score if len(recent) > 1 else None
        )
        rows.append(
            RegisterRow(risk, risk.initial_score, risk.current_score, risk.target_score, travel)
        )
    if band:
        rows = [r for r in rows if r.current.band_name == band]
    if sort == "reference":
        rows.sort(key=lambda r: r.risk.reference)
    elif sort == "score_asc":
        rows.sort(key=lambda r: (r.current.value, r.risk.reference))
    else:
        rows.sort(key=lambda r: (-r.current.value, r.risk.reference))
    return rows


# --- heat map ---------------------------------------------------------------------------------


@dataclass
class HeatCell:
    likelihood: int
    consequence: int
    band: RiskBand | None
    risks: list[BAFRisk] = field(default_factory=list)

    @property
    def _score(self) -> Score:
        # The cell's score, band word and colour are a Score's, so a cell and a risk with the
        # same likelihood and consequence read the same (an unbanded one too).
        return Score(self.likelihood, self.consequence, self.band)

    @property
    def score(self) -> int:
        return self._score.value

    @property
    def count(self) -> int:
        return len(self.risks)

    @property
    def band_name(self) -> str:
        return self._score.band_name

    @property
    def colour(self) -> str:
        return self._score.colour

    @property
    def style(self) -> ColourStyle:
        return colour_style(self.colour)

    @property
    def references(self) -> list[str]:
        return [r.reference for r in self.risks]


@dataclass
class HeatRow:
    likelihood: int
    word: str
    cells: list[HeatCell]


@dataclass
class HeatMap:
    basis: str
    matrix: RiskMatrix
    rows: list[HeatRow]  # likelihood 5 (top) to 1
    consequences: list[tuple[int, str]]

    @property
    def total(self) -> int:
        return sum(cell.count for row in self.rows for cell in row.cells)

    def cell(self, likelihood: int, consequence: int) -> HeatCell:
        return self.rows[5 - likelihood].cells[consequence - 1]


def heat_map(basis: str = "current") -> HeatMap:
    """Open risks counted in the 5×5 grid by their `basis` likelihood and consequence; cells
    take their band and colour from the matrix in force. Three queries."""
    if basis not in SCORE_BASES:
        raise ValueError(f"Unknown score basis {basis!r}")
    risks = BAFRisk.objects.filter(status=BAFRisk.Status.OPEN).only(
        "pk", "reference", "title", f"{basis}_likelihood", f"{basis}_consequence"
    )
    placements = [
        (getattr(risk, f"{basis}_likelihood"), getattr(risk, f"{basis}_consequence"), risk)
        for risk in risks
    ]
    return build_heat_map(placements, basis, RiskMatrix.objects.current())


def build_heat_map(placements, basis: str, matrix: RiskMatrix) -> HeatMap:
    """The grid for any (likelihood, consequence, risk) placements: the register's heat map
    and the board pack's (scores as reviewed in the pack's quarter) are both drawn from this,
    so they can never disagree. No queries if the matrix's bands are prefetched."""
    placed: dict[tuple[int, int], list[BAFRisk]] = defaultdict(list)
    for likelihood, consequence, risk in sorted(placements, key=lambda p: p[2].reference):
        placed[(likelihood, consequence)].append(risk)
    rows = [
        HeatRow(
            likelihood,
            LIKELIHOOD_WORDS[likelihood],
            [
                HeatCell(
                    likelihood,
                    consequence,
                    matrix.band_for(likelihood * consequence),
                    placed.get((likelihood, consequence), []),
                )
                for consequence in SCALE
            ],
        )
        for likelihood in reversed(SCALE)
    ]
    return HeatMap(basis, matrix, rows, [(c, CONSEQUENCE_WORDS[c]) for c in SCALE])


# --- a risk's page ----------------------------------------------------------------------------


@dataclass
class HistoryPoint:
    review: RiskReview
    score: Score
    target: Score
    change: Direction

    @property
    def label(self) -> str:
        return self.review.cycle.label


@dataclass
class ChartPoint:
    x: float
    y: float
    target_y: float
    point: HistoryPoint
    fill: str
    short_label: str


@dataclass
class ScoreChart:
    """Geometry of the score-history chart (inline SVG), worked out here so the template
    only draws."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[ChartPoint]
    y_ticks: list[tuple[float, int]]
    title: str
    description: str

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def label_y(self) -> int:
        return self.height - self.bottom + 24

    @property
    def current_line(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def target_line(self) -> str:
        return " ".join(f"{p.x},{p.target_y}" for p in self.points)


def score_chart(risk: BAFRisk, history: list[HistoryPoint]) -> ScoreChart | None:
    """Current (solid) and target (dashed) score by quarter, on a 0–25 scale."""
    if not history:
        return None
    left, right, top, bottom = 56, 24, 24, 48
    width = max(640, left + right + 80 * len(history))
    step = (width - left - right) / len(history)
    height = 280
    plot_height = height - top - bottom

    def y_for(value: int) -> float:
        return round(top + plot_height * (1 - value / 25), 1)

    points = []
    for i, point in enumerate(history):
        x = left + step / 2 + step * i
        cycle = point.review.cycle
        points.append(
            ChartPoint(
                x=round(x, 1),
                y=y_for(point.score.value),
                target_y=y_for(point.target.value),
                point=point,
                fill=colour_style(point.score.colour).fill,
                short_label=f"Q{cycle.quarter} {cycle.fy_start_year % 100:02d}/"
                f"{(cycle.fy_start_year + 1) % 100:02d}",
            )
        )
    first, last = history[0], history[-1]
    description = (
        "Current score by quarter: "
        + "; ".join(f"{p.label} {p.score.label} ({p.change.word.lower()})" for p in history)
        + f". Target score in {last.label}: {last.target.label}."
    )
    if first is not last:
        description += f" From {first.score.value} in {first.label} to {last.score.value}."
    return ScoreChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        points=points,
        y_ticks=[(y_for(v), v) for v in (0, 5, 10, 15, 20, 25)],
        title=f"Score history of risk {risk.reference}",
        description=description,
    )


@dataclass
class CitingUpdate:
    kind: str  # "Workstream update" or "Golden thread update"
    subject: str
    cycle: ReportingCycle
    update: object
    url: str | None


@dataclass(frozen=True)
class LinkedWorkstream:
    """A workstream the risk is linked to, with where the reader can read its latest update
    (None: nowhere they may see, so its name is plain text)."""

    workstream: object
    link: ReadingLink | None


def linked_workstreams(risk: BAFRisk, user) -> list[LinkedWorkstream]:
    """The risk's active workstreams, each linked to its latest update in a published report
    `user` may read, else to the update's page if they may see it (ics_portal/reading.py).
    A fixed number of queries, however many workstreams and quarters."""
    workstreams = list(risk.workstreams.select_related("theme").filter(active=True))
    links = workstream_reading(user, [w.pk for w in workstreams])
    return [LinkedWorkstream(w, links.get(w.pk)) for w in workstreams]


@dataclass
class RiskPage:
    risk: BAFRisk
    initial: Score
    current: Score
    target: Score
    direction: Direction
    history: list[HistoryPoint]
    chart: ScoreChart | None
    workstreams: list[LinkedWorkstream]
    citing_updates: list[CitingUpdate]
    open_reviews: list[RiskReview]


def _update_url(update, kind: str) -> str | None:
    # The update pages belong to the reporting app; link to them once they exist.
    try:
        return reverse("reporting:update_detail", kwargs={"kind": kind, "pk": update.pk})
    except NoReverseMatch:
        return None


def citing_updates(risk: BAFRisk, user) -> list[CitingUpdate]:
    """Workstream and golden-thread updates that linked this risk, newest quarter first, only
    those `user` may see (has_permission Perm.UPDATE_VIEW)."""
    workstream_updates = risk.workstream_updates.select_related(
        "cycle", "workstream"
    ).prefetch_related(
        Prefetch("workstream__leads", queryset=User.objects.only("pk")),
        Prefetch("workstream__deputies", queryset=User.objects.only("pk")),
    )
    thread_updates = risk.golden_thread_updates.select_related(
        "cycle", "golden_thread"
    ).prefetch_related(Prefetch("golden_thread__system_leads", queryset=User.objects.only("pk")))
    rows = [
        CitingUpdate(
            "Workstream update", u.workstream.label, u.cycle, u, _update_url(u, "workstream")
        )
        for u in workstream_updates
        if has_permission(user, Perm.UPDATE_VIEW, u)
    ] + [
        CitingUpdate(
            "Golden thread update", u.golden_thread.label, u.cycle, u, _update_url(u, "thread")
        )
        for u in thread_updates
        if has_permission(user, Perm.UPDATE_VIEW, u)
    ]
    rows.sort(key=lambda r: (r.kind, r.subject))
    rows.sort(key=lambda r: r.cycle.period, reverse=True)  # newest quarter first, stable
    return rows


def risk_history(risk: BAFRisk, matrices: dict[int, RiskMatrix]) -> list[HistoryPoint]:
    """Every quarter with an accepted review, oldest first, each scored under its own matrix,
    including quarters where nothing changed."""
    reviews = list(
        risk.reviews.filter(state__in=READABLE_BY_BOARD_STATES)
        .select_related("cycle", "approved_by")
        .order_by("cycle__fy_start_year", "cycle__quarter")
    )
    attach_matrix(reviews, matrices)
    history = []
    previous = None
    for review in reviews:
        history.append(
            HistoryPoint(
                review, review.score, review.target_score, direction(review.score, previous)
            )
        )
        previous = review.score
    return history


def risk_page(risk: BAFRisk, user) -> RiskPage:
    matrices = matrices_by_id()
    attach_matrix([risk], matrices)
    history = risk_history(risk, matrices)
    travel = direction(
        history[-1].score if history else None, history[-2].score if len(history) > 1 else None
    )
    open_reviews = [
        review
        for review in risk.reviews.filter(cycle__status=ReportingCycle.Status.OPEN)
        .exclude(state__in=READABLE_BY_BOARD_STATES)
        .select_related("cycle", "risk")
        if has_permission(user, Perm.UPDATE_VIEW, review)
    ]
    attach_matrix(open_reviews, matrices)
    return RiskPage(
        risk=risk,
        initial=risk.initial_score,
        current=risk.current_score,
        target=risk.target_score,
        direction=travel,
        history=history,
        chart=score_chart(risk, history),
        workstreams=linked_workstreams(risk, user),
        citing_updates=citing_updates(risk, user),
        open_reviews=open_reviews,
    )


# --- reviews ----------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    review: RiskReview
    score: Score
    last_quarter: Score | None

    @property
    def change(self) -> Direction:
        return direction(self.score, self.last_quarter)

    @property
    def is_extended(self) -> bool:
        """The cycle is closed but governance's extension lets the owner submit this."""
        return self.review.cycle.is_closed and self.review.has_extension

    @property
    def is_shut(self) -> bool:
        """The cycle closed before this was submitted: only governance can reopen it."""
        return self.review.state in OUTSTANDING_STATES and not leads_window_open(self.review)


def review_rows(user, *, everyone: bool = False) -> list[ReviewRow]:
    """Reviews of open risks in open cycles: the ones `user` owns (with what they still owe in
    a cycle that has just closed, or have an extension for), or (`everyone`, for governance)
    all of them, with last quarter's score beside this quarter's. Submitted ones
    come first for governance; outstanding ones first for an owner."""
    reviews = RiskReview.objects.filter(risk__status=BAFRisk.Status.OPEN).select_related(
        "cycle", "risk__owner__organisation", "updated_by"
    )
    if everyone:
        reviews = reviews.filter(cycle__status=ReportingCycle.Status.OPEN)
    else:
        # As on "My updates": open cycles, what is still owed in one that has just closed,
        # and reviews with an extension (docs/adr/0006).
        reviews = reviews.filter(shown_to_leads(), risk__owner=user)
    reviews = list(reviews)
    matrices = matrices_by_id()
    attach_matrix(reviews, matrices)
    earlier = _previous_reviews(reviews)
    attach_matrix(earlier.values(), matrices)
    rows = [
        ReviewRow(r, r.score, earlier[r.pk].score if r.pk in earlier else None) for r in reviews
    ]
    first = ["SUBMITTED"] if everyone else ["RETURNED", "NOT_STARTED", "DRAFT"]
    rows.sort(
        key=lambda row: (
            row.review.state not in first,
            row.review.cycle.submission_deadline,
            row.review.risk.reference,
        )
    )
    return rows


def _previous_reviews(reviews: list[RiskReview]) -> dict[int, RiskReview]:
    """For each review, the accepted review of the same risk in the latest earlier quarter
    (one query)."""
    found = latest_approved(RiskReview, [(r.risk_id, r.cycle) for r in reviews], subject="risk")
    return {
        r.pk: found[(r.risk_id, r.cycle_id)] for r in reviews if (r.risk_id, r.cycle_id) in found
    }


def previous_review_score(review: RiskReview, matrices=None) -> RiskReview | None:
    """Last quarter's accepted review of the same risk, with its matrix attached."""
    earlier = _previous_reviews([review]).get(review.pk)
    if earlier is not None:
        attach_matrix([earlier], matrices or matrices_by_id())
    return earlier


def risk_reviews_owed_by_person(cycle) -> dict[User, list[RiskReview]]:
    """Every active owner with the reviews of open risks they still owe in `cycle` (not
    started, draft or returned), in reference order, in one query."""
    reviews = (
        RiskReview.objects.filter(
            cycle=cycle,
            state__in=OUTSTANDING_STATES,
            risk__status=BAFRisk.Status.OPEN,
            risk__owner__is_active=True,
        )
        .select_related("cycle", "risk__owner__organisation")
        .order_by("risk__reference")
    )
    owed: dict[User, list[RiskReview]] = defaultdict(list)
    for review in reviews:
        owed[review.risk.owner].append(review)
    return dict(owed)
