"""Benchmark: import 5,000 generated workstream rows (theme, two leads and a deputy by email,
a golden thread, three BAF risks each) from an .xlsx file, and print rows per second for the
preview (dry run), the import itself, and a re-import of the same file (all unchanged).

Run: .venv/bin/python benchmarks/import_rows.py [ROWS]
(uses its own SQLite file under var/, never the portal's database; BENCH_DATABASE_URL to
run it on PostgreSQL.)
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'benchmark-import.sqlite3'}"
)

if "BENCH_DATABASE_URL" not in os.environ:
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "benchmark-import.sqlite3").unlink(missing_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from dataio.importers import run_import  # noqa: E402
from dataio.safety import read_upload  # noqa: E402
from workstreams.models import Workstream  # noqa: E402


def build_plan():
    from tests import factories

    people = [
        factories.UserFactory(email=f"bench.person{i}@example.nhs.uk", full_name=f"Person {i}")
        for i in range(50)
    ]
    themes = [factories.ThemeFactory(number=i + 1, name=f"Bench theme {i + 1}") for i in range(8)]
    threads = [factories.GoldenThreadFactory(number=i + 1) for i in range(5)]
    risks = [factories.BAFRiskFactory(reference=f"{i + 1:02d}") for i in range(40)]
    return people, themes, threads, risks


def workbook_bytes(rows: int, people, themes, threads, risks) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Code", "Name", "Theme", "Leads", "Deputies", "Golden threads", "BAF risks", "Order"]
    )
    for i in range(rows):
        sheet.append(
            [
                f"BW{i:05d}",
                f"BENCH WORKSTREAM {i}",
                themes[i % len(themes)].name,
                f"{people[i % 50].email}; {people[(i + 1) % 50].email}",
                people[(i + 2) % 50].email,
                str(threads[i % len(threads)].number),
                "; ".join(risks[(i + k) % len(risks)].reference for k in (0, 7, 13)),
                i,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(rows: int, label: str, action):
    started = time.perf_counter()
    report = action()
    seconds = time.perf_counter() - started
    assert report.is_valid, [str(e) for e in report.errors[:5]]
    print(f"{label:<34} {seconds:6.2f}s  {rows / seconds:7.0f} rows/s  ({report.summary()})")
    return report


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    call_command("migrate", verbosity=0)
    plan = build_plan()
    content = workbook_bytes(rows, *plan)
    print(
        f"{rows} workstream rows, {len(content) / 1024:.0f} KB .xlsx, {os.environ['DATABASE_URL'].split(':')[0]}"
    )

    def go(commit):
        return run_import(
            "workstreams", read_upload("bench.xlsx", content), commit=commit, content=content
        )

    timed(rows, "preview (dry run, all new)", lambda: go(False))
    timed(rows, "import (creates)", lambda: go(True))
    assert Workstream.objects.count() == rows
    timed(rows, "re-import (all unchanged)", lambda: go(True))


if __name__ == "__main__":
    main()
