"""Helpers for the import/export tests: build spreadsheets in memory and run them through
the importers. The `plan` these tests import into is a fixture, in tests/dataio/conftest.py.
"""

import csv
import io
from pathlib import Path

from openpyxl import Workbook, load_workbook

from dataio.importers import run_import
from dataio.safety import read_upload
from risks.models import BAFRisk

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "import"


def xlsx_bytes(rows: list[list], *, title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def run(kind: str, rows: list[list], *, by=None, commit=False, fmt="xlsx", **kwargs):
    """Import `rows` (header first) as `kind` from an in-memory file."""
    content = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)
    sheet = read_upload(f"{kind}.{fmt}", content)
    return run_import(kind, sheet, by=by, commit=commit, content=content, **kwargs)


def run_file(kind: str, filename: str, content: bytes, *, by=None, commit=False):
    return run_import(kind, read_upload(filename, content), by=by, commit=commit, content=content)


def example(kind: str) -> Path:
    return next(EXAMPLES.glob(f"*-{kind}.xlsx"))


def example_rows(kind: str) -> list[list]:
    sheet = load_workbook(example(kind), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def errors(report) -> list[str]:
    return [str(e) for e in report.errors]


def risk_counts() -> int:
    return BAFRisk.objects.count()
