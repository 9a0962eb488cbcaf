"""Benchmark: build the board pack for a large synthetic cycle (60 workstreams in 8 themes,
5 golden threads, 40 BAF risks) and report pages, seconds, seconds per page, query count and
how the time splits between building the HTML and WeasyPrint's rendering.

Run: make benchmark   (uses its own SQLite file under var/, never the portal's database)
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'benchmark.sqlite3'}"
)

if "BENCH_DATABASE_URL" not in os.environ:
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "benchmark.sqlite3").unlink(missing_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ics_portal import mail  # noqa: E402


def build_synthetic(workstreams: int):
    from django.utils import timezone

    from ics_portal.models import ReportingCycle
    from ics_portal.status import WorkflowState
    from reporting.models import GoldenThreadUpdate, ObjectiveProgress, WorkstreamUpdate
    from tests import factories

    cycle = factories.ReportingCycleFactory(
        fy_start_year=2030, quarter=2, status=ReportingCycle.Status.CLOSED
    )
    governance = factories.UserFactory(email="bench.governance@example.nhs.uk")
    themes = [factories.ThemeFactory(number=100 + i, name=f"Bench theme {i + 1}") for i in range(8)]
    risks = [
        factories.BAFRiskFactory(
            reference=f"B{i:02d}", current_likelihood=1 + i % 5, current_consequence=1 + (i * 3) % 5
        )
        for i in range(40)
    ]
    shared = factories.MilestoneFactory(title="Bench shared milestone")
    now = timezone.now()
    for i in range(workstreams):
        ws = factories.WorkstreamFactory(
            theme=themes[i % 8], name=f"BENCH WORKSTREAM {i}", code=f"BW{i}"
        )
        ws.leads.add(governance)
        ws.baf_risks.add(risks[i % 40], risks[(i + 7) % 40])
        ws.milestones.add(shared, factories.MilestoneFactory(title=f"Bench milestone {i}"))
        update = WorkstreamUpdate.objects.create(
            cycle=cycle,
            workstream=ws,
            overall_status="ON_TRACK" if i % 5 else "AT_RISK",
            forecast_status="ON_TRACK",
            status_explanation="Bench",
            state=WorkflowState.APPROVED,
            approved_at=now,
            approved_by=governance,
            next_quarter_plans="<ul><li>Plan</li></ul>",
        )
        for n in range(1, 5):
            objective = factories.ObjectiveFactory(workstream=ws, number=n, text=f"Objective {n}")
            ObjectiveProgress.objects.create(
                update=update,
                objective=objective,
                progress="<ul>"
                + "".join(f"<li>Progress bullet {k} for objective {n}</li>" for k in range(4))
                + "</ul>",
            )
    for i in range(5):
        thread = factories.GoldenThreadFactory(number=100 + i, name=f"Bench thread {i}")
        GoldenThreadUpdate.objects.create(
            cycle=cycle,
            golden_thread=thread,
            state=WorkflowState.APPROVED,
            approved_at=now,
            approved_by=governance,
            quarter_update="<ul>" + "<li>Update</li>" * 10 + "</ul>",
            next_quarter_plans="<p>Plans</p>",
            key_risks="<p>Risks</p>",
        )
    return cycle


def measure(cycle):
    from packs.defaults import default_pack
    from packs.render import render_pack_html, render_pdf

    pack = default_pack(cycle)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        html = render_pack_html(pack)
    built = time.perf_counter()
    pdf = render_pdf(html)
    done = time.perf_counter()
    return {
        "pages": pdf.page_count,
        "html_s": built - started,
        "pdf_s": done - built,
        "total_s": done - started,
        "queries": len(queries),
    }


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    call_command("migrate", verbosity=0)
    with mail.muted():
        cycle = build_synthetic(size)
    r = measure(cycle)
    print(
        f"{size:>3} workstreams: {r['pages']} pages, {r['total_s']:.2f}s total, "
        f"{r['total_s'] / r['pages']:.3f}s/page; building HTML {r['html_s']:.2f}s "
        f"({r['queries']} queries), WeasyPrint {r['pdf_s']:.2f}s "
        f"({100 * r['pdf_s'] / r['total_s']:.0f}% of the time)"
    )


if __name__ == "__main__":
    main()
