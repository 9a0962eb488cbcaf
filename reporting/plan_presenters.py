"""What the plan pages (/plan/) show: themes, golden threads, workstreams and partner
organisations, each with the statuses and updates the board reads.

Only approved (and published) updates are read here (COUNTED_STATES, docs/adr/0007): a
draft, a submission not yet approved or a returned update never shows its text or its status
on these pages, whoever is reading; its leads read it on its own update page. A status shown
is the status of the latest approved update ("current"), with the quarter it comes from.

Every function reads in a fixed number of queries, however many quarters, workstreams or
people there are (tests/plan/test_queries.py).
"""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, Subquery

from ics_portal.models import Organisation, ReportingCycle, User
from ics_portal.permissions import Perm, has_permission
from ics_portal.reading import ReadingLink
from ics_portal.workflow.history import COUNTED_STATES
from risks.models import BAFRisk
from workstreams.models import GoldenThread, Objective, Theme, Workstream, WorkstreamMilestone

from . import review
from .models import GoldenThreadUpdate, MilestoneProgress, ObjectiveProgress, WorkstreamUpdate
from .numbers import MilestoneRow, milestone_rows
from .plan_forms import CompareForm
from .reading import workstream_update_pages

_PEOPLE = User.objects.select_related("organisation").order_by("full_name", "email")
# BAF risks with what their current score's band reads, so a list costs no query per risk.
_RISKS = (
    BAFRisk.objects.select_related("matrix", "owner__organisation")
    .prefetch_related("matrix__bands")
    .order_by("reference")
)
_NEWEST_FIRST = ("-cycle__fy_start_year", "-cycle__quarter")
_OLDEST_FIRST = ("cycle__fy_start_year", "cycle__quarter")

# Where a reader without the BAF (someone signed in with no role) is told why risks are missing.
RISKS_HIDDEN = "BAF risks are shown to board members, system leads and the governance team."


# --- the current status of each workstream and golden thread -----------------------------------


def _current(model, subject: str, subjects) -> dict[int, object]:
    """The latest approved update of each subject (a Workstream or GoldenThread queryset),
    by subject id, with its cycle and approver: one query however many quarters there are."""
    latest = (
        model.objects.filter(**{subject: OuterRef("pk")}, state__in=COUNTED_STATES)
        .order_by(*_NEWEST_FIRST)
        .values("pk")[:1]
    )
    ids = subjects.annotate(current=Subquery(latest)).values("current")
    updates = model.objects.filter(pk__in=ids).select_related("cycle", "approved_by")
    return {getattr(u, f"{subject}_id"): u for u in updates}


def current_workstream_updates(workstreams) -> dict[int, WorkstreamUpdate]:
    """Each workstream's latest approved update, by workstream id (one query)."""
    return _current(WorkstreamUpdate, "workstream", workstreams)


def current_thread_updates(threads) -> dict[int, GoldenThreadUpdate]:
    """Each golden thread's latest approved update, by thread id (one query)."""
    return _current(GoldenThreadUpdate, "golden_thread", threads)


@dataclass
class StandingRow:
    """A workstream or golden thread with its people and where it stands: the statuses of its
    latest approved update (None when none is approved yet)."""

    subject: object
    leads: list
    deputies: list
    current: object | None
    # On an organisation's page: ("Lead" or "Deputy", person) for its people on this row.
    roles: list = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.current.overall_status if self.current else ""

    @property
    def forecast(self) -> str:
        return getattr(self.current, "forecast_status", "") if self.current else ""

    @property
    def quarter(self) -> str:
        """The quarter the statuses come from ("Q2 2021/22"), or blank."""
        return self.current.cycle.label if self.current else ""


def _workstreams(queryset):
    return queryset.select_related("theme").prefetch_related(
        Prefetch("leads", queryset=_PEOPLE), Prefetch("deputies", queryset=_PEOPLE)
    )


def workstream_rows(queryset) -> list[StandingRow]:
    """Workstreams in plan order with their leads, deputies and current statuses (four
    queries)."""
    workstreams = list(_workstreams(queryset))
    current = current_workstream_updates(
        Workstream.objects.filter(pk__in=[w.pk for w in workstreams])
    )
    return [
        StandingRow(w, list(w.leads.all()), list(w.deputies.all()), current.get(w.pk))
        for w in workstreams
    ]


def thread_rows(queryset) -> list[StandingRow]:
    """Golden threads in order with their system leads and current status (three queries)."""
    threads = list(queryset.prefetch_related(Prefetch("system_leads", queryset=_PEOPLE)))
    current = current_thread_updates(GoldenThread.objects.filter(pk__in=[t.pk for t in threads]))
    return [StandingRow(t, list(t.system_leads.all()), [], current.get(t.pk)) for t in threads]


# --- the index ---------------------------------------------------------------------------------


@dataclass
class ThemeEntry:
    theme: Theme
    leads: list
    workstreams: list[Workstream]


@dataclass
class PlanIndex:
    themes: list[ThemeEntry]
    threads: list[StandingRow]
    organisations: list[Organisation]


def plan_index() -> PlanIndex:
    """The themes in plan order with their workstreams, the golden threads with where each
    stands, and the partner organisations (six queries)."""
    themes = Theme.objects.prefetch_related(
        Prefetch("leads", queryset=_PEOPLE),
        Prefetch("workstreams", queryset=Workstream.objects.order_by("order", "name")),
    )
    return PlanIndex(
        themes=[ThemeEntry(t, list(t.leads.all()), list(t.workstreams.all())) for t in themes],
        threads=thread_rows(GoldenThread.objects.all()),
        organisations=list(Organisation.objects.all()),
    )


# --- a theme -----------------------------------------------------------------------------------


@dataclass
class ThemePage:
    theme: Theme
    leads: list
    workstreams: list[StandingRow]


def theme_page(theme: Theme) -> ThemePage:
    return ThemePage(
        theme=theme,
        leads=list(theme.leads.select_related("organisation").order_by("full_name")),
        workstreams=workstream_rows(Workstream.objects.filter(theme=theme)),
    )


# --- quarters: the approved updates of one workstream or thread, in order -----------------------


@dataclass
class Quarters:
    """The approved updates of one workstream or golden thread, oldest first, the one shown
    in full, its neighbours, and a comparison of two quarters when one was asked for."""

    updates: list
    shown: object | None
    message: str = ""  # why the quarter asked for is not the one shown
    compare_form: CompareForm | None = None
    comparison: review.Comparison | None = None
    compared: tuple = ()  # (earlier update, later update) when compared

    @property
    def cycles(self) -> list[ReportingCycle]:
        return [u.cycle for u in self.updates]

    def _neighbour(self, step: int):
        if self.shown is None:
            return None
        index = self.updates.index(self.shown) + step
        return self.updates[index] if 0 <= index < len(self.updates) else None

    @property
    def previous(self):
        return self._neighbour(-1)

    @property
    def next(self):
        return self._neighbour(1)

    @property
    def headings(self) -> tuple[str, str]:
        """ "Update for Q2 2021/22", "Plans for Q3 2021/22", for the update shown."""
        return review.quarter_headings(self.shown.cycle) if self.shown else ("", "")

    @property
    def is_latest(self) -> bool:
        return self.shown is not None and self.shown is self.updates[-1]


def _approved(model, subject: str, obj, prefetch: list):
    """The approved updates of `obj`, oldest first, with everything their pages read."""
    return list(
        model.objects.filter(**{subject: obj}, state__in=COUNTED_STATES)
        .select_related("cycle", "approved_by")
        .order_by(*_OLDEST_FIRST)
        .prefetch_related(*prefetch)
    )


def _quarters(updates: list, params) -> Quarters:
    """Choose the quarter to show from ?quarter=<cycle id> (else the latest) and, when
    ?before= and ?after= are given, compare those two quarters."""
    by_cycle = {u.cycle_id: u for u in updates}
    quarters = Quarters(updates=updates, shown=updates[-1] if updates else None)
    wanted = params.get("quarter")
    if wanted:
        try:
            quarters.shown = by_cycle[int(wanted)]
        except (KeyError, ValueError):
            quarters.message = (
                "There is no approved update for the quarter asked for, so the latest approved "
                "update is shown. Choose a quarter from the list."
            )
    cycles = quarters.cycles
    asked = "before" in params or "after" in params
    quarters.compare_form = CompareForm(params if asked else None, cycles=cycles)
    if asked and quarters.compare_form.is_valid():
        first = by_cycle[quarters.compare_form.cleaned_data["before"]]
        second = by_cycle[quarters.compare_form.cleaned_data["after"]]
        earlier, later = sorted((first, second), key=lambda u: u.cycle.period)
        quarters.compared = (earlier, later)
        quarters.comparison = review.compare(later, earlier)
    return quarters


# --- a workstream ------------------------------------------------------------------------------


@dataclass
class MilestoneHistory:
    """A milestone as the workstream holds it, as the latest approved update reported it, with
    the status each approved quarter gave it ("" where a quarter gave none)."""

    row: MilestoneRow
    statuses: list[str]


@dataclass
class WorkstreamPage:
    workstream: Workstream
    leads: list
    deputies: list
    objectives: list
    threads: list[GoldenThread]
    risks: list[BAFRisk] | None  # None: the reader may not see the BAF
    quarters: Quarters
    milestones: list[MilestoneHistory] = field(default_factory=list)
    # For its leads and governance: the newest update they may read, when it is not yet
    # approved (a draft or a submission stays on its own page, never on this one).
    newer: ReadingLink | None = None

    @property
    def current(self):
        return self.quarters.updates[-1] if self.quarters.updates else None


def _update_prefetch(subject_links: str) -> list:
    """What an update's full text, its milestone rows and the comparison read."""
    return [
        Prefetch(
            "objective_progress",
            queryset=ObjectiveProgress.objects.select_related("objective"),
        ),
        Prefetch(
            "milestone_progress",
            queryset=MilestoneProgress.objects.select_related("milestone"),
        ),
        "baf_risks",
        Prefetch(subject_links, queryset=WorkstreamMilestone.objects.select_related("milestone")),
    ]


def _reads_risks(user) -> bool:
    return has_permission(user, Perm.RISK_VIEW)


def workstream_page(workstream: Workstream, user, params) -> WorkstreamPage:
    """A workstream's people, objectives, threads, risks, milestones quarter by quarter and
    its approved updates, and for its leads and governance where a newer update not yet
    approved can be read (fixed queries, however many quarters)."""
    workstream = (
        _workstreams(Workstream.objects.filter(pk=workstream.pk))
        .prefetch_related(
            "objectives",
            "golden_threads",
            Prefetch("baf_risks", queryset=_RISKS),
            Prefetch(
                "milestone_links", queryset=WorkstreamMilestone.objects.select_related("milestone")
            ),
        )
        .get()
    )
    updates = _approved(
        WorkstreamUpdate,
        "workstream",
        workstream,
        _update_prefetch("workstream__milestone_links"),
    )
    # Every update is of this workstream: give each the one already loaded, with its links.
    for update in updates:
        update.workstream = workstream
    links = list(workstream.milestone_links.all())
    latest = updates[-1].milestone_progress.all() if updates else []
    by_update = [
        {row.milestone_id: row.status for row in u.milestone_progress.all()} for u in updates
    ]
    milestones = [
        MilestoneHistory(row, [statuses.get(row.milestone_id, "") for statuses in by_update])
        for row in milestone_rows(links, latest)
    ]
    newer = workstream_update_pages(user, [workstream.pk]).get(workstream.pk)
    if newer is not None and updates and newer.url == updates[-1].get_absolute_url():
        newer = None
    return WorkstreamPage(
        newer=newer,
        workstream=workstream,
        leads=list(workstream.leads.all()),
        deputies=list(workstream.deputies.all()),
        objectives=[o for o in workstream.objectives.all() if o.active],
        threads=list(workstream.golden_threads.all()),
        risks=list(workstream.baf_risks.all()) if _reads_risks(user) else None,
        quarters=_quarters(updates, params),
        milestones=milestones,
    )


# --- a golden thread ---------------------------------------------------------------------------


@dataclass
class ThreadPage:
    thread: GoldenThread
    leads: list
    cross_references: list[GoldenThread]
    workstreams: list[StandingRow]
    risks: (
        list[BAFRisk] | None
    )  # its updates' and its workstreams' risks; None: not for this reader
    quarters: Quarters

    @property
    def current(self):
        return self.quarters.updates[-1] if self.quarters.updates else None


def thread_page(thread: GoldenThread, user, params) -> ThreadPage:
    """A golden thread's system leads, its workstreams and where each stands, its risks and
    its approved updates (fixed queries, however many quarters)."""
    updates = _approved(
        GoldenThreadUpdate,
        "golden_thread",
        thread,
        [
            "baf_risks",
            Prefetch("objectives", queryset=Objective.objects.select_related("workstream")),
        ],
    )
    for update in updates:
        update.golden_thread = thread
    risks = None
    if _reads_risks(user):
        risks = list(
            _RISKS.filter(
                Q(workstreams__golden_threads=thread)
                | Q(
                    golden_thread_updates__golden_thread=thread,
                    golden_thread_updates__state__in=COUNTED_STATES,
                )
            )
            .distinct()
            .order_by("reference")
        )
    return ThreadPage(
        thread=thread,
        leads=list(thread.system_leads.select_related("organisation").order_by("full_name")),
        cross_references=list(thread.cross_references.all()),
        workstreams=workstream_rows(thread.workstreams.all()),
        risks=risks,
        quarters=_quarters(updates, params),
    )


# --- a partner organisation --------------------------------------------------------------------


@dataclass
class OrganisationPage:
    organisation: Organisation
    themes: list[Theme]
    workstreams: list[StandingRow]
    threads: list[StandingRow]
    risks: list[BAFRisk] | None


def organisation_page(organisation: Organisation, user) -> OrganisationPage:
    """What the organisation's people lead (themes, workstreams, golden threads, BAF risks
    owned) and where each stands (fixed queries, however many)."""
    workstreams = workstream_rows(
        Workstream.objects.filter(
            Q(leads__organisation=organisation) | Q(deputies__organisation=organisation)
        ).distinct()
    )
    for row in workstreams:
        row.roles = [("Lead", p) for p in row.leads if p.organisation_id == organisation.pk] + [
            ("Deputy", p) for p in row.deputies if p.organisation_id == organisation.pk
        ]
    threads = thread_rows(
        GoldenThread.objects.filter(system_leads__organisation=organisation).distinct()
    )
    for row in threads:
        row.roles = [("System lead", p) for p in row.leads if p.organisation_id == organisation.pk]
    risks = None
    if _reads_risks(user):
        risks = list(_RISKS.filter(owner__organisation=organisation))
    return OrganisationPage(
        organisation=organisation,
        themes=list(Theme.objects.filter(leads__organisation=organisation).distinct()),
        workstreams=workstreams,
        threads=threads,
        risks=risks,
    )
