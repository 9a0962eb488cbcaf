"""An exhaustive walk of the review workflow: every reachable (workflow state × cycle status ×
extension) of a workstream update, a golden-thread update and a risk review, and from each
one every transition attempted by every role, through the REAL permission check
(`has_permission`) and the REAL action.

It proves that
(a) from every reachable state there is a way forward to approved (or to published, the
    documented end of updates in docs/adr/0006), and published is final;
(b) no role can do what the rules forbid, and every role can do what they allow: each
    attempt's outcome is compared with RULES below, written down independently of the
    implementation (a permission that says yes to an action that then refuses is a failure
    too: the page would show a button that cannot work);
(c) the actions themselves refuse what the rules forbid even when no view asks first (the
    admin, commands): where the permission refused the actor who would naturally try it,
    the action is run anyway and must refuse too;
(d) the states the implementation reaches are exactly the states the rules reach.

The walk is depth-first inside database savepoints: each attempt runs, its new state is
explored, and the savepoint is rolled back, so no path is ever replayed. A summary of the
figures is printed at the end of the test run (tests/conftest.py).
"""

import datetime
import hashlib
import time
from collections import deque
from typing import NamedTuple

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.permissions import has_permission
from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER, SYSTEM_LEAD
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError
from packs import actions as pack_actions
from packs.models import BoardPack
from reporting import actions
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from reporting.views._access import _update_queryset
from risks import actions as risk_actions
from risks.models import RiskReview

from .. import factories

NS, DRAFT, SUBMITTED, RETURNED, APPROVED, PUBLISHED = (
    "NOT_STARTED",
    "DRAFT",
    "SUBMITTED",
    "RETURNED",
    "APPROVED",
    "PUBLISHED",
)
OPEN, CLOSED, PUBLISHED_CYCLE = "OPEN", "CLOSED", "PUBLISHED"
PAST_DEADLINE = (CLOSED, PUBLISHED_CYCLE)  # a published cycle is a closed one whose pack went out


class State(NamedTuple):
    """The abstract state: where the thing is, its cycle's status, and whether governance's
    extension for it is running."""

    state: str
    cycle: str
    extension: bool

    def __str__(self) -> str:
        return f"{self.state}/{self.cycle}{'+extension' if self.extension else ''}"


# --- the rules, as governance would state them (docs/adr/0006) --------------------------------

LEADS = frozenset({"lead", "deputy"})  # a workstream's lead and deputy; a thread's co-leads
GOVERNANCE = frozenset({"governance", "admin"})  # an administrator counts as governance
CLOCK = frozenset({"clock"})  # time passing, not a person
EDITABLE = frozenset({NS, DRAFT, RETURNED})
EVERY_STATE = frozenset({NS, DRAFT, SUBMITTED, RETURNED, APPROVED, PUBLISHED})

WHEN = {
    "leads' window": lambda cycle, ext: cycle == OPEN or (cycle in PAST_DEADLINE and ext),
    "cycle open, closed or published": lambda cycle, ext: cycle in (OPEN, *PAST_DEADLINE),
    "cycle open": lambda cycle, ext: cycle == OPEN,
    "cycle closed or published": lambda cycle, ext: cycle in PAST_DEADLINE,
    "cycle closed (not published)": lambda cycle, ext: cycle == CLOSED,
    "always": lambda cycle, ext: True,
}
EFFECTS = {
    "starts a draft": lambda s: State(DRAFT if s.state == NS else s.state, s.cycle, s.extension),
    "submitted": lambda s: State(SUBMITTED, s.cycle, s.extension),
    "draft": lambda s: State(DRAFT, s.cycle, s.extension),
    "returned, with a date once closed": lambda s: State(
        RETURNED, s.cycle, s.extension or s.cycle in PAST_DEADLINE
    ),
    "approved; extension over": lambda s: State(APPROVED, s.cycle, False),
    "extended": lambda s: State(s.state, s.cycle, True),
    "published if approved; cycle published": lambda s: State(
        PUBLISHED if s.state == APPROVED else s.state, PUBLISHED_CYCLE, s.extension
    ),
    "cycle published": lambda s: State(s.state, PUBLISHED_CYCLE, s.extension),
    "cycle closed": lambda s: State(s.state, CLOSED, s.extension),
    "cycle open": lambda s: State(s.state, OPEN, s.extension),
    "extension over": lambda s: State(s.state, s.cycle, False),
}


class Rule(NamedTuple):
    transition: str
    who: frozenset
    states: frozenset
    when: str
    effect: str
    kinds: frozenset = frozenset({"workstream", "thread", "risk"})


# Anything not allowed here is forbidden. Board members, other system leads and anonymous
# people appear in no row: they may do nothing.
RULES = (
    Rule("save", LEADS, EDITABLE, "leads' window", "starts a draft"),
    Rule(
        "save",
        GOVERNANCE,
        EDITABLE | {SUBMITTED},
        "cycle open, closed or published",
        "starts a draft",
    ),
    Rule("submit", LEADS, EDITABLE, "leads' window", "submitted"),
    Rule("withdraw", LEADS, frozenset({SUBMITTED}), "leads' window", "draft"),
    Rule(
        "return",
        GOVERNANCE,
        frozenset({SUBMITTED}),
        "cycle open, closed or published",
        "returned, with a date once closed",
    ),
    Rule(
        "approve",
        GOVERNANCE,
        frozenset({SUBMITTED}),
        "cycle open, closed or published",
        "approved; extension over",
    ),
    Rule(
        "reopen",
        GOVERNANCE,
        frozenset({APPROVED}),
        "cycle open, closed or published",
        "returned, with a date once closed",
    ),
    Rule("extend", GOVERNANCE, EDITABLE, "cycle closed or published", "extended"),
    Rule(
        "publish pack",
        GOVERNANCE,
        EVERY_STATE,
        "cycle closed or published",
        "published if approved; cycle published",
        kinds=frozenset({"workstream", "thread"}),
    ),
    # Risk reviews are not in board packs: publishing leaves an accepted review accepted.
    Rule(
        "publish pack",
        GOVERNANCE,
        EVERY_STATE,
        "cycle closed or published",
        "cycle published",
        kinds=frozenset({"risk"}),
    ),
    Rule("close cycle", GOVERNANCE, EVERY_STATE, "cycle open", "cycle closed"),
    Rule("reopen cycle", GOVERNANCE, EVERY_STATE, "cycle closed (not published)", "cycle open"),
    Rule("time passes", CLOCK, EVERY_STATE, "always", "extension over"),
)
TRANSITIONS = tuple(dict.fromkeys(rule.transition for rule in RULES))
KIND_TRANSITIONS = {"workstream": TRANSITIONS, "thread": TRANSITIONS, "risk": TRANSITIONS}
PEOPLE = ("lead", "deputy", "other_lead", "governance", "admin", "board_member", "anonymous")
# A risk review has one writer, its owner: no deputy.
KIND_PEOPLE = {
    "workstream": PEOPLE,
    "thread": PEOPLE,
    "risk": tuple(p for p in PEOPLE if p != "deputy"),
}
START = State(NS, OPEN, False)  # what opening a cycle makes
GOALS = {
    "workstream": {APPROVED, PUBLISHED},
    "thread": {APPROVED, PUBLISHED},
    "risk": {APPROVED},
}


def expected(kind: str, state: State, transition: str, role: str) -> State | None:
    """What the rules say `role` doing `transition` in `state` of a `kind` leads to (None:
    forbidden)."""
    for rule in RULES:
        if (
            kind in rule.kinds
            and rule.transition == transition
            and role in rule.who
            and state.state in rule.states
            and WHEN[rule.when](state.cycle, state.extension)
        ):
            return EFFECTS[rule.effect](state)
    return None


def reachable_by_the_rules(kind: str) -> set[State]:
    """Breadth-first over the rules alone, from a freshly opened cycle."""
    seen, queue = {START}, deque([START])
    while queue:
        state = queue.popleft()
        for transition in KIND_TRANSITIONS[kind]:
            for role in (*KIND_PEOPLE[kind], "clock"):
                after = expected(kind, state, transition, role)
                if after is not None and after not in seen:
                    seen.add(after)
                    queue.append(after)
    return seen


# --- the real thing ---------------------------------------------------------------------------

PERMISSION = {
    "save": "update.edit",
    "submit": "update.submit",
    "withdraw": "update.withdraw",
    "return": "update.review",
    "approve": "update.review",
    "reopen": "update.reopen",
    "extend": "update.extend",
    "publish pack": "pack.manage",
    "close cycle": "cycle.manage",
    "reopen cycle": "cycle.reopen",
}
# Permissions that do not depend on the state: the action alone decides (close only an open
# cycle; publishing a pack is a pack's business).
STATELESS_PERMISSIONS = {"close cycle", "publish pack"}
# Who would try each transition when no view asks first (part (c)). save_update checks the
# workflow state only; the leads' window for saving is the "update.edit" permission.
NATURAL_ACTOR = {
    "save": "governance",
    "submit": "lead",
    "withdraw": "lead",
    "return": "governance",
    "approve": "governance",
    "reopen": "governance",
    "extend": "governance",
    "publish pack": "governance",
    "close cycle": "governance",
    "reopen cycle": "governance",
}
CONTENT = {
    "workstream": {"overall_status": "ON_TRACK", "forecast_status": "ON_TRACK"},
    "thread": {"quarter_update": "<p>Clinics opened.</p>"},
}


def _role(user, role):
    user.groups.add(Group.objects.get_or_create(name=role.group_name)[0])
    return user


class World:
    """One cycle opened through the real actions, with a workstream (lead and deputy), a
    golden thread (two system leads), a risk owned by the lead, and people in every role."""

    def __init__(self, kind: str, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        self.kind = kind
        lead = _role(factories.UserFactory(full_name="Lee Lead"), SYSTEM_LEAD)
        deputy = _role(factories.UserFactory(full_name="Dee Deputy"), SYSTEM_LEAD)
        other = _role(factories.UserFactory(full_name="Ola Otherlead"), SYSTEM_LEAD)
        governance = _role(
            factories.UserFactory(full_name="Gus Governance", is_staff=True), GOVERNANCE_OFFICER
        )
        admin = factories.UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True)
        board = _role(factories.UserFactory(full_name="Bea Board"), BOARD_MEMBER)
        self.people = {
            "lead": lead,
            "deputy": deputy,
            "other_lead": other,
            "governance": governance,
            "admin": admin,
            "board_member": board,
            "anonymous": AnonymousUser(),
        }
        workstream = factories.WorkstreamFactory(name="DIGITAL")
        workstream.leads.add(lead)
        workstream.deputies.add(deputy)
        factories.WorkstreamFactory(name="WORKFORCE").leads.add(other)
        thread = factories.GoldenThreadFactory(name="Health inequalities")
        thread.system_leads.add(lead, deputy)
        risk = factories.BAFRiskFactory(reference="07", owner=lead)
        cycle = factories.ReportingCycleFactory(status=ReportingCycle.Status.DRAFT)
        actions.open_cycle(cycle=cycle, by=governance)
        # Written so it can be submitted as it stands (content, not workflow: set directly).
        if kind == "workstream":
            self.model = WorkstreamUpdate
            WorkstreamUpdate.objects.filter(cycle=cycle).update(
                nothing_to_escalate=True, **CONTENT["workstream"]
            )
            self.pk = WorkstreamUpdate.objects.get(cycle=cycle, workstream=workstream).pk
        elif kind == "thread":
            self.model = GoldenThreadUpdate
            GoldenThreadUpdate.objects.filter(cycle=cycle).update(
                nothing_to_escalate=True, **CONTENT["thread"]
            )
            self.pk = GoldenThreadUpdate.objects.get(cycle=cycle, golden_thread=thread).pk
        else:
            self.model = RiskReview
            self.pk = RiskReview.objects.get(cycle=cycle, risk=risk).pk

    def load(self):
        """The thing as its pages load it (relations prefetched for the permission checks)."""
        if self.kind == "risk":
            return RiskReview.objects.select_related("risk__owner", "cycle").get(pk=self.pk)
        return _update_queryset(self.kind).get(pk=self.pk)

    @staticmethod
    def abstract(obj) -> State:
        return State(obj.state, obj.cycle.status, obj.has_extension)

    def abstract_now(self) -> State:
        """The abstract state as stored now (one query)."""
        return self.abstract(self.model.objects.select_related("cycle").get(pk=self.pk))

    def allowed(self, obj, transition: str, role: str) -> bool:
        if role == "clock":
            return True
        perm_obj = obj.cycle if transition.endswith("cycle") else obj
        if transition == "publish pack" or transition == "close cycle":
            perm_obj = None
        return has_permission(self.people[role], PERMISSION[transition], perm_obj)

    def do(self, obj, transition: str, role: str) -> None:
        """Run the real action (raises ActionError when it refuses)."""
        by = self.people.get(role)
        today = timezone.localdate()
        week = today + datetime.timedelta(days=7)
        date_if_closed = week if obj.cycle.is_closed else None
        risk = self.kind == "risk"
        if transition == "save":
            if risk:
                risk_actions.save_review(
                    review=obj, base_version=obj.version, by=by, fields={"controls": "<p>x</p>"}
                )
            else:
                actions.save_update(
                    update=obj, base_version=obj.version, by=by, fields=CONTENT[self.kind]
                )
        elif transition == "submit":
            workflow.submit(update=obj, by=by)
        elif transition == "withdraw":
            workflow.withdraw(update=obj, by=by)
        elif transition == "return":
            workflow.return_for_changes(
                update=obj,
                by=by,
                comment="Add the figures.",
                extended_until=date_if_closed,
            )
        elif transition == "approve":
            workflow.approve(update=obj, by=by)
        elif transition == "reopen":
            workflow.reopen(
                update=obj,
                by=by,
                reason="Figures revised.",
                extended_until=date_if_closed,
            )
        elif transition == "extend":
            workflow.extend(update=obj, by=by, until=week, reason="On leave.")
        elif transition == "publish pack":
            # A generated pack, as the (slow) PDF render would leave it; then the real publish.
            pack = factories.BoardPackFactory(
                cycle=obj.cycle,
                state=BoardPack.State.READY,
                draft_html="<h1>Report</h1>",
                # publish_pack checks the stored draft is the one generated.
                draft_sha256=hashlib.sha256(b"%PDF-1.4\n").hexdigest(),
                draft_page_count=1,
                created_by=by,
            )
            pack.draft_pdf.save("draft.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
            pack_actions.publish_pack(pack=pack, by=by)
        elif transition == "close cycle":
            actions.close_cycle(cycle=obj.cycle, by=by)
        elif transition == "reopen cycle":
            actions.reopen_cycle(cycle=obj.cycle, by=by, reason="Late papers.")
        elif transition == "time passes":
            self.model.objects.filter(pk=obj.pk, extended_until__isnull=False).update(
                extended_until=today - datetime.timedelta(days=1)
            )
        else:  # pragma: no cover
            raise AssertionError(transition)


class Savepoint:
    """Run a block and undo everything it wrote, whatever happened."""

    def __enter__(self):
        self.sid = transaction.savepoint()

    def __exit__(self, *exc):
        transaction.savepoint_rollback(self.sid)
        transaction.savepoint_commit(self.sid)  # release it: the stack stays shallow
        return False


class Walk(NamedTuple):
    graph: dict  # State -> {(transition, role): State | None}
    problems: list
    tried: int
    checked_actions: int


def walk(world: World) -> Walk:
    graph: dict[State, dict] = {}
    problems: list[str] = []
    counts = {"tried": 0, "actions": 0}
    transitions = KIND_TRANSITIONS[world.kind]
    people = (*KIND_PEOPLE[world.kind], "clock")

    def outcome_of(obj, transition, role):
        """The resulting State, or None when the action refuses (run inside a savepoint)."""
        try:
            world.do(obj, transition, role)
        except ActionError:
            return None
        return world.abstract_now()

    def visit(state: State) -> None:
        graph[state] = edges = {}
        ran = set()  # (transition, role) pairs whose action ran (the permission allowed it)
        obj = world.load()
        assert world.abstract(obj) == state
        for transition in transitions:
            for role in people:
                if (role == "clock") != (transition == "time passes"):
                    continue
                counts["tried"] += 1
                want = expected(world.kind, state, transition, role)
                if not world.allowed(obj, transition, role):
                    edges[(transition, role)] = None
                    if want is not None:
                        problems.append(
                            f"{world.kind} {state}: {role} may not {transition}; the rules "
                            f"say {want}"
                        )
                    continue
                ran.add((transition, role))
                with Savepoint():
                    after = edges[(transition, role)] = outcome_of(obj, transition, role)
                    if after != want:
                        problems.append(
                            f"{world.kind} {state}: {role} {transition} -> "
                            f"{after or 'refused'}, the rules say {want or 'refused'}"
                        )
                    if after is None and transition not in STATELESS_PERMISSIONS:
                        problems.append(
                            f"{world.kind} {state}: {role} may {transition} but the action refuses"
                        )
                    if after is not None and after not in graph:
                        visit(after)
            # (c) the action alone, for whoever would naturally try it.
            # Where the permission allowed it, the action has just run and been compared.
            if transition in NATURAL_ACTOR and (transition, NATURAL_ACTOR[transition]) not in ran:
                actor = NATURAL_ACTOR[transition]
                counts["actions"] += 1
                with Savepoint():
                    after = outcome_of(obj, transition, actor)
                want = expected(world.kind, state, transition, actor)
                if after != want:
                    problems.append(
                        f"{world.kind} {state}: the {transition} action for {actor} gives "
                        f"{after or 'refused'} without a permission check; the rules say "
                        f"{want or 'refused'}"
                    )

    visit(world.abstract(world.load()))
    return Walk(graph, problems, counts["tried"], counts["actions"])


def ways_forward(graph: dict, goals: set[str]) -> set[State]:
    """The states from which some sequence of allowed transitions reaches a goal."""
    good = {state for state in graph if state.state in goals}
    changed = True
    while changed:
        changed = False
        for state, edges in graph.items():
            if state not in good and any(after in good for after in edges.values()):
                good.add(state)
                changed = True
    return good


@pytest.mark.parametrize("kind", ["workstream", "thread", "risk"])
def test_every_state_has_a_way_forward_and_no_role_breaks_the_rules(
    kind, db, settings, tmp_path, record_property
):
    started = time.perf_counter()
    world = World(kind, settings, tmp_path)
    result = walk(world)
    seconds = time.perf_counter() - started

    assert result.problems == [], "\n".join(result.problems)
    reached = set(result.graph)
    assert START in reached
    # (d) the implementation reaches what the rules reach, no more and no less.
    assert reached == reachable_by_the_rules(kind)
    # (a) a way forward from everywhere...
    stuck = reached - ways_forward(result.graph, GOALS[kind])
    assert not stuck, f"dead ends: {sorted(map(str, stuck))}"
    # ...and published (the documented end of updates) is final.
    for state, edges in result.graph.items():
        if state.state == PUBLISHED:
            assert {after.state for after in edges.values() if after} <= {PUBLISHED}
    # The bug this walk was written for: a submission cannot be withdrawn once the cycle has
    # closed, unless governance gave an extension.
    assert result.graph[State(SUBMITTED, CLOSED, False)][("withdraw", "lead")] is None

    summary = (
        f"{kind}: {len(reached)} states reached, {result.tried} transitions tried "
        f"({sum(1 for e in result.graph.values() for a in e.values() if a)} allowed), "
        f"{result.checked_actions} actions checked alone, {seconds:.1f}s"
    )
    record_property("workflow_state_machine", summary)
    print(summary)


def test_the_rules_table_itself():
    """The table says what the ADR says, in the cases people ask about."""
    assert expected("workstream", State(SUBMITTED, CLOSED, False), "withdraw", "lead") is None
    assert expected("workstream", State(SUBMITTED, CLOSED, True), "withdraw", "deputy") == State(
        DRAFT, CLOSED, True
    )
    assert expected("workstream", State(DRAFT, CLOSED, False), "submit", "lead") is None
    assert expected(
        "workstream", State(SUBMITTED, CLOSED, False), "approve", "governance"
    ) == State(APPROVED, CLOSED, False)
    assert expected("workstream", State(SUBMITTED, CLOSED, False), "return", "governance") == State(
        RETURNED, CLOSED, True
    )
    assert expected("workstream", State(APPROVED, OPEN, False), "reopen", "admin") == State(
        RETURNED, OPEN, False
    )
    assert expected("workstream", State(PUBLISHED, CLOSED, False), "reopen", "governance") is None
    for role in ("other_lead", "board_member", "anonymous"):
        for transition in TRANSITIONS:
            assert expected("workstream", State(SUBMITTED, OPEN, False), transition, role) is None
    # Publishing the pack needs a closed cycle, publishes what was approved and the cycle; in
    # a published cycle what was not approved is still reviewed, and the cycle stays shut.
    assert (
        expected("workstream", State(APPROVED, OPEN, False), "publish pack", "governance") is None
    )
    assert expected(
        "workstream", State(APPROVED, CLOSED, False), "publish pack", "governance"
    ) == State(PUBLISHED, PUBLISHED_CYCLE, False)
    assert expected("risk", State(APPROVED, CLOSED, False), "publish pack", "governance") == State(
        APPROVED, PUBLISHED_CYCLE, False
    )
    assert expected(
        "workstream", State(SUBMITTED, PUBLISHED_CYCLE, False), "approve", "governance"
    ) == State(APPROVED, PUBLISHED_CYCLE, False)
    assert expected(
        "workstream", State(DRAFT, PUBLISHED_CYCLE, False), "extend", "governance"
    ) == State(DRAFT, PUBLISHED_CYCLE, True)
    assert (
        expected("workstream", State(DRAFT, PUBLISHED_CYCLE, False), "reopen cycle", "governance")
        is None
    )
    assert {str(s) for s in reachable_by_the_rules("risk")} >= {"NOT_STARTED/OPEN"}
