"""Read models of the dashboards (issue 15): the plan overview, the trend grid and the risk
trends. Each is built in a fixed number of queries however many quarters, workstreams and
risks there are (tests/dashboards/test_queries.py).

What is shown follows the counting rule (docs/adr/0007): a status shows only from an approved
or published update, anything else is "Not yet approved"; counts come from reporting/numbers.py
and risk scores and directions from risks/presenters.py, so a dashboard, the cycle page and the
board pack agree. The charts are drawn by reporting/charts.py from these rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.safestring import SafeString

from ics_portal import palette
from ics_portal.models import Organisation, ReportingCycle, User
from ics_portal.periods import Quarter
from ics_portal.workflow.history import COUNTED_STATES, latest_approved
from risks import presenters as risk_presenters
from risks.models import BAFRisk, RiskReview
from workstreams.models import GoldenThread, Theme, Workstream, WorkstreamMilestone

from . import charts, numbers
from .models import WorkstreamUpdate

# --- links to the plan pages -------------------------------------------------------------------


def workstream_url(workstream) -> str:
    """The workstream's plan page: the one place a dashboard makes that link."""
    return workstream.get_absolute_url()


def opened_cycles():
    """Every cycle that has opened (a draft cycle has no updates), oldest first."""
    return ReportingCycle.objects.exclude(status=ReportingCycle.Status.DRAFT).order_by(
        "fy_start_year", "quarter"
    )


# --- plan overview ----------------------------------------------------------------------------


@dataclass
class Standing:
    """A workstream in the overview's quarter: its status and forecast by the counting rule."""

    workstream: Workstream
    current: numbers.StatusWord
    forecast: numbers.StatusWord
    url: str

    @property
    def forecast_differs(self) -> bool:
        return self.current.key != self.forecast.key


@dataclass
class ThemeStanding:
    theme: str
    rows: list[Standing] = field(default_factory=list)


@dataclass
class MilestoneEntry:
    row: numbers.MilestoneRow
    workstream: Workstream
    url: str


@dataclass
class MilestoneGroup:
    """One row of the overview's milestone tables: a milestone as the workstreams that hold it
    alike (MilestoneRow.group_key, the pack's rule) reported it, with those workstreams. A
    milestone shared by twenty workstreams is one row, not twenty."""

    row: numbers.MilestoneRow
    entries: list[MilestoneEntry]


@dataclass
class MilestoneList:
    """Overdue, or due next quarter: the grouped rows, and what they count."""

    groups: list[MilestoneGroup]

    # Rows shown at first; the rest fold away below them, so a long list does not push the
    # heat map thousands of pixels down.
    FIRST = 10

    @property
    def first(self) -> list[MilestoneGroup]:
        return self.groups[: self.FIRST]

    @property
    def rest(self) -> list[MilestoneGroup]:
        return self.groups[self.FIRST :]

    @property
    def milestone_count(self) -> int:
        return len({group.row.milestone_id for group in self.groups})

    @property
    def workstream_count(self) -> int:
        return len({e.workstream.pk for group in self.groups for e in group.entries})


def group_entries(entries: list[MilestoneEntry]) -> MilestoneList:
    """`entries` in their order, those that agree (MilestoneRow.group_key) as one row."""
    groups: dict[tuple, MilestoneGroup] = {}
    for entry in entries:
        key = entry.row.group_key
        if key not in groups:
            groups[key] = MilestoneGroup(entry.row, [])
        groups[key].entries.append(entry)
    return MilestoneList(list(groups.values()))


@dataclass
class Overview:
    cycle: ReportingCycle | None
    cycles: list[ReportingCycle]
    themes: list[ThemeStanding]
    statuses: numbers.StatusTable | None
    chart: SafeString | None
    next_quarter: Quarter | None
    due_next_quarter: MilestoneList
    overdue: MilestoneList
    heat_map: risk_presenters.HeatMap | None
    open_cycle: ReportingCycle | None
    progress: numbers.StateCounts | None

    @property
    def workstream_count(self) -> int:
        return sum(len(t.rows) for t in self.themes)


def default_overview_cycle(cycles: list[ReportingCycle]) -> ReportingCycle | None:
    """The newest cycle with an approved update (what the board has read), else the newest
    that has opened. One query."""
    if not cycles:
        return None
    with_approved = set(
        WorkstreamUpdate.objects.filter(cycle__in=cycles, state__in=COUNTED_STATES)
        .values_list("cycle_id", flat=True)
        .distinct()
    )
    for cycle in reversed(cycles):
        if cycle.pk in with_approved:
            return cycle
    return cycles[-1]


def overview(
    cycle: ReportingCycle | None,
    cycles: list[ReportingCycle],
    *,
    show_risks: bool,
    show_progress: bool,
) -> Overview:
    """The plan overview of `cycle` (one of `cycles`, oldest first): the workstreams by theme
    with their status and forecast, the status counts as a stacked bar, the milestones due next
    quarter and overdue, the BAF heat map (`show_risks`) and, for governance
    (`show_progress`), the open cycle's submission progress."""
    open_cycle = next((c for c in reversed(cycles) if c.is_open), None)
    progress = None
    if show_progress and open_cycle is not None:
        progress = numbers.cycle_counts(open_cycle).overall
    heat = risk_presenters.heat_map("current") if show_risks else None
    if cycle is None:
        return Overview(
            None,
            cycles,
            [],
            None,
            None,
            None,
            MilestoneList([]),
            MilestoneList([]),
            heat,
            open_cycle,
            progress,
        )
    updates = list(
        WorkstreamUpdate.objects.filter(cycle=cycle, workstream__active=True)
        .select_related("cycle", "workstream__theme")
        .prefetch_related(
            "milestone_progress",
            Prefetch(
                "workstream__milestone_links",
                queryset=WorkstreamMilestone.objects.select_related("milestone"),
            ),
        )
        .order_by(
            "workstream__theme__order",
            "workstream__theme__number",
            "workstream__order",
            "workstream__name",
        )
    )
    themes: dict[int, ThemeStanding] = {}
    for update in updates:
        workstream = update.workstream
        themes.setdefault(workstream.theme_id, ThemeStanding(workstream.theme.name)).rows.append(
            Standing(
                workstream,
                numbers.status_word(update.state, update.overall_status),
                numbers.status_word(update.state, update.forecast_status),
                workstream_url(workstream),
            )
        )
    statuses = numbers.cycle_counts(cycle).statuses
    chart = charts.stacked_status_bars(
        charts.bar_groups([*statuses.groups, statuses.total]),
        chart_id="status-chart",
        title=f"Updates by overall status in {cycle.label}, per theme ({statuses.rule.lower()})",
    )
    period = cycle.period
    due_next, overdue = _milestones(updates, period)
    return Overview(
        cycle,
        cycles,
        list(themes.values()),
        statuses,
        chart,
        period.next(),
        due_next,
        overdue,
        heat,
        open_cycle,
        progress,
    )


def _milestones(updates, period: Quarter) -> tuple[MilestoneList, MilestoneList]:
    """Each workstream's milestones as its approved update of the quarter reported them (else
    its latest approved update before, as the pack does): those due next quarter and those
    overdue (MilestoneRow.overdue_in, the pack's rule). Two queries."""
    earlier_wanted = [
        (u.workstream_id, u.cycle) for u in updates if not numbers.is_counted(u.state)
    ]
    earlier = latest_approved(
        WorkstreamUpdate, earlier_wanted, subject="workstream", prefetch=["milestone_progress"]
    )
    due_next, overdue = [], []
    following = period.next()
    for update in updates:
        if numbers.is_counted(update.state):
            reported = update.milestone_progress.all()
        else:
            found = earlier.get((update.workstream_id, update.cycle_id))
            reported = found.milestone_progress.all() if found else ()
        workstream = update.workstream
        url = workstream_url(workstream)
        for row in numbers.milestone_rows(workstream.milestone_links.all(), reported):
            entry = MilestoneEntry(row, workstream, url)
            if row.overdue_in(period):
                overdue.append(entry)
            elif row.due_in(following) and row.status != "COMPLETE":
                due_next.append(entry)
    overdue.sort(key=lambda e: (e.row.due_date, e.row.title))
    due_next.sort(key=lambda e: (e.row.due_date, e.row.title))
    return group_entries(due_next), group_entries(overdue)


# --- trend grid ---------------------------------------------------------------------------------


@dataclass
class TrendCell:
    """One workstream's approved status in one quarter (None: no approved update)."""

    cycle: ReportingCycle
    status: numbers.StatusWord | None = None
    approved_at: object = None
    approved_by: str = ""


@dataclass
class TrendRow:
    workstream: Workstream
    url: str
    cells: list[TrendCell]


@dataclass
class TrendGrid:
    cycles: list[ReportingCycle]
    rows: list[TrendRow]
    total_workstreams: int

    @property
    def counts(self) -> dict[int, dict[str, int]]:
        """Per cycle id, how many cells show each status word (what the grid shows)."""
        result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in self.rows:
            for cell in row.cells:
                if cell.status is not None:
                    result[cell.cycle.pk][cell.status.label] += 1
        return result


@dataclass(frozen=True)
class TrendChoices:
    """What the trend grid's filters offer, as (value, label) pairs."""

    themes: list[tuple[str, str]]
    threads: list[tuple[str, str]]
    leads: list[tuple[str, str]]
    organisations: list[tuple[str, str]]


def trend_choices() -> TrendChoices:
    """The themes, golden threads, leads and organisations of active workstreams (4 queries)."""
    themes = Theme.objects.filter(workstreams__active=True).distinct().order_by("order", "number")
    threads = GoldenThread.objects.filter(workstreams__active=True).distinct()
    threads = threads.order_by("order", "number")
    leads = (
        User.objects.filter(led_workstreams__active=True)
        .distinct()
        .select_related("organisation")
        .order_by("full_name", "email")
    )
    organisations = (
        Organisation.objects.filter(people__led_workstreams__active=True)
        .distinct()
        .order_by("name")
    )
    return TrendChoices(
        [(str(t.pk), t.name) for t in themes],
        [(str(t.pk), t.name) for t in threads],
        [
            (
                str(u.pk),
                f"{u.full_name} ({u.organisation.short_name})" if u.organisation else u.full_name,
            )
            for u in leads
        ],
        [(str(o.pk), o.name) for o in organisations],
    )


# How many quarters the grid shows, the default first (a bound form shows the first choice).
SPANS = {"8": "The last 8 quarters", "4": "The last 4 quarters", "all": "Every quarter"}
DEFAULT_SPAN = "8"


def trend_grid(*, theme=None, thread=None, lead=None, organisation=None, span=DEFAULT_SPAN):
    """Active workstreams (filtered by theme, golden thread, lead, and the organisation of a
    lead; each a pk or None) by quarter, each cell the status of its approved or published
    update. Three queries."""
    cycles = list(opened_cycles())
    if span != "all":
        cycles = cycles[-int(span) :]
    workstreams = Workstream.objects.filter(active=True).select_related("theme")
    if theme:
        workstreams = workstreams.filter(theme_id=theme)
    if thread:
        workstreams = workstreams.filter(golden_threads=thread)
    if lead:
        workstreams = workstreams.filter(leads=lead)
    if organisation:
        workstreams = workstreams.filter(leads__organisation=organisation)
    workstreams = list(workstreams.distinct())
    approved = (
        WorkstreamUpdate.objects.filter(
            workstream__in=[w.pk for w in workstreams],
            cycle__in=[c.pk for c in cycles],
            state__in=COUNTED_STATES,
        )
        .select_related("approved_by")
        .only(
            "workstream_id",
            "cycle_id",
            "state",
            "overall_status",
            "approved_at",
            "approved_by__full_name",
        )
        if workstreams and cycles
        else []
    )
    found = {(u.workstream_id, u.cycle_id): u for u in approved}
    rows = []
    for workstream in workstreams:
        cells = []
        for cycle in cycles:
            update = found.get((workstream.pk, cycle.pk))
            if update is None:
                cells.append(TrendCell(cycle))
                continue
            cells.append(
                TrendCell(
                    cycle,
                    numbers.status_word(update.state, update.overall_status),
                    update.approved_at,
                    update.approved_by.full_name if update.approved_by else "",
                )
            )
        rows.append(TrendRow(workstream, workstream_url(workstream), cells))
    return TrendGrid(cycles, rows, len(workstreams))


# --- risk trends --------------------------------------------------------------------------------


@dataclass
class RiskTrend:
    risk: BAFRisk
    points: list[charts.ScorePoint]
    chart: SafeString
    cells: list  # a Score (or None) per quarter of RiskTrends.cycles: the table alternative
    change: risk_presenters.Direction

    @property
    def latest(self):
        """The score of the newest accepted review, None without one."""
        return next((score for score in reversed(self.cells) if score is not None), None)


@dataclass
class RiskTrends:
    cycles: list[ReportingCycle]  # quarters with an accepted review, oldest first
    risks: list[RiskTrend]
    latest: ReportingCycle | None  # "this quarter": the newest with an accepted review

    @property
    def moved(self) -> list[RiskTrend]:
        return [t for t in self.risks if t.change.is_change]


def _short(cycle: ReportingCycle) -> str:
    return f"Q{cycle.quarter} {cycle.fy_start_year % 100:02d}/{(cycle.fy_start_year + 1) % 100:02d}"


def risk_trends() -> RiskTrends:
    """Each open BAF risk's accepted score by quarter, as a small multiple on one scale, and
    its direction of travel into the newest quarter with an accepted review (risks'
    `direction`: ↑ Increased, ↓ Reduced, → No change). Four queries."""
    matrices = risk_presenters.matrices_by_id()
    risks = list(BAFRisk.objects.filter(status=BAFRisk.Status.OPEN).order_by("reference"))
    reviews = list(
        RiskReview.objects.filter(risk__status=BAFRisk.Status.OPEN, state__in=COUNTED_STATES)
        .select_related("cycle")
        .only(
            "risk_id",
            "cycle__fy_start_year",
            "cycle__quarter",
            "cycle__status",
            "likelihood",
            "consequence",
            "matrix_id",
        )
        .order_by("cycle__fy_start_year", "cycle__quarter")
    )
    risk_presenters.attach_matrix(reviews, matrices)
    by_risk: dict[int, list[RiskReview]] = defaultdict(list)
    cycles: dict[int, ReportingCycle] = {}
    for review in reviews:
        by_risk[review.risk_id].append(review)
        cycles[review.cycle_id] = review.cycle
    ordered = sorted(cycles.values(), key=lambda c: c.period)
    latest = ordered[-1] if ordered else None
    axis = [(c.label, _short(c)) for c in ordered]
    trends = []
    for risk in risks:
        history = by_risk.get(risk.pk, [])
        points = [
            charts.ScorePoint(
                r.cycle.label,
                _short(r.cycle),
                r.score.value,
                r.score.band_name,
                palette.colour(r.score.colour),
            )
            for r in history
        ]
        scores = {r.cycle_id: r.score for r in history}
        if history and history[-1].cycle_id == latest.pk:
            previous = history[-2].score if len(history) > 1 else None
            change = risk_presenters.direction(history[-1].score, previous)
        else:  # nothing accepted yet, or not this quarter: no direction to give
            word = f"Not reviewed in {latest.label}" if latest else "Not reviewed yet"
            change = risk_presenters.Direction("new", "–", word)
        trends.append(
            RiskTrend(
                risk,
                points,
                charts.score_small_multiple(
                    points,
                    chart_id=f"risk-{risk.reference}-chart",
                    title=f"Risk {risk.reference}: score by quarter",
                    quarters=axis,
                ),
                [scores.get(c.pk) for c in ordered],
                change,
            )
        )
    return RiskTrends(ordered, trends, latest)
