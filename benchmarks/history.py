"""Benchmark: the plan pages, dashboards and search on a large synthetic history (issue 15):
10 financial years of quarters (40 cycles), 60 workstreams in 8 themes, 5 golden threads,
40 BAF risks reviewed every quarter: 2,400 approved workstream updates, 200 golden-thread
updates, 9,600 objective progress rows, 1,600 risk reviews.

For each page it reports the query count and the median and 95th percentile of the time to
answer (in-process Django test client, after one warm-up request), as a board member and as
a governance officer. Uses its own SQLite file under var/ (or BENCH_DATABASE_URL).

Run: make benchmark-history   (or: python benchmarks/history.py --repeat 20)
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'benchmark-history.sqlite3'}"
)
if "BENCH_DATABASE_URL" not in os.environ:
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "benchmark-history.sqlite3").unlink(missing_ok=True)
# As `make` runs it: development settings (a secret key of its own, no HTTPS redirects).
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ics_portal import mail  # noqa: E402
from ics_portal.roles import BOARD_MEMBER, GOVERNANCE_OFFICER  # noqa: E402

YEARS = range(2011, 2021)  # 2011/12 to 2020/21
WORKSTREAMS, THEMES, THREADS, RISKS, OBJECTIVES = 60, 8, 5, 40, 4
STATUSES = ("ON_TRACK", "ON_TRACK", "AT_RISK", "ON_TRACK", "DELAYED", "COMPLETE")
WORDS = [
    "workforce",
    "recruitment",
    "discharge",
    "pathway",
    "digital",
    "shared",
    "care",
    "record",
    "estates",
    "capital",
    "primary",
    "care",
    "network",
    "mental",
    "health",
    "prevention",
    "inequalities",
    "urgent",
    "emergency",
]


def _text(i: int, n: int = 40) -> str:
    return " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(n))


def build_history():
    import datetime

    from django.utils import timezone

    from ics_portal.models import ReportingCycle
    from ics_portal.status import WorkflowState
    from reporting.models import GoldenThreadUpdate, ObjectiveProgress, WorkstreamUpdate
    from risks.actions import ensure_default_matrix
    from risks.models import RiskReview
    from tests import factories

    governance = factories.UserFactory(email="bench.governance@example.nhs.uk")
    governance.groups.add(_group(GOVERNANCE_OFFICER))
    board = factories.UserFactory(email="bench.board@example.nhs.uk")
    board.groups.add(_group(BOARD_MEMBER))
    orgs = [
        factories.OrganisationFactory(short_name=f"BO{i}", name=f"Bench organisation {i}")
        for i in range(6)
    ]
    leads = [
        factories.UserFactory(email=f"bench.lead{i}@example.nhs.uk", organisation=orgs[i % 6])
        for i in range(20)
    ]
    themes = [
        factories.ThemeFactory(number=100 + i, name=f"Bench theme {i + 1}") for i in range(THEMES)
    ]
    risks = [
        factories.BAFRiskFactory(
            reference=f"B{i:02d}",
            title=f"Bench risk {i}: {_text(i, 6)}",
            current_likelihood=1 + i % 5,
            current_consequence=1 + (i * 3) % 5,
        )
        for i in range(RISKS)
    ]
    threads = [
        factories.GoldenThreadFactory(number=100 + i, name=f"Bench thread {i}")
        for i in range(THREADS)
    ]
    workstreams, objectives = [], {}
    for i in range(WORKSTREAMS):
        ws = factories.WorkstreamFactory(
            theme=themes[i % THEMES], name=f"BENCH WORKSTREAM {i}", code=f"BW{i}"
        )
        ws.leads.add(leads[i % 20])
        ws.baf_risks.add(risks[i % RISKS], risks[(i + 7) % RISKS])
        ws.milestones.add(factories.MilestoneFactory(title=f"Bench milestone {i}: {_text(i, 5)}"))
        ws.golden_threads.add(threads[i % THREADS])
        objectives[ws.pk] = [
            factories.ObjectiveFactory(
                workstream=ws, number=n, text=f"Objective {n}: {_text(i + n, 8)}"
            )
            for n in range(1, OBJECTIVES + 1)
        ]
        workstreams.append(ws)
    matrix = ensure_default_matrix()
    now = timezone.now()
    for year in YEARS:
        for quarter in range(1, 5):
            start = datetime.date(year, 4, 1) + datetime.timedelta(days=91 * (quarter - 1))
            cycle = ReportingCycle.objects.create(
                fy_start_year=year,
                quarter=quarter,
                opens_on=start,
                submission_deadline=start + datetime.timedelta(days=60),
                review_deadline=start + datetime.timedelta(days=75),
                status=ReportingCycle.Status.CLOSED,
            )
            seq = (year - YEARS.start) * 4 + quarter
            updates = WorkstreamUpdate.objects.bulk_create(
                WorkstreamUpdate(
                    cycle=cycle,
                    workstream=ws,
                    overall_status=STATUSES[(i + seq) % len(STATUSES)],
                    forecast_status=STATUSES[(i + seq + 1) % len(STATUSES)],
                    status_explanation=_text(i + seq, 12),
                    state=WorkflowState.APPROVED,
                    approved_at=now,
                    approved_by=governance,
                    next_quarter_plans=f"<p>{_text(i * seq, 30)}</p>",
                    key_risks=f"<p>{_text(i + 2 * seq, 20)}</p>",
                )
                for i, ws in enumerate(workstreams)
            )
            ObjectiveProgress.objects.bulk_create(
                ObjectiveProgress(update=u, objective=o, progress=f"<p>{_text(o.pk + seq)}</p>")
                for u in updates
                for o in objectives[u.workstream_id]
            )
            GoldenThreadUpdate.objects.bulk_create(
                GoldenThreadUpdate(
                    cycle=cycle,
                    golden_thread=t,
                    state=WorkflowState.APPROVED,
                    approved_at=now,
                    approved_by=governance,
                    quarter_update=f"<p>{_text(t.pk + seq, 60)}</p>",
                    next_quarter_plans="<p>Plans</p>",
                    key_risks="<p>Risks</p>",
                )
                for t in threads
            )
            RiskReview.objects.bulk_create(
                RiskReview(
                    risk=r,
                    cycle=cycle,
                    likelihood=1 + (i + seq) % 5,
                    consequence=r.current_consequence,
                    target_likelihood=r.target_likelihood,
                    target_consequence=r.target_consequence,
                    matrix=matrix,
                    rationale=f"<p>{_text(i + seq, 15)}</p>",
                    state=WorkflowState.APPROVED,
                    approved_at=now,
                    approved_by=governance,
                )
                for i, r in enumerate(risks)
            )
    return {
        "governance": governance,
        "board": board,
        "workstream": workstreams[0],
        "theme": themes[0],
        "thread": threads[0],
        "organisation": orgs[0],
    }


def _group(role):
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=role.group_name)[0]


def pages(world) -> list[tuple[str, str]]:
    """(name, path) of each page measured: the issue's new pages and a search answer."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return [
        ("plan index", reverse("plan:index")),
        ("theme", world["theme"].get_absolute_url()),
        ("golden thread", world["thread"].get_absolute_url()),
        ("workstream", world["workstream"].get_absolute_url()),
        ("organisation", world["organisation"].get_absolute_url()),
        ("plan overview", reverse("dashboards:overview")),
        ("trend grid", reverse("dashboards:trends")),
        ("risk trends", reverse("dashboards:risk_trends")),
        # Search answers: few and many matches, one word and several.
        *(
            (f"search {q!r}", reverse("search") + "?" + urlencode({"q": q}))
            for q in ("estates", "discharge pathway", "digital shared care record", "workforce")
        ),
    ]


def measure(client: Client, path: str, repeat: int) -> dict:
    response = client.get(path)  # warm-up: templates compiled, caches filled
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
    times.sort()
    return {
        "queries": len(queries),
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[max(0, round(0.95 * len(times)) - 1)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (default 20)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with mail.muted():
        world = build_history()
    call_command("rebuild_search_index", verbosity=0)
    from reporting.models import WorkstreamUpdate
    from risks.models import RiskReview

    print(
        f"Built {WorkstreamUpdate.objects.count()} workstream updates and "
        f"{RiskReview.objects.count()} risk reviews over 40 quarters in "
        f"{time.perf_counter() - started:.0f}s ({connection.vendor})"
    )
    print(f"{'page':<36}{'role':<12}{'queries':>8}{'median ms':>11}{'p95 ms':>9}")
    for role in ("board", "governance"):
        client = Client()
        client.force_login(world[role])
        for name, path in pages(world):
            r = measure(client, path, args.repeat)
            print(
                f"{name:<36}{role:<12}{r['queries']:>8}{r['median_ms']:>11.0f}{r['p95_ms']:>9.0f}"
            )


if __name__ == "__main__":
    main()
