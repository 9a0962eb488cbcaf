"""Demo data from the seed board papers (fixtures/demo/*.json).

Idempotent: every row is matched on its natural key (email, theme name, workstream code, risk
reference, cycle quarter), so loading twice leaves the same rows. Historical quarters (Q1 and
Q2 2021/22) are loaded as approved; the Q2 2021/22 board pack is then generated and published
through the real pack actions (once), so a board member's first sign-in shows a published
report; the Q3 2021/22 cycle is opened through the real `open_cycle` action so its updates are
pre-filled exactly as in production, and has a draft board pack for governance to preview.
"""

import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from dataio.demo_forums import load_board_meetings, load_forums
from ics_portal import mail
from ics_portal.models import Organisation, ReportingCycle, User
from ics_portal.roles import ROLES_BY_KEY
from ics_portal.status import DeliveryStatus, WorkflowState
from reporting import actions as reporting_actions
from reporting.models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    WorkstreamUpdate,
)
from risks.actions import ensure_default_matrix
from risks.models import BAFRisk, RiskMatrix, RiskReview
from workstreams.models import (
    GoldenThread,
    Milestone,
    Objective,
    Theme,
    Workstream,
    WorkstreamMilestone,
)

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
# The seed papers' ICS. The portal's name for its organisation is a per-install setting
# (settings.ORGANISATION_NAME); `make run` sets it to this for the demo.
DEMO_ORGANISATION_NAME = "Cambridgeshire and Peterborough Integrated Care System"

# One sign-in per role for trying the portal. The lead writes real seed workstreams.
DEMO_LOGINS = [
    ("demo.lead@example.nhs.uk", "Dana Lead (demo)", "Programme lead", ["system_lead"]),
    (
        "demo.governance@example.nhs.uk",
        "Gwen Governance (demo)",
        "Governance officer",
        ["governance_officer"],
    ),
    (
        "demo.board@example.nhs.uk",
        "Bert Board (demo)",
        "Partnership board member",
        ["board_member"],
    ),
    ("demo.admin@example.nhs.uk", "Ada Admin (demo)", "IT administrator", []),
]
DEMO_LEAD_WORKSTREAMS = ["DE", "DIG"]
DEMO_LEAD_DEPUTY_WORKSTREAMS = ["WF"]
DEMO_LEAD_THREADS = [4]
DEMO_LEAD_RISKS = ["07", "12"]


def _load(name: str):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def load_demo_data(*, password: str) -> dict:
    """Load (or refresh) the demo data; returns the demo logins."""
    with mail.muted():
        q1, q2, q3 = _load_rows(password)
        # Rendering the PDF takes seconds: it runs outside the rows' transaction (as in the
        # task worker), and only the first time.
        _publish_board_pack(q2)
    return {
        "logins": [(email, roles) for email, _, _, roles in DEMO_LOGINS],
        "cycles": [q1, q2, q3],
    }


def _load_rows(password: str):
    with transaction.atomic():
        # Reference data the migrations create, again, in case the database was flushed.
        ensure_default_matrix()
        people = _load_people(password)
        load_forums(_load("forums.json"))
        themes = _load_themes(people)
        risks = _load_risks(people, themes)
        threads = _load_golden_threads(people)
        workstreams = _load_workstreams(people, themes, threads, risks)
        governance = people["demo.governance@example.nhs.uk"]
        _assign_demo_lead(people, workstreams, threads, risks)
        q1, q2 = _load_history(governance, threads, workstreams, risks)
        _load_q1_workstream_statuses(governance, q1, workstreams)
        _start_board_pack(governance, q2)
        q3 = _open_current_cycle(governance)
        _load_q3_illustrative(governance, q3, workstreams, risks)
        _start_board_pack(governance, q3)
        load_board_meetings()
    return q1, q2, q3


def _load_people(password: str) -> dict[str, User]:
    """The seed papers' people and the demo logins. Only the demo logins get the demo password
    (and the staff flag, where their role needs the admin); the seed people are real names, so
    they get no usable password and no flags, and a password one of them has chosen since is
    never touched again."""
    orgs = {}
    for row in _load("organisations.json"):
        org, _ = Organisation.objects.update_or_create(
            short_name=row["short_name"], defaults={"name": row["name"], "kind": row["kind"]}
        )
        orgs[row["short_name"]] = org
    groups = {
        key: Group.objects.get_or_create(name=role.group_name)[0]
        for key, role in ROLES_BY_KEY.items()
    }
    demo_emails = {email for email, *_ in DEMO_LOGINS}
    # Before this loader gave only the demo logins a password, it gave the seed people the same
    # hash as them: any seed person still holding one of those hashes gets an unusable password.
    old_demo_hashes = set(
        User.objects.filter(email__in=demo_emails).values_list("password", flat=True)
    )
    people = {}
    # One hash for every demo login: hashing is slow by design, and one per person made most
    # of the loader's time.
    hashed = make_password(password)
    icb = next((o for o in orgs.values() if o.kind == Organisation.Kind.ICB), None)
    for row in _load("people.json"):
        org = orgs.get(row.get("organisation")) if row.get("organisation") else icb
        user, created = User.objects.update_or_create(
            email=row["email"].lower(),
            defaults={
                "full_name": row["full_name"],
                "job_title": row.get("job_title", ""),
                "organisation": org,
                "is_staff": False,
                "is_superuser": False,
            },
        )
        if created or user.password in old_demo_hashes:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.set([groups[r] for r in row["roles"]])
        people[user.email] = user
    for email, name, title, roles in DEMO_LOGINS:
        is_admin = email == "demo.admin@example.nhs.uk"
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": name,
                "job_title": title,
                "organisation": icb,
                # The admin is the superuser; governance works in the admin too.
                "is_staff": is_admin or "governance_officer" in roles,
                "is_superuser": is_admin,
                "password": hashed,
            },
        )
        user.groups.set([groups[r] for r in roles])
        people[user.email] = user
    return people


def _load_themes(people) -> dict[str, Theme]:
    themes = {}
    for row in _load("themes.json"):
        theme, _ = Theme.objects.update_or_create(
            name=row["name"],
            defaults={
                "number": row["number"],
                "aliases": row.get("aliases", []),
                "order": row["order"],
            },
        )
        theme.leads.set([people[e] for e in row.get("leads", [])])
        themes[theme.name] = theme
    return themes


def _load_risks(people, themes) -> dict[str, BAFRisk]:
    matrix = RiskMatrix.objects.current()
    risks = {}
    for row in _load("risks.json"):
        ref = BAFRisk.canonical_reference(row["reference"])
        risk, _ = BAFRisk.objects.update_or_create(
            reference=ref,
            defaults={
                "title": row["title"],
                "description": row["description"],
                "category": row["category"],
                "owner": people.get(row.get("owner_email")),
                "owner_role": row.get("owner_role", ""),
                "initial_likelihood": row["initial"][0],
                "initial_consequence": row["initial"][1],
                "current_likelihood": row["current"][0],
                "current_consequence": row["current"][1],
                "target_likelihood": row["target"][0],
                "target_consequence": row["target"][1],
                "matrix": matrix,
                "rationale": row.get("rationale", ""),
                "controls": row.get("controls", ""),
                "assurances": row.get("assurances", ""),
                "gaps_in_control": row.get("gaps_in_control", ""),
                "gaps_in_assurance": row.get("gaps_in_assurance", ""),
                "mitigating_actions": row.get("mitigating_actions", ""),
                "next_review": date.fromisoformat(row["next_review"])
                if row.get("next_review")
                else None,
            },
        )
        risk.themes.set([themes[t] for t in row.get("themes", []) if t in themes])
        risk._demo_previous = row.get("previous", row["current"])
        risks[ref] = risk
    return risks


def _load_golden_threads(people) -> dict[int, GoldenThread]:
    threads = {}
    rows = _load("golden_threads.json")
    for row in rows:
        thread, _ = GoldenThread.objects.update_or_create(
            number=row["number"],
            defaults={
                "name": row["name"],
                "aliases": row.get("aliases", []),
                "current_drivers": row.get("drivers_html", ""),
                "is_cross_referenced": row.get("cross_referenced", False),
                "order": row["number"],
            },
        )
        thread.system_leads.set([people[e] for e in row.get("leads", [])])
        thread._demo = row
        threads[thread.number] = thread
    for thread in threads.values():
        thread.cross_references.set([threads[n] for n in thread._demo.get("cross_references", [])])
    return threads


def _due(ms: dict) -> tuple:
    return (ms.get("due_date") or "", ms.get("due_label", ""), ms.get("due_precision", "MONTH"))


def _shared_milestones(rows) -> dict[str, dict]:
    """One definition per milestone title. Where workstreams give different delivery dates for
    the same shared milestone (001 has "July 2021" once, "Sept 2021" elsewhere), the date most
    workstreams give is the milestone's (the later on a tie); a workstream that gives another
    keeps its own on its link (_milestone_links)."""
    seen: dict[str, list[dict]] = {}
    for row in rows:
        for ms in row.get("milestones", []):
            seen.setdefault(ms["title"], []).append(ms)
    result = {}
    for title, listed in seen.items():
        counts = Counter(_due(ms) for ms in listed)
        best = max(counts, key=lambda due: (counts[due], due[0]))
        result[title] = next(ms for ms in listed if _due(ms) == best)
    return result


def _milestone_links(workstream, row, definitions) -> None:
    """The workstream's milestones, in the order its paper lists them, each with this
    workstream's own delivery date where it differs from the milestone's."""
    links = []
    for order, listed in enumerate(row.get("milestones", [])):
        ms = definitions[listed["title"]]
        milestone, _ = Milestone.objects.update_or_create(
            title=ms["title"],
            defaults={
                "due_label": ms.get("due_label", ""),
                "due_date": date.fromisoformat(ms["due_date"]) if ms.get("due_date") else None,
                "due_precision": ms.get("due_precision", Milestone.Precision.MONTH),
                "critical_path": ms.get("critical_path", True),
            },
        )
        own = _due(listed) != _due(ms)
        links.append(
            WorkstreamMilestone(
                workstream=workstream,
                milestone=milestone,
                due_date=date.fromisoformat(listed["due_date"])
                if own and listed.get("due_date")
                else None,
                due_label=listed.get("due_label", "") if own else "",
                due_precision=listed.get("due_precision", "MONTH") if own else "",
                order=order,
            )
        )
    WorkstreamMilestone.objects.filter(workstream=workstream).delete()
    WorkstreamMilestone.objects.bulk_create(links)


def _load_workstreams(people, themes, threads, risks) -> dict[str, Workstream]:
    workstreams = {}
    rows = _load("workstreams.json")
    definitions = _shared_milestones(rows)
    for row in rows:
        workstream, _ = Workstream.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "theme": themes[row["theme"]],
                "order": row.get("order", 0),
            },
        )
        workstream.leads.set([people[e] for e in row.get("leads", [])])
        workstream.deputies.set([people[e] for e in row.get("deputies", [])])
        workstream.golden_threads.set([threads[n] for n in row.get("golden_threads", [])])
        workstream.baf_risks.set(
            [risks[BAFRisk.canonical_reference(r)] for r in row.get("baf_risks", [])]
        )
        for obj in row.get("objectives", []):
            fy, quarter = _parse_target(obj.get("target_quarter"))
            Objective.objects.update_or_create(
                workstream=workstream,
                number=obj["number"],
                defaults={
                    "text": obj["text"],
                    "target_fy_start_year": fy,
                    "target_quarter": quarter,
                },
            )
        _milestone_links(workstream, row, definitions)
        workstream._demo = row
        workstreams[workstream.code] = workstream
    return workstreams


def _parse_target(text):
    if not text:
        return None, None
    from ics_portal.periods import Quarter

    quarter = Quarter.parse(text)
    return quarter.fy_start_year, quarter.number


def _assign_demo_lead(people, workstreams, threads, risks) -> None:
    """The demo lead writes real seed workstreams and a thread, and owns two risks."""
    lead = people["demo.lead@example.nhs.uk"]
    for code in DEMO_LEAD_WORKSTREAMS:
        if code in workstreams:
            workstreams[code].leads.add(lead)
    for code in DEMO_LEAD_DEPUTY_WORKSTREAMS:
        if code in workstreams:
            workstreams[code].deputies.add(lead)
    for number in DEMO_LEAD_THREADS:
        if number in threads:
            threads[number].system_leads.add(lead)
    for ref in DEMO_LEAD_RISKS:
        if ref in risks:
            BAFRisk.objects.filter(pk=risks[ref].pk).update(owner=lead)


def _cycle(fy, quarter, *, opens_on, deadline, review, forum, meeting, status) -> ReportingCycle:
    published = ReportingCycle.objects.filter(
        fy_start_year=fy, quarter=quarter, status=ReportingCycle.Status.PUBLISHED
    ).exists()
    if published:  # its board pack was published by an earlier load: that stays so
        status = ReportingCycle.Status.PUBLISHED
    cycle, _ = ReportingCycle.objects.update_or_create(
        fy_start_year=fy,
        quarter=quarter,
        defaults={
            "opens_on": opens_on,
            "submission_deadline": deadline,
            "review_deadline": review,
            "board_forum": forum,
            "board_meeting_date": meeting,
            "status": status,
        },
    )
    return cycle


def _approved(update_cls, governance, *, when: date, **defaults_and_keys):
    keys = {
        k: defaults_and_keys.pop(k)
        for k in ("cycle", "workstream", "golden_thread")
        if k in defaults_and_keys
    }
    stamp = _aware(when)
    published = keys["cycle"].status == ReportingCycle.Status.PUBLISHED
    update, _ = update_cls.objects.update_or_create(
        **keys,
        defaults={
            **defaults_and_keys,
            # Approved, or published with an earlier load's board pack (which froze it).
            "state": WorkflowState.PUBLISHED if published else WorkflowState.APPROVED,
            "submitted_at": stamp,
            "approved_at": stamp + timedelta(days=7),
            "approved_by": governance,
            "updated_by": governance,
        },
    )
    return update


def _load_history(governance, threads, workstreams, risks):
    """Q1 2021/22 (golden threads, paper 000) and Q2 2021/22 (workstreams, paper 001)."""
    forum = "System Partnership Board Meeting in Public"
    q1 = _cycle(
        2021,
        1,
        opens_on=date(2021, 6, 1),
        deadline=date(2021, 6, 25),
        review=date(2021, 7, 9),
        forum=forum,
        meeting=date(2021, 7, 28),
        status=ReportingCycle.Status.CLOSED,
    )
    q2 = _cycle(
        2021,
        2,
        opens_on=date(2021, 9, 1),
        deadline=date(2021, 9, 24),
        review=date(2021, 10, 8),
        forum=forum,
        meeting=date(2021, 10, 27),
        status=ReportingCycle.Status.CLOSED,
    )
    objectives = {
        (o.workstream.code, o.number): o for o in Objective.objects.select_related("workstream")
    }
    for thread in threads.values():
        data = thread._demo.get("q1_update")
        if not data:
            continue
        update = _approved(
            GoldenThreadUpdate,
            governance,
            when=date(2021, 6, 25),
            cycle=q1,
            golden_thread=thread,
            quarter_update=data.get("quarter_update_html", ""),
            next_quarter_plans=data.get("next_quarter_plans_html", ""),
            key_risks=data.get("key_risks_html", ""),
            nothing_to_escalate=data.get("nothing_to_escalate", False),
        )
        update.baf_risks.set(
            [risks[BAFRisk.canonical_reference(r)] for r in data.get("baf_risks", [])]
        )
        update.objectives.set(
            [
                objectives[(code, n)]
                for code, n in data.get("objectives", [])
                if (code, n) in objectives
            ]
        )
    milestones = {m.title: m for m in Milestone.objects.all()}
    for workstream in workstreams.values():
        data = workstream._demo.get("q2_update")
        if not data:
            continue
        update = _approved(
            WorkstreamUpdate,
            governance,
            when=date.fromisoformat(data.get("date_of_update") or "2021-09-30") - timedelta(days=6),
            cycle=q2,
            workstream=workstream,
            overall_status=data.get("overall_status", ""),
            forecast_status=data.get("forecast_status") or data.get("overall_status", ""),
            status_explanation=data.get("status_explanation", ""),
            next_quarter_plans=data.get("next_quarter_plans_html", ""),
            key_risks=data.get("key_risks_html", ""),
            nothing_to_escalate=data.get("nothing_to_escalate", False),
            date_of_update=date.fromisoformat(data["date_of_update"])
            if data.get("date_of_update")
            else None,
        )
        update.baf_risks.set(
            [
                risks[BAFRisk.canonical_reference(r)]
                for r in data.get("baf_risks", workstream._demo.get("baf_risks", []))
            ]
        )
        for number, html in data.get("objective_progress", {}).items():
            objective = objectives.get((workstream.code, int(number)))
            if objective:
                ObjectiveProgress.objects.update_or_create(
                    update=update, objective=objective, defaults={"progress": html}
                )
        for row in data.get("milestone_progress", []):
            milestone = milestones.get(row["title"])
            if milestone:
                _milestone_progress(update, milestone, row)
    _load_risk_history(governance, risks, q1, q2)
    return q1, q2


def _load_risk_history(governance, risks, q1, q2) -> None:
    """Approved risk reviews for Q1 (previous scores) and Q2 (current scores)."""
    matrix = RiskMatrix.objects.current()
    for risk in risks.values():
        for cycle, (likelihood, consequence), when in (
            (q1, risk._demo_previous, date(2021, 6, 25)),
            (q2, (risk.current_likelihood, risk.current_consequence), date(2021, 9, 24)),
        ):
            _approved_review(
                risk,
                cycle,
                governance,
                matrix,
                score=(likelihood, consequence),
                submitted=_aware(when),
                approved_after=timedelta(days=7),
            )


def _approved_review(
    risk, cycle, governance, matrix, *, score, submitted, approved_after, rationale=None
) -> None:
    """The risk's review for `cycle`, approved by governance: the risk's own text, scored
    `score` (likelihood, consequence)."""
    likelihood, consequence = score
    RiskReview.objects.update_or_create(
        risk=risk,
        cycle=cycle,
        defaults={
            "likelihood": likelihood,
            "consequence": consequence,
            "target_likelihood": risk.target_likelihood,
            "target_consequence": risk.target_consequence,
            "matrix": matrix,
            "rationale": risk.rationale if rationale is None else rationale,
            "controls": risk.controls,
            "assurances": risk.assurances,
            "gaps_in_control": risk.gaps_in_control,
            "gaps_in_assurance": risk.gaps_in_assurance,
            "mitigating_actions": risk.mitigating_actions,
            "state": WorkflowState.APPROVED,
            "submitted_at": submitted,
            "submitted_by": risk.owner or governance,
            "approved_at": submitted + approved_after,
            "approved_by": governance,
        },
    )


def _milestone_progress(update, milestone, row: dict) -> None:
    """The update's row for `milestone` as a fixture `row` gives it (status, note, revised date)."""
    MilestoneProgress.objects.update_or_create(
        update=update,
        milestone=milestone,
        defaults={
            "status": row.get("status", ""),
            "note": row.get("note", ""),
            "revised_date": date.fromisoformat(row["revised_date"])
            if row.get("revised_date")
            else None,
        },
    )


def _open_current_cycle(governance) -> ReportingCycle:
    """Q3 2021/22, open now so the demo shows real days left (dates relative to today)."""
    today = timezone.localdate()
    cycle = ReportingCycle.objects.filter(fy_start_year=2021, quarter=3).first()
    if cycle is None:
        cycle = reporting_actions.create_cycle(
            fy_start_year=2021,
            quarter=3,
            opens_on=today - timedelta(days=7),
            submission_deadline=today + timedelta(days=14),
            review_deadline=today + timedelta(days=28),
            board_forum="System Partnership Board Meeting in Public",
            board_meeting_date=today + timedelta(days=42),
            by=governance,
        )
    if cycle.status == ReportingCycle.Status.DRAFT:
        cycle = reporting_actions.open_cycle(cycle=cycle, by=governance)
    return cycle


def _load_q1_workstream_statuses(governance, q1, workstreams) -> None:
    """Approved Q1 2021/22 workstream updates (overall and forecast status, milestone rows), so
    the Q2 pack's "What changed" compares two real quarters. The seeds hold no Q1 workstream
    report: fixtures/demo/q1_workstream_statuses.json gives what 001 says had happened by Q1
    (with its source) and marks everything else as illustrative in the status explanation;
    a milestone row it does not list repeats Q2's, never Complete and without a revised date."""
    data = _load("q1_workstream_statuses.json")
    illustrative = data["illustrative_explanation"]
    when = date.fromisoformat(data["date_of_update"])
    milestones = {m.title: m for m in Milestone.objects.all()}
    for code, workstream in workstreams.items():
        q2 = workstream._demo.get("q2_update")
        if not q2:
            continue
        given = data["updates"].get(code, {})
        q2_status = q2.get("overall_status", "")
        update = _approved(
            WorkstreamUpdate,
            governance,
            when=when - timedelta(days=5),
            cycle=q1,
            workstream=workstream,
            overall_status=given.get("overall_status", q2_status),
            forecast_status=given.get("forecast_status", q2.get("forecast_status") or q2_status),
            status_explanation=given.get("status_explanation", illustrative),
            date_of_update=when,
        )
        rows = {row["title"]: row for row in given.get("milestones", [])}
        for q2_row in q2.get("milestone_progress", []):
            row = rows.get(q2_row["title"])
            if row is None:
                status = q2_row.get("status", "")
                row = {
                    "status": DeliveryStatus.ON_TRACK
                    if status == DeliveryStatus.COMPLETE
                    else status,
                    "note": "Illustrative: not in the source papers.",
                }
            milestone = milestones.get(q2_row["title"])
            if milestone:
                _milestone_progress(update, milestone, row)


def _load_q3_illustrative(governance, q3, workstreams, risks) -> None:
    """Some of the open Q3 2021/22 cycle already approved, so the dashboards' trends show a
    third quarter: the workstream statuses and risk scores in
    fixtures/demo/q3_illustrative.json, all made up and marked "Illustrative" in the status
    explanation and the review's rationale. The demo lead's workstreams (DE, DIG, WF) and
    risks (07, 12), and the rest, stay for the leads to write. An accepted review's scores
    become the risk's current scores, as accepting one does."""
    data = _load("q3_illustrative.json")
    note = data["note"]
    today = timezone.localdate()
    for code, given in data["updates"].items():
        workstream = workstreams.get(code)
        if workstream is None or code in DEMO_LEAD_WORKSTREAMS + DEMO_LEAD_DEPUTY_WORKSTREAMS:
            continue
        why = given.get("why")
        _approved(
            WorkstreamUpdate,
            governance,
            when=today - timedelta(days=7),
            cycle=q3,
            workstream=workstream,
            overall_status=given["overall_status"],
            forecast_status=given["forecast_status"],
            status_explanation=f"{note} {why[0].upper()}{why[1:]}." if why else note,
            date_of_update=today - timedelta(days=7),
        )
    matrix = RiskMatrix.objects.current()
    for reference, (likelihood, consequence) in data["risk_reviews"].items():
        risk = risks.get(BAFRisk.canonical_reference(reference))
        if risk is None or risk.reference in DEMO_LEAD_RISKS:
            continue
        _approved_review(
            risk,
            q3,
            governance,
            matrix,
            score=(likelihood, consequence),
            submitted=_aware(today - timedelta(days=4)),
            approved_after=timedelta(days=2),
            rationale=f"{note} {risk.rationale}".strip(),
        )
        BAFRisk.objects.filter(pk=risk.pk).update(
            current_likelihood=likelihood, current_consequence=consequence
        )


def _start_board_pack(governance, cycle) -> None:
    """A board pack for `cycle` with the cover sheet of the seed paper (002), unless it has
    one: Q2 2021/22's is published below, Q3's stays a draft for governance to preview."""
    from packs.actions import create_pack
    from packs.defaults import default_pack
    from packs.forms import default_embargo

    if cycle.board_packs.exists():
        return
    cover = _load("board_cover.json")
    pack = default_pack(cycle)
    create_pack(
        cycle=cycle,
        by=governance,
        title=pack.title,
        meeting=cycle.board_forum,
        date_of_meeting=cycle.board_meeting_date,
        agenda_item=cover["agenda_item"],
        lead=cover["lead"],
        author=cover["author"],
        purpose=pack.purpose,
        presented_before="",
        purpose_of_paper=pack.purpose_of_paper,
        recommendation=pack.recommendation,
        sections=pack.sections,
        visibility="PUBLIC",
        embargo_until=default_embargo(cycle.board_meeting_date),
    )


def _publish_board_pack(cycle) -> None:
    """Generate and publish the cycle's board pack through the real pack actions, once. The
    demo has no task worker running while it loads, so the PDF is rendered here by what the
    worker runs for a queued pack (packs.generation.generate_now)."""
    from packs.actions import publish_pack
    from packs.generation import generate_now
    from packs.models import BoardPack, PublishedPack

    if PublishedPack.objects.filter(pack__cycle=cycle).exists():
        return
    governance = User.objects.get(email="demo.governance@example.nhs.uk")
    pack = cycle.board_packs.order_by("pk").first()
    if pack.state != BoardPack.State.READY:
        pack = generate_now(pack_id=pack.pk)
    publish_pack(pack=pack, by=governance)
