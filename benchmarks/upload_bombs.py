"""Benchmark: how long the upload checks take to refuse each spreadsheet bomb of
tests/dataio/xlsx_bombs.py, and the most memory Python allocates doing it (tracemalloc, in a
second run), beside a real 5,000-row workbook that must be read.

Run: .venv/bin/python benchmarks/upload_bombs.py
(no database needed; the bombs are built in memory and nothing is written to disk.)
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")

import django  # noqa: E402

django.setup()

from dataio.safety import FileRejected, read_upload  # noqa: E402
from tests.dataio import xlsx_bombs as bombs  # noqa: E402
from tests.dataio.support import xlsx_bytes  # noqa: E402


def real_workbook() -> bytes:
    rows = [["Code", "Name", "Theme", "Leads", "Deputies", "Golden threads", "BAF risks"]]
    rows += [
        [f"W{i:05d}", f"WORKSTREAM {i}", f"Theme {i % 8}", f"p{i % 50}@example.nhs.uk", "", "3"]
        + ["01; 08; 14"]
        for i in range(5_000)
    ]
    return xlsx_bytes(rows)


CASES = [
    ("dimension A1:XFD1048576", lambda: bombs.dimension_bomb()),
    ("  + cell at row 1,000,000", lambda: bombs.far_row_bomb(dimension="A1:XFD1048576")),
    ("cell at row 1,000,000, no dimension", lambda: bombs.far_row_bomb()),
    ("cell at row 1,000,000, dimension A1:B2", lambda: bombs.far_row_bomb(dimension="A1:B2")),
    ("sheet rows unpacking to 120 MB", lambda: bombs.sheet_expansion_bomb(120)),
    ("one 120 MB cell", lambda: bombs.huge_cell_bomb(120)),
    ("120 MB of shared strings", lambda: bombs.shared_strings_bomb(120)),
    ("30 MB shared strings (one part)", lambda: bombs.shared_strings_bomb(30)),
    ("20 MB shared strings (ratio)", lambda: bombs.shared_strings_bomb(20)),
    ("60,000 parts", lambda: bombs.many_parts_bomb(60_000)),
    (
        "size understated in the directory",
        lambda: bombs.understated_size(bombs.sheet_expansion_bomb()),
    ),
    ("billion laughs", bombs.billion_laughs),
    ("real workbook, 5,000 rows", real_workbook),
]


def read(content: bytes) -> str:
    try:
        return f"read {len(read_upload('plan.xlsx', content).rows):,} rows"
    except FileRejected as error:
        return "refused: " + str(error).split(";")[0].split(". ")[0][:70]


def main():
    print(f"{'file':38} {'size':>9} {'time':>9} {'peak':>9}  outcome")
    for name, build in CASES:
        content = build()
        started = time.perf_counter()
        outcome = read(content)
        seconds = time.perf_counter() - started
        tracemalloc.start()  # a second run, for memory: tracing slows Python down
        read(content)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{name:38} {len(content) / 1024:7.0f}KB {seconds * 1000:7.1f}ms "
            f"{peak / 1024 / 1024:7.1f}MB  {outcome}"
        )


if __name__ == "__main__":
    main()
