"""Helpers for the import/export tests: build spreadsheets in memory and a small plan.

Imported by the tests/test_dataio_*.py modules; importing `plan_fixture` makes the `plan`
fixture available in a module.
"""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from dataio.importers import run_import
from dataio.safety import read_upload
from risks.models import BAFRisk
from tests import factories

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


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


@pytest.fixture(name="plan")
def plan_fixture(db):
    """Two themes, three people, two risks and a workstream, named as files name them."""
    cuh = factories.OrganisationFactory(short_name="CUH", name="Cambridge University Hospitals")
    people = {
        email: factories.UserFactory(email=email, full_name=name, organisation=cuh)
        for email, name in [
            ("ann.lead@example.nhs.uk", "Ann Lead"),
            ("bob.deputy@example.nhs.uk", "Bob Deputy"),
            ("cat.owner@example.nhs.uk", "Cat Owner"),
        ]
    }
    themes = {
        "de": factories.ThemeFactory(number=1, name="Direction & Engagement", order=1),
        "digital": factories.ThemeFactory(
            number=7,
            name="System and digital transformation",
            aliases=["System & Digital Transformation"],
            order=7,
        ),
    }
    risks = {
        ref: factories.BAFRiskFactory(reference=ref, title=f"Risk {ref}") for ref in ("07", "09")
    }
    thread = factories.GoldenThreadFactory(number=4, name="Workforce")
    workstream = factories.WorkstreamFactory(
        code="DE", name="DIRECTION & ENGAGEMENT", theme=themes["de"]
    )
    return {
        "people": people,
        "themes": themes,
        "risks": risks,
        "thread": thread,
        "workstream": workstream,
    }


def risk_counts() -> int:
    return BAFRisk.objects.count()
