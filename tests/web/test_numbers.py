"""One set of numbers (docs/adr/0007-one-set-of-numbers.md): the cycle page, the cycle return,
the updates CSV and the board pack's PDF count a cycle's statuses the same way, by the same
rule, and say which rule; the cycle page lists everyone "remind all" emails; the latest
approved update before a cycle is found one way, in fixed queries."""

import csv
import datetime
import io
import os
import re
import shutil
import subprocess
from itertools import product

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dataio import exporters
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import history
from packs.models import BoardPack
from packs.render import render_pack_html, render_pdf
from reporting import numbers
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate

from .. import factories

STATES = list(WorkflowState)
STATUSES = [*DeliveryStatus.values, ""]  # "" : no status chosen
# The columns every surface shows, in order, as the governance team reads them.
KEYS = [*DeliveryStatus.values, "NONE", "NOT_APPROVED"]
LABEL_TO_KEY = {
    **{status.label: status.value for status in DeliveryStatus},
    "No status": "NONE",
    "Not yet approved": "NOT_APPROVED",
}
TOTAL = "TOTAL"
RULE = "approved updates only"
COUNTED_COLUMN = f"Counted in status totals ({RULE})"


@pytest.fixture
def cycle(db):
    return factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=2,
        opens_on=datetime.date(2021, 9, 1),
        submission_deadline=timezone.localdate() + datetime.timedelta(days=10),
        review_deadline=timezone.localdate() + datetime.timedelta(days=20),
    )


def _workflow_fields(state, governance) -> dict:
    """What the database constraints ask of an update in `state`."""
    fields = {"state": state}
    if state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED):
        fields.update(approved_at=timezone.now(), approved_by=governance)
    if state == WorkflowState.RETURNED:
        fields["review_comment"] = "Please say more."
    return fields


def _workstream_update(cycle, theme, state, status, governance, name=None):
    workstream = factories.WorkstreamFactory(theme=theme, **({"name": name} if name else {}))
    return factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=workstream,
        overall_status=status,
        **_workflow_fields(state, governance),
    )


@pytest.fixture
def every_status(cycle, governance):
    """Every status (and none) in every workflow state: the statuses across two themes, the
    golden threads in a few states of their own."""
    themes = [
        factories.ThemeFactory(number=1, name="Alpha theme"),
        factories.ThemeFactory(number=2, name="Beta theme"),
    ]
    for i, (state, status) in enumerate(product(STATES, STATUSES)):
        _workstream_update(cycle, themes[i % 2], state, status, governance)
    thread_cases = [
        (WorkflowState.APPROVED, DeliveryStatus.AT_RISK),
        (WorkflowState.PUBLISHED, DeliveryStatus.ON_TRACK),
        (WorkflowState.SUBMITTED, DeliveryStatus.DELAYED),
        (WorkflowState.DRAFT, ""),
    ]
    for state, status in thread_cases:
        factories.GoldenThreadUpdateFactory(
            cycle=cycle, overall_status=status, **_workflow_fields(state, governance)
        )
    return cycle


def _expected(cycle) -> dict[str, dict[str, int]]:
    """The rule worked out from the rows themselves: a status counts only when approved or
    published; every other update is "Not yet approved"."""
    table: dict[str, dict[str, int]] = {}

    def add(group, state, status):
        for name in (group, "All updates"):
            row = table.setdefault(name, dict.fromkeys([*KEYS, TOTAL], 0))
            if state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED):
                row[status or "NONE"] += 1
            else:
                row["NOT_APPROVED"] += 1
            row[TOTAL] += 1

    for u in WorkstreamUpdate.objects.filter(cycle=cycle).select_related("workstream__theme"):
        add(u.workstream.theme.name, u.state, u.overall_status)
    for u in GoldenThreadUpdate.objects.filter(cycle=cycle):
        add("Golden threads", u.state, u.overall_status)
    return table


# --- reading each surface back ---------------------------------------------------------------


def _from_page(client, cycle) -> dict[str, dict[str, int]]:
    html = client.get(cycle.get_absolute_url()).content.decode()
    table_html = re.search(r'id="status-counts">(.*?)</table>', html, re.S)[1]
    assert RULE in table_html  # the rule, beside the numbers
    table = {}
    for group, cells in re.findall(r'<tr[^>]*data-group="([^"]+)">(.*?)</tr>', table_html, re.S):
        table[group] = {
            key: int(n) for key, n in re.findall(r'data-status="(\w+)">(\d+)</td>', cells)
        }
    return table


def _from_return(cycle) -> dict[str, dict[str, int]]:
    book = load_workbook(io.BytesIO(exporters.export("cycle-return", cycle=cycle).content))
    rows = [list(r) for r in book["Summary"].iter_rows(values_only=True)]
    assert any(r[0] and RULE in r[0] for r in rows[:4])  # the rule
    at = next(i for i, r in enumerate(rows) if r[0] == "Theme")
    keys = [LABEL_TO_KEY.get(h, TOTAL if h == "Updates" else h) for h in rows[at][1:]]
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows[at + 1 :] if r[0]}


def _from_csv(cycle) -> dict[str, dict[str, int]]:
    content = exporters.export("updates", cycle=cycle).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    counted = COUNTED_COLUMN
    assert counted in rows[0]  # the rule, as a column
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        group = row["Theme"] or "Golden threads"
        if row[counted] == "Yes":
            key = LABEL_TO_KEY[row["Overall status"]] if row["Overall status"] else "NONE"
        else:
            key = "NOT_APPROVED"
        for name in (group, "All updates"):
            counts = table.setdefault(name, dict.fromkeys([*KEYS, TOTAL], 0))
            counts[key] += 1
            counts[TOTAL] += 1
    return table


def pdf_text(pack: BoardPack) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is needed to read the board pack's PDF")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = render_pdf(render_pack_html(pack))
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True
    )
    return result.stdout.decode()


def _from_pdf_table(text: str, groups) -> dict[str, dict[str, int]]:
    """The summary table's rows: a group's name and its nine numbers (a long name wraps onto
    the next line, which then holds only words)."""
    lines = text.splitlines()
    rows = {}
    for i, line in enumerate(lines):
        match = re.match(r"^\s*(\D*?)((?:\s+\d+){9})\s*$", line)
        if not match:
            continue
        label = match[1].strip()
        if i + 1 < len(lines) and re.fullmatch(r"\s+[A-Za-z][A-Za-z ]*", lines[i + 1]):
            label = f"{label} {lines[i + 1].strip()}"
        rows[label] = dict(zip([*KEYS, TOTAL], map(int, match[2].split()), strict=True))
    missing = set(groups) - set(rows)
    assert not missing, f"no row for {missing} in the PDF's summary table"
    return {group: rows[group] for group in groups}


def _from_pdf_bar(text: str) -> dict[str, int]:
    """The status bar's words: "All updates by overall status (approved updates only): On
    track 1, Delayed 1, Not yet approved 1 (of 3)." (wrapped over lines in the PDF)."""
    flat = " ".join(text.split())
    words = re.search(
        r"All updates by overall status \(approved updates only\): (.*?) \(of (\d+)\)\.", flat
    )
    assert words, "no status bar caption in the PDF"
    counts = dict.fromkeys([*KEYS, TOTAL], 0)
    for label, n in re.findall(r"([A-Za-z][A-Za-z ]*?) (\d+)(?:, |$)", words[1]):
        counts[LABEL_TO_KEY[label]] = int(n)
    counts[TOTAL] = int(words[2])
    return counts


def _pack(cycle, governance, **fields) -> BoardPack:
    return factories.BoardPackFactory(cycle=cycle, created_by=governance, **fields)


# --- one set of numbers ------------------------------------------------------------------------


def test_page_return_csv_and_pdf_count_every_status_and_state_alike(
    client, governance, every_status
):
    cycle = every_status
    expected = _expected(cycle)
    assert expected["All updates"][TOTAL] == len(STATES) * len(STATUSES) + 4
    client.force_login(governance)

    assert _from_page(client, cycle) == expected
    assert _from_return(cycle) == expected
    assert _from_csv(cycle) == expected
    text = pdf_text(_pack(cycle, governance, sections=["summary"]))
    assert RULE in " ".join(text.split())
    assert _from_pdf_table(text, expected) == expected
    assert _from_pdf_bar(text) == expected["All updates"]


def test_the_reported_cycle_counts_the_same_in_the_pack_and_the_return(cycle, governance):
    """As seen: on track approved, at risk draft, delayed approved. The return said At risk 1;
    the PDF said No status 1. Both now say On track 1, Delayed 1, Not yet approved 1."""
    theme = factories.ThemeFactory(name="Alpha theme")
    _workstream_update(cycle, theme, WorkflowState.APPROVED, DeliveryStatus.ON_TRACK, governance)
    _workstream_update(cycle, theme, WorkflowState.DRAFT, DeliveryStatus.AT_RISK, governance)
    _workstream_update(cycle, theme, WorkflowState.APPROVED, DeliveryStatus.DELAYED, governance)
    want = dict.fromkeys([*KEYS, TOTAL], 0)
    want.update(ON_TRACK=1, DELAYED=1, NOT_APPROVED=1, TOTAL=3)

    assert _from_return(cycle)["All updates"] == want
    text = pdf_text(_pack(cycle, governance, sections=["summary"]))
    assert _from_pdf_table(text, ["Alpha theme", "All updates"])["All updates"] == want
    assert _from_pdf_bar(text) == want
    assert "On track 1, Delayed 1, Not yet approved 1 (of 3)" in " ".join(text.split())


def test_the_exception_only_packs_theme_table_and_status_bar_agree(cycle, governance):
    """An exception-only pack shows only At risk and Delayed work in full, but its summary
    table and the status bar under it count the same updates: every update in the cycle."""
    alpha = factories.ThemeFactory(name="Alpha theme")
    beta = factories.ThemeFactory(name="Beta theme")
    _workstream_update(
        cycle, alpha, WorkflowState.APPROVED, DeliveryStatus.ON_TRACK, governance, "CALM"
    )
    _workstream_update(
        cycle, alpha, WorkflowState.DRAFT, DeliveryStatus.AT_RISK, governance, "UNSURE"
    )
    _workstream_update(
        cycle, beta, WorkflowState.APPROVED, DeliveryStatus.DELAYED, governance, "LATE"
    )
    pack = _pack(
        cycle, governance, exception_only=True, sections=["summary", "workstreams", "milestones"]
    )
    text = pdf_text(pack)
    table = _from_pdf_table(text, ["Alpha theme", "Beta theme", "All updates"])
    bar = _from_pdf_bar(text)

    assert bar == table["All updates"]
    for key in [*KEYS, TOTAL]:
        assert table["Alpha theme"][key] + table["Beta theme"][key] == bar[key], key
    assert bar[TOTAL] == 3 and bar["DELAYED"] == 1 and bar["NOT_APPROVED"] == 1
    assert table == {k: v for k, v in _from_return(cycle).items() if k in table}
    flat = " ".join(text.split())
    assert "LATE" in flat and "CALM" not in flat.split("Workstream progress by theme")[-1]


def test_the_cycle_page_says_what_is_counted(client, governance, cycle):
    theme = factories.ThemeFactory(name="Alpha theme")
    _workstream_update(cycle, theme, WorkflowState.SUBMITTED, DeliveryStatus.DELAYED, governance)
    client.force_login(governance)
    html = client.get(cycle.get_absolute_url()).content.decode()
    assert numbers.COUNTING_NOTE in html
    assert "Not yet approved 1 (of 1)" in html


# --- who still owes what -------------------------------------------------------------------------


def test_the_cycle_page_lists_everyone_remind_all_emails(
    client, governance, lead, cycle, django_capture_on_commit_callbacks
):
    """Someone who owes only a risk review is on the page's list, and is emailed."""
    theme = factories.ThemeFactory(name="Alpha theme")
    update = _workstream_update(cycle, theme, WorkflowState.DRAFT, "", governance)
    update.workstream.leads.add(lead)
    owner = factories.UserFactory(full_name="Rita Riskowner")
    factories.RiskReviewFactory(
        risk=factories.BAFRiskFactory(reference="07", owner=owner), cycle=cycle
    )
    client.force_login(governance)
    html = client.get(cycle.get_absolute_url()).content.decode()
    listed = re.search(r'id="outstanding-leads">(.*?)</table>', html, re.S)[1]
    assert "Rita Riskowner" in listed and "Risk 07 review" in listed
    assert "Lee Lead" in listed
    on_page = set(re.findall(r'id="owed-(\d+)"', listed))

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:cycle_remind", args=[cycle.pk]))
    emailed = {m.to[0] for m in mail.outbox}
    assert emailed == {owner.email, lead.email}
    assert on_page == {str(owner.pk), str(lead.pk)}
    assert set(numbers.owed_by_person(cycle)) == {owner.pk, lead.pk}


# --- the latest approved update before a cycle -------------------------------------------------


def test_latest_approved_is_the_newest_earlier_approved_one_in_one_query(governance):
    theme = factories.ThemeFactory()
    workstreams = [factories.WorkstreamFactory(theme=theme) for _ in range(4)]
    cycles = [
        factories.ReportingCycleFactory(fy_start_year=fy, quarter=q, status="CLOSED")
        for fy, q in ((2020, 4), (2021, 1), (2021, 2), (2021, 3))
    ]
    now = cycles[-1]
    for workstream in workstreams[:3]:
        for earlier, state in zip(
            cycles,
            (WorkflowState.PUBLISHED, WorkflowState.APPROVED, WorkflowState.RETURNED, "APPROVED"),
            strict=True,
        ):
            factories.WorkstreamUpdateFactory(
                cycle=earlier, workstream=workstream, **_workflow_fields(state, governance)
            )
    wanted = [(w.pk, now) for w in workstreams] + [(workstreams[0].pk, cycles[1])]
    with CaptureQueriesContext(connection) as queries:
        found = history.latest_approved(WorkstreamUpdate, wanted, subject="workstream")
    assert len(queries.captured_queries) == 1
    # Q3's own approved update is not "before"; Q2's is returned; so Q1's, for each of three.
    assert {key: row.cycle.label for key, row in found.items()} == {
        (workstreams[0].pk, now.pk): "Q1 2021/22",
        (workstreams[1].pk, now.pk): "Q1 2021/22",
        (workstreams[2].pk, now.pk): "Q1 2021/22",
        (workstreams[0].pk, cycles[1].pk): "Q4 2020/21",
    }


# --- fixed query counts ------------------------------------------------------------------------


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context.captured_queries)


def test_the_exports_and_the_counts_take_fixed_queries(client, governance, cycle):
    theme = factories.ThemeFactory()

    def grow(n):
        for i in range(n):
            update = _workstream_update(
                cycle, theme, STATES[i % len(STATES)], STATUSES[i % len(STATUSES)], governance
            )
            update.workstream.leads.add(factories.UserFactory())
            update.workstream.milestones.add(factories.MilestoneFactory())
            factories.GoldenThreadUpdateFactory(cycle=cycle)

    surfaces = {
        "return": lambda: exporters.export("cycle-return", cycle=cycle),
        "csv": lambda: exporters.export("updates", cycle=cycle),
        "counts": lambda: numbers.cycle_counts(cycle),
        "owed": lambda: numbers.owed_by_person(cycle),
    }
    grow(2)
    small = {name: _queries(run) for name, run in surfaces.items()}
    grow(20)
    assert {name: _queries(run) for name, run in surfaces.items()} == small
    assert small["counts"] == 2
