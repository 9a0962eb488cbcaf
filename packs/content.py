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
from ics_portal.workflow.history import latest_approved
from ics_portal.workflow.states import READABLE_BY_BOARD_STATES
from reporting.models import GoldenThreadUpdate, MilestoneProgress, WorkstreamUpdate
from reporting.numbers import MilestoneRow, StatusTable, cycle_counts
from reporting.numbers import milestone_rows as reported_milestones
from risks.models import BAFRisk, RiskMatrix, RiskReview, Score
from risks.presenters import Direction, HeatMap, build_heat_map, direction
from workstreams.models import GoldenThread, Theme, Workstream

from . import exceptions
from .availability import availability
from .changes import WhatChanged, what_changed
from .exceptions import LeftOut
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
class RiskGroup:
    """Consecutive workstreams of a theme that share one BAF risk list, and that list: the
    paper prints "<Theme>: Risks, issues and concerns ..." after each such group."""

    workstreams: list[WorkstreamSection]
    risks: list[BAFRisk]


@dataclass
class ThemeSection:
    theme: Theme
    workstreams: list[WorkstreamSection]
    groups: list[RiskGroup] = field(default_factory=list)

    @property
    def risks(self) -> list[BAFRisk]:
        """Every BAF risk listed anywhere in the theme, once each, in the order printed."""
        seen: dict[int, BAFRisk] = {}
        for group in self.groups:
            for risk in group.risks:
                seen.setdefault(risk.pk, risk)
        return list(seen.values())


def _risk_list(section: WorkstreamSection) -> list[BAFRisk]:
    """A workstream's BAF risks: its approved update's, else (no approved update) the plan's."""
    if section.update and not section.missing:
        return list(section.update.baf_risks.all())
    return list(section.workstream.baf_risks.all())


def group_by_risk_list(
    sections: list[WorkstreamSection], theme_risks: list[BAFRisk] = ()
) -> list[RiskGroup]:
    """Consecutive workstreams with the same risk list form one group, in the data's order.
    Risks linked to the theme but to none of its workstreams follow in a last group of their
    own, so none is dropped."""
    groups: list[RiskGroup] = []
    for section in sections:
        risks = _risk_list(section)
        if groups and [r.pk for r in groups[-1].risks] == [r.pk for r in risks]:
            groups[-1].workstreams.append(section)
        else:
            groups.append(RiskGroup([section], risks))
    listed = {r.pk for group in groups for r in group.risks}
    leftover = [r for r in theme_risks if r.pk not in listed]
    if leftover:
        groups.append(RiskGroup([], leftover))
    return groups


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


NOT_REVIEWED = Direction("not_reviewed", "–", "Not reviewed this quarter")


@dataclass
class RiskRow:
    """A BAF risk as the pack shows it. When the risk has an approved review this quarter its
    scores and text are the review's; when it has none, the row is "Not reviewed this quarter"
    and shows its latest approved score (`scored_in` says which quarter it is from; "" when
    there is no approved review at all and the register's own score is shown)."""

    risk: BAFRisk
    initial: Score
    current: Score
    target: Score
    previous: Score | None  # last quarter's approved score
    review: RiskReview | None = None  # this quarter's approved review
    latest: RiskReview | None = None  # the latest approved review before this quarter
    is_new: bool = False  # no approved review before this quarter at all

    @property
    def reviewed(self) -> bool:
        return self.review is not None

    @property
    def scored_in(self) -> str:
        """The quarter the current score is from ("Q1 2021/22"), "" for the register's."""
        source = self.review or self.latest
        return source.cycle.label if source else ""

    @property
    def review_note(self) -> str:
        """ "" when reviewed this quarter, else "Not reviewed this quarter: latest approved
        score, Q1 2021/22"."""
        if self.reviewed:
            return ""
        if self.latest:
            return f"{NOT_REVIEWED.word}: latest approved score, {self.scored_in}"
        return f"{NOT_REVIEWED.word}: score as on the register (no approved review)"

    @property
    def direction(self) -> Direction:
        """Direction of travel since last quarter, as on the register page; "Not reviewed
        this quarter" when there is no approved review this quarter."""
        if not self.reviewed:
            # Short enough for the register's column; the risk's detail gives review_note.
            source = f"{self.scored_in} score" if self.latest else "register score"
            return Direction(NOT_REVIEWED.key, NOT_REVIEWED.arrow, f"Not reviewed ({source})")
        return direction(self.current, self.previous)

    def _text(self, name: str) -> str:
        """The review's words where it gives them, else the register's."""
        source = self.review or self.latest
        return getattr(source, name, "") or getattr(self.risk, name)

    @property
    def rationale(self) -> str:
        return self._text("rationale")

    @property
    def controls(self) -> str:
        return self._text("controls")

    @property
    def assurances(self) -> str:
        return self._text("assurances")

    @property
    def gaps_in_control(self) -> str:
        return self._text("gaps_in_control")

    @property
    def gaps_in_assurance(self) -> str:
        return self._text("gaps_in_assurance")

    @property
    def mitigating_actions(self) -> str:
        return self._text("mitigating_actions")


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
    changes: WhatChanged
    missing: list[tuple[str, str]]  # (name, why)
    statuses: StatusTable  # every update of the cycle, by the counting rule
    # Due this quarter, due next quarter and overdue (packs/milestones.py).
    milestones: MilestoneSection
    exception_only: bool = False
    sections: list[str] = field(default_factory=list)
    # Exception-only packs: what each section left out ("workstreams", "threads",
    # "milestones", "risks"), and the rule (packs/exceptions.py).
    left_out: dict[str, LeftOut] = field(default_factory=dict)
    exception_rule: str = ""

    all_risks: list[RiskRow] = field(default_factory=list)  # every open risk, shown or not
    update_count: int = 0  # workstream and golden-thread updates the pack reports on

    @property
    def approved_updates(self) -> int:
        """How many of those are approved (the rest are listed in `missing`)."""
        return self.update_count - len(self.missing)

    @property
    def risks_reviewed(self) -> int:
        """How many open risks have an approved review this quarter."""
        return sum(1 for r in self.all_risks if r.reviewed)

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
    period = cycle.period

    ws_updates = {
        u.workstream_id: u
        for u in WorkstreamUpdate.objects.filter(cycle=cycle)
        .select_related("workstream")
        .prefetch_related(
            "objective_progress",
            # Each row's delivery date as its own workstream gives it (MilestoneProgress.due_text).
            "workstream__milestone_links",
            "baf_risks",
            Prefetch(
                "milestone_progress", queryset=MilestoneProgress.objects.select_related("milestone")
            ),
        )
    }
    prev_ws, prev_threads = {}, {}
    if previous_cycle:
        prev_ws = {
            u.workstream_id: u
            for u in WorkstreamUpdate.objects.filter(cycle=previous_cycle)
            .select_related("workstream")
            .prefetch_related(
                "workstream__milestone_links",
                Prefetch(
                    "milestone_progress",
                    queryset=MilestoneProgress.objects.select_related("milestone"),
                ),
            )
        }
        prev_threads = {
            u.golden_thread_id: u for u in GoldenThreadUpdate.objects.filter(cycle=previous_cycle)
        }
    # Active workstreams, and any with an update in this cycle (the counts count every update).
    in_cycle = WorkstreamUpdate.objects.filter(cycle=cycle)
    workstreams = list(
        Workstream.objects.filter(Q(active=True) | Q(pk__in=in_cycle.values("workstream_id")))
        .select_related("theme")
        .prefetch_related(
            Prefetch("leads", queryset=_PEOPLE),
            "objectives",
            links_prefetch(),
            "baf_risks",
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
    ws_shown = ws_waiting = 0
    # A workstream whose update is not in the pack: its milestones keep the status and revised
    # date of its latest approved update (marked with that quarter), so the milestone section
    # does not call a milestone completed last quarter overdue now.
    carried_ws = latest_approved(
        WorkstreamUpdate,
        [(ws.pk, cycle) for ws in workstreams if availability(ws_updates.get(ws.pk))],
        subject="workstream",
        prefetch=[
            Prefetch(
                "milestone_progress", queryset=MilestoneProgress.objects.select_related("milestone")
            )
        ],
    )

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
        earlier = carried_ws.get((ws.pk, cycle.pk)) if why else None
        if earlier is None:
            per_workstream.append((ws.name, milestones))
        else:
            rows = reported_milestones(ws.milestone_links.all(), earlier.milestone_progress.all())
            for row in rows:
                row.reported_in = earlier.cycle.label
            per_workstream.append((ws.name, rows))
        section = WorkstreamSection(ws, update, why, objectives, milestones, list(ws.leads.all()))
        ws_waiting += bool(why)
        if exception_only and not exceptions.workstream_is_exception(section, period):
            continue
        ws_shown += 1
        theme_workstreams[ws.theme_id].append(section)

    theme_sections = []
    for theme in themes.values():
        sections_here = theme_workstreams.get(theme.pk, [])
        if sections_here or not exception_only:
            # An exception-only pack lists only the risks of the workstreams it shows.
            theme_risks = [] if exception_only else list(theme.baf_risks.all())
            theme_sections.append(
                ThemeSection(theme, sections_here, group_by_risk_list(sections_here, theme_risks))
            )

    threads = []
    thread_updates = {
        u.golden_thread_id: u
        for u in GoldenThreadUpdate.objects.filter(cycle=cycle)
        .select_related("cycle")
        .prefetch_related("baf_risks", "objectives")
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
    threads_waiting = 0
    for thread in active_threads:
        update = thread_updates.get(thread.pk)
        why = availability(update)
        if why:
            missing.append((str(thread), why))
        threads_waiting += bool(why)
        section = ThreadSection(
            thread,
            update,
            why,
            list(thread.system_leads.all()),
            list(thread.cross_references.all()),
            carried.get((thread.pk, cycle.pk)),
        )
        if exception_only and not exceptions.thread_is_exception(section):
            continue
        threads.append(section)

    all_risks = _risk_rows(cycle, previous_cycle)
    risk_rows = (
        [r for r in all_risks if exceptions.risk_is_exception(r)] if exception_only else all_risks
    )
    matrix = RiskMatrix.objects.current()
    counts = cycle_counts(cycle)
    changes = what_changed(
        cycle=cycle,
        previous_cycle=previous_cycle,
        workstreams=workstreams,
        ws_updates=ws_updates,
        prev_ws=prev_ws,
        threads=active_threads,
        thread_updates=thread_updates,
        prev_threads=prev_threads,
        risk_rows=all_risks,
    )
    milestone_section = build_milestone_section(per_workstream, period)
    if exception_only:
        listed = milestone_section.row_count
        milestone_section = build_milestone_section(
            per_workstream, period, keep=lambda row: exceptions.milestone_is_exception(row, period)
        )
    left_out = {}
    if exception_only:
        left_out = {
            "workstreams": LeftOut(
                "workstream", "workstreams", len(workstreams), ws_shown, ws_waiting
            ),
            "threads": LeftOut(
                "golden thread",
                "golden threads",
                len(active_threads),
                len(threads),
                threads_waiting,
            ),
            "milestones": LeftOut(
                "milestone",
                "milestones",
                listed,
                milestone_section.row_count,
                why="are neither Delayed nor overdue",
                why_one="is neither Delayed nor overdue",
            ),
            "risks": LeftOut(
                "BAF risk",
                "BAF risks",
                len(all_risks),
                len(risk_rows),
                why="are at or below target with no rise since last quarter",
                why_one="is at or below target with no rise since last quarter",
            ),
        }
    return PackContent(
        pack=pack,
        cycle=cycle,
        previous_cycle=previous_cycle,
        themes=theme_sections,
        threads=threads,
        risks=risk_rows,
        heat_map=build_heat_map(
            [(r.current.likelihood, r.current.consequence, r.risk) for r in all_risks],
            "current",
            matrix,
        ),
        target_heat_map=build_heat_map(
            [(r.target.likelihood, r.target.consequence, r.risk) for r in all_risks],
            "target",
            matrix,
        ),
        changes=changes,
        missing=missing,
        statuses=counts.statuses,
        milestones=milestone_section,
        exception_only=exception_only,
        sections=sections,
        left_out=left_out,
        exception_rule=exceptions.RULE if exception_only else "",
        all_risks=all_risks,
        update_count=len(workstreams) + len(active_threads),
    )


def _risk_rows(cycle, previous_cycle) -> list[RiskRow]:
    """Every open risk with this quarter's approved review, else its latest approved one
    (three queries for the risks, two for this quarter's reviews, three for earlier ones)."""
    risks = list(
        BAFRisk.objects.filter(status=BAFRisk.Status.OPEN)
        .select_related("owner__organisation", "matrix")
        .prefetch_related("matrix__bands")
    )
    this_quarter = {
        r.risk_id: r
        for r in RiskReview.objects.filter(cycle=cycle, state__in=READABLE_BY_BOARD_STATES)
        .select_related("matrix", "cycle")
        .prefetch_related("matrix__bands")
    }
    # The latest approved review before this quarter: last quarter's gives the direction of
    # travel; for a risk not reviewed this quarter, it gives the score shown.
    earlier = latest_approved(
        RiskReview,
        [(risk.pk, cycle) for risk in risks],
        subject="risk",
        related=["matrix"],
        prefetch=["matrix__bands"],
    )
    rows = []
    for risk in risks:
        review = this_quarter.get(risk.pk)
        latest = earlier.get((risk.pk, cycle.pk))
        shown = review or latest
        current = shown.score if shown else risk.current_score
        target = shown.target_score if shown else risk.target_score
        previous = (
            latest.score
            if latest and previous_cycle and latest.cycle_id == previous_cycle.pk
            else None
        )
        rows.append(
            RiskRow(
                risk,
                risk.initial_score,
                current,
                target,
                previous,
                review=review,
                latest=latest,
                is_new=latest is None,
            )
        )
    return sorted(rows, key=lambda r: (-r.current.value, r.risk.reference))
