"""The board pack's read model: everything the pack shows, built from approved data in a fixed
number of queries (it does not grow with the number of workstreams, threads or risks).

Updates that are not approved are never silently dropped: they appear with "Not submitted" or
"Awaiting approval" and are listed in the summary. Every count in the pack (the summary table
and its status bar, in full and exception-only packs alike) is reporting/numbers.py's, as on the
cycle page and in the cycle return.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from ics_portal.models import ReportingCycle, User
from ics_portal.status import NEEDS_EXPLANATION
from ics_portal.workflow.history import latest_approved
from ics_portal.workflow.states import READABLE_BY_BOARD_STATES
from reporting.models import GoldenThreadUpdate, MilestoneProgress, WorkstreamUpdate
from reporting.numbers import MilestoneRow, StatusTable, cycle_counts
from reporting.numbers import milestone_rows as reported_milestones
from risks.models import BAFRisk, RiskMatrix, RiskReview, Score
from risks.presenters import Direction, HeatMap, build_heat_map, direction
from workstreams.models import GoldenThread, Theme, Workstream

from .availability import availability
from .changes import Change, what_changed
from .milestones import MilestoneSection, build_milestone_section, links_prefetch
from .models import BoardPack

_PEOPLE = User.objects.select_related("organisation")


@dataclass
class WorkstreamSection:
    workstream: Workstream
    update: WorkstreamUpdate | None
    missing: str
    objectives: list[tuple]  # (objective, progress html)
    milestones: list[MilestoneRow]
    leads: list[User]

    @property
    def status(self) -> str:
        return self.update.overall_status if self.update and not self.missing else ""

    @property
    def forecast(self) -> str:
        return self.update.forecast_status if self.update and not self.missing else ""


@dataclass
class ThemeSection:
    theme: Theme
    workstreams: list[WorkstreamSection]
    risks: list[BAFRisk]


@dataclass
class ThreadSection:
    thread: GoldenThread
    update: GoldenThreadUpdate | None
    missing: str
    leads: list[User]
    cross_references: list[GoldenThread]
    # When this quarter's update is missing, the latest approved earlier one, clearly labelled.
    carried: GoldenThreadUpdate | None = None

    @property
    def shown(self) -> GoldenThreadUpdate | None:
        return self.carried if self.missing else self.update


@dataclass
class RiskRow:
    risk: BAFRisk
    initial: Score
    current: Score
    target: Score
    previous: Score | None

    @property
    def direction(self) -> Direction:
        """Direction of travel since last quarter, as on the register page."""
        return direction(self.current, self.previous)


@dataclass
class PackContent:
    pack: BoardPack | None
    cycle: ReportingCycle
    previous_cycle: ReportingCycle | None
    themes: list[ThemeSection]
    threads: list[ThreadSection]
    risks: list[RiskRow]
    heat_map: HeatMap
    target_heat_map: HeatMap
    changes: list[Change]
    missing: list[tuple[str, str]]  # (name, why)
    statuses: StatusTable  # every update of the cycle, by the counting rule
    # Due this quarter, due next quarter and overdue (packs/milestones.py).
    milestones: MilestoneSection
    exception_only: bool = False
    sections: list[str] = field(default_factory=list)

    @property
    def milestones_due_next(self) -> list[MilestoneRow]:
        return [m.row for m in self.milestones.due_next_quarter]

    @property
    def milestones_overdue(self) -> list[MilestoneRow]:
        return [m.row for m in self.milestones.overdue]


def _previous_cycle(cycle: ReportingCycle) -> ReportingCycle | None:
    prev = cycle.period.previous()
    return ReportingCycle.objects.filter(
        fy_start_year=prev.fy_start_year, quarter=prev.number
    ).first()


def build_pack_content(cycle: ReportingCycle, pack: BoardPack | None = None) -> PackContent:
    exception_only = bool(pack and pack.exception_only)
    sections = list(pack.sections) if pack else [s.value for s in BoardPack.Section]
    previous_cycle = _previous_cycle(cycle)

    ws_updates = {
        u.workstream_id: u
        for u in WorkstreamUpdate.objects.filter(cycle=cycle).prefetch_related(
            "objective_progress",
            "baf_risks",
            Prefetch(
                "milestone_progress", queryset=MilestoneProgress.objects.select_related("milestone")
            ),
        )
    }
    prev_ws = {}
    if previous_cycle:
        prev_ws = {
            u.workstream_id: u
            for u in WorkstreamUpdate.objects.filter(cycle=previous_cycle).prefetch_related(
                Prefetch(
                    "milestone_progress",
                    queryset=MilestoneProgress.objects.select_related("milestone"),
                )
            )
        }
    # Active workstreams, and any with an update in this cycle (the counts count every update).
    in_cycle = WorkstreamUpdate.objects.filter(cycle=cycle)
    workstreams = (
        Workstream.objects.filter(Q(active=True) | Q(pk__in=in_cycle.values("workstream_id")))
        .select_related("theme")
        .prefetch_related(
            Prefetch("leads", queryset=_PEOPLE),
            "objectives",
            links_prefetch(),
        )
    )
    themes = {
        t.pk: t
        for t in Theme.objects.filter(
            Q(active=True) | Q(pk__in=in_cycle.values("workstream__theme_id"))
        ).prefetch_related("baf_risks")
    }
    theme_workstreams: dict[int, list[WorkstreamSection]] = defaultdict(list)
    missing: list[tuple[str, str]] = []
    # Each workstream's milestone rows, in plan order, for the milestone section.
    per_workstream: list[tuple[str, list[MilestoneRow]]] = []
    theme_risks: dict[int, dict[int, BAFRisk]] = defaultdict(dict)

    for ws in workstreams:
        update = ws_updates.get(ws.pk)
        why = availability(update)
        if why:
            missing.append((ws.name, why))
        progress = (
            {p.objective_id: p.progress for p in update.objective_progress.all()}
            if update and not why
            else {}
        )
        objectives = [(o, progress.get(o.pk, "")) for o in ws.objectives.all() if o.active]
        reported = update.milestone_progress.all() if update and not why else ()
        milestones = reported_milestones(ws.milestone_links.all(), reported)
        per_workstream.append((ws.name, milestones))
        section = WorkstreamSection(ws, update, why, objectives, milestones, list(ws.leads.all()))
        if not exception_only or section.status in NEEDS_EXPLANATION:
            theme_workstreams[ws.theme_id].append(section)
        if update and not why:
            for risk in update.baf_risks.all():
                theme_risks[ws.theme_id][risk.pk] = risk

    theme_sections = []
    for theme in themes.values():
        sections_here = theme_workstreams.get(theme.pk, [])
        risks = {r.pk: r for r in theme.baf_risks.all()} | theme_risks.get(theme.pk, {})
        if sections_here or not exception_only:
            theme_sections.append(
                ThemeSection(
                    theme, sections_here, sorted(risks.values(), key=lambda r: r.reference)
                )
            )

    threads = []
    thread_updates = {
        u.golden_thread_id: u
        for u in GoldenThreadUpdate.objects.filter(cycle=cycle).prefetch_related(
            "baf_risks", "objectives"
        )
    }
    active_threads = GoldenThread.objects.filter(
        Q(active=True)
        | Q(pk__in=GoldenThreadUpdate.objects.filter(cycle=cycle).values("golden_thread_id"))
    ).prefetch_related(Prefetch("system_leads", queryset=_PEOPLE), "cross_references")
    active_threads = list(active_threads)
    # When this quarter's update is not in the pack, the latest approved earlier one stands in.
    carried = latest_approved(
        GoldenThreadUpdate,
        [(t.pk, cycle) for t in active_threads if availability(thread_updates.get(t.pk))],
        subject="golden_thread",
        prefetch=["baf_risks"],
    )
    for thread in active_threads:
        update = thread_updates.get(thread.pk)
        why = availability(update)
        if why:
            missing.append((str(thread), why))
        if exception_only and (why or update.overall_status not in NEEDS_EXPLANATION):
            continue
        threads.append(
            ThreadSection(
                thread,
                update,
                why,
                list(thread.system_leads.all()),
                list(thread.cross_references.all()),
                carried.get((thread.pk, cycle.pk)),
            )
        )

    risk_rows = _risk_rows(cycle, previous_cycle)
    matrix = RiskMatrix.objects.current()
    changes = what_changed(ws_updates, prev_ws, workstreams, risk_rows, previous_cycle)
    return PackContent(
        pack=pack,
        cycle=cycle,
        previous_cycle=previous_cycle,
        themes=theme_sections,
        threads=threads,
        risks=risk_rows,
        heat_map=build_heat_map(
            [(r.current.likelihood, r.current.consequence, r.risk) for r in risk_rows],
            "current",
            matrix,
        ),
        target_heat_map=build_heat_map(
            [(r.target.likelihood, r.target.consequence, r.risk) for r in risk_rows],
            "target",
            matrix,
        ),
        changes=changes,
        missing=missing,
        statuses=cycle_counts(cycle).statuses,
        milestones=build_milestone_section(per_workstream, cycle.period),
        exception_only=exception_only,
        sections=sections,
    )


def _risk_rows(cycle, previous_cycle) -> list[RiskRow]:
    risks = list(
        BAFRisk.objects.filter(status=BAFRisk.Status.OPEN)
        .select_related("owner__organisation", "matrix")
        .prefetch_related("matrix__bands")
    )
    previous = {}
    if previous_cycle:
        previous = {
            r.risk_id: r
            for r in RiskReview.objects.filter(
                cycle=previous_cycle, state__in=READABLE_BY_BOARD_STATES
            )
            .select_related("matrix")
            .prefetch_related("matrix__bands")
        }
    this_quarter = {
        r.risk_id: r
        for r in RiskReview.objects.filter(cycle=cycle, state__in=READABLE_BY_BOARD_STATES)
        .select_related("matrix")
        .prefetch_related("matrix__bands")
    }
    rows = []
    for risk in risks:
        review = this_quarter.get(risk.pk)
        current = review.score if review else risk.current_score
        target = review.target_score if review else risk.target_score
        prev = previous.get(risk.pk)
        rows.append(
            RiskRow(risk, risk.initial_score, current, target, prev.score if prev else None)
        )
    return sorted(rows, key=lambda r: (-r.current.value, r.risk.reference))
