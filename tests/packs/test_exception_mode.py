"""An exception-only pack (packs/exceptions.py): one rule for every section, what each section
left out, "Nothing to report by exception", and counts that still cover every update."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from packs.content import build_pack_content
from packs.exceptions import RULE
from packs.render import render_pack_html
from reporting.numbers import cycle_counts

from .. import factories
from .history import (
    AT_RISK,
    DELAYED,
    ON_TRACK,
    SUBMITTED,
    pack_for,
    quarter,
    review,
    section_text,
    text_of,
    thread_update,
    ws_update,
)

NOT_APPROVED_NOTE = "(listed under \u201cUpdates not included\u201d in the summary)"


def _milestone(title, due):
    return factories.MilestoneFactory(title=title, due_date=due, due_label="")


@pytest.fixture
def mixed(governance):
    """Q2 2021/22: four workstreams with an exception (status, forecast, a Delayed milestone,
    an overdue milestone), two without, one not approved; three golden threads; three risks
    (above target, risen to its target, at target and unchanged)."""
    q1, q2 = quarter(1), quarter(2)
    ws = {
        name: factories.WorkstreamFactory(name=name)
        for name in ("AT RISK", "FORECAST", "LATE", "OVERDUE", "FINE", "ALSO FINE", "WAITING")
    }
    ws_update(q2, ws["AT RISK"], governance, status=AT_RISK)
    ws_update(q2, ws["FORECAST"], governance, forecast=DELAYED)
    ws_update(
        q2,
        ws["LATE"],
        governance,
        milestones=[(_milestone("Delayed one", datetime.date(2021, 9, 30)), DELAYED, None)],
    )
    ws_update(
        q2,
        ws["OVERDUE"],
        governance,
        milestones=[(_milestone("Overdue one", datetime.date(2021, 6, 30)), ON_TRACK, None)],
    )
    ws_update(
        q2,
        ws["FINE"],
        governance,
        milestones=[(_milestone("Autumn milestone", datetime.date(2021, 12, 31)), ON_TRACK, None)],
    )
    ws_update(
        q2,
        ws["ALSO FINE"],
        governance,
        milestones=[(_milestone("Due now, on track", datetime.date(2021, 9, 30)), ON_TRACK, None)],
    )
    ws_update(q2, ws["WAITING"], governance, status=DELAYED, state=SUBMITTED)
    delayed = factories.GoldenThreadFactory(name="Delayed thread")
    thread_update(q2, delayed, governance, status=DELAYED)
    thread_update(q2, factories.GoldenThreadFactory(name="Quiet thread"), governance)
    thread_update(
        q2, factories.GoldenThreadFactory(name="Unsent thread"), governance, state=SUBMITTED
    )
    above = factories.BAFRiskFactory(reference="01", title="Above target")
    risen = factories.BAFRiskFactory(reference="02", title="Risen to target")
    level = factories.BAFRiskFactory(reference="03", title="At target")
    review(above, q1, governance, 3, 4)
    review(above, q2, governance, 3, 4, target_likelihood=2, target_consequence=4)
    review(risen, q1, governance, 2, 2)
    review(risen, q2, governance, 2, 4, target_likelihood=2, target_consequence=4)
    review(level, q1, governance, 2, 4)
    review(level, q2, governance, 2, 4, target_likelihood=2, target_consequence=4)
    return SimpleNamespace(q2=q2, delayed=delayed)


def test_every_section_is_filtered_by_the_one_rule(mixed):
    content = build_pack_content(mixed.q2, pack_for(mixed.q2, exception_only=True))
    shown = sorted(w.workstream.name for t in content.themes for w in t.workstreams)
    assert shown == ["AT RISK", "FORECAST", "LATE", "OVERDUE"]
    assert [s.thread.name for s in content.threads] == ["Delayed thread"]
    milestones = content.milestones_due_next + content.milestones_overdue
    assert sorted(m.title for m in milestones) == ["Delayed one", "Overdue one"]
    assert sorted(r.risk.reference for r in content.risks) == ["01", "02"]
    # The heat maps still place every risk.
    assert len(content.all_risks) == 3


def test_the_full_pack_still_shows_everything(mixed):
    content = build_pack_content(mixed.q2, pack_for(mixed.q2))
    assert len([w for t in content.themes for w in t.workstreams]) == 7
    assert len(content.threads) == 3 and len(content.risks) == 3
    assert not content.left_out and not content.exception_rule


def test_each_section_says_what_it_left_out(mixed):
    markup = render_pack_html(pack_for(mixed.q2, exception_only=True))
    assert (
        "3 of 7 workstreams are not shown: 2 have nothing to report by exception and 1 is not "
        f"yet approved {NOT_APPROVED_NOTE}." in section_text(markup, "workstreams")
    )
    threads = section_text(markup, "golden-threads")
    assert (
        "2 of 3 golden threads are not shown: 1 has nothing to report by exception and 1 is not "
        f"yet approved {NOT_APPROVED_NOTE}." in threads
    )
    assert "Delayed thread" in threads and "Quiet thread" not in threads
    milestones = section_text(markup, "milestones")
    assert "2 of 4 milestones are neither Delayed nor overdue and are not shown." in milestones
    assert "Autumn milestone" not in milestones and "Overdue one" in milestones
    register = section_text(markup, "risk-register")
    assert (
        "1 of 3 BAF risks is at or below target with no rise since last quarter and is not "
        "shown. The heat maps show all 3." in register
    )
    assert "At target" not in register.split("Heat map")[0]
    # The rule is stated once, on the cover.
    assert text_of(markup).count(RULE) == 1
    for section in ("workstreams", "golden-threads", "risk-register"):
        assert "Nothing to report by exception" not in section_text(markup, section)


def test_an_empty_section_says_nothing_to_report(governance):
    q1, q2 = quarter(1), quarter(2)
    ws_update(
        q2,
        factories.WorkstreamFactory(name="CALM"),
        governance,
        milestones=[(_milestone("Autumn milestone", datetime.date(2021, 12, 31)), ON_TRACK, None)],
    )
    thread_update(q2, factories.GoldenThreadFactory(name="Calm thread"), governance)
    risk = factories.BAFRiskFactory(reference="01")
    review(risk, q1, governance, 2, 4)
    review(risk, q2, governance, 2, 4, target_likelihood=2, target_consequence=4)
    markup = render_pack_html(pack_for(q2, exception_only=True))
    for section, left_out in (
        ("workstreams", "1 of 1 workstream has nothing to report by exception and is not shown."),
        ("golden-threads", "1 of 1 golden thread has nothing to report by exception and is not"),
        ("milestones", "1 of 1 milestone is neither Delayed nor overdue and is not shown."),
        ("risk-register", "1 of 1 BAF risk is at or below target with no rise since last"),
    ):
        words = section_text(markup, section)
        assert "Nothing to report by exception." in words, section
        assert left_out in words, section
    # No empty tables under the headings.
    assert "Calm thread" not in section_text(markup, "golden-threads")
    assert "Risk detail" not in section_text(markup, "risk-register")
    # An empty section does not start a page of its own.
    classes = re.search(r'<section class="([^"]*)" aria-labelledby="workstreams"', markup)
    assert "chapter" not in classes.group(1)


def _total_row(markup: str) -> list[int]:
    table = re.search(r'<table class="status-counts">.*?</table>', markup, re.S).group(0)
    row = re.search(r"<strong>All updates</strong></th>(.*?)</tr>", table, re.S).group(1)
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]


def _group_rows(markup: str) -> int:
    table = re.search(r'<table class="status-counts">.*?</table>', markup, re.S).group(0)
    return len(re.findall(r'<th scope="row">', table))


@pytest.mark.parametrize("exception_only", [False, True])
def test_the_status_table_bar_and_cycle_return_count_every_update(mixed, exception_only):
    markup = render_pack_html(pack_for(mixed.q2, exception_only=exception_only))
    total = cycle_counts(mixed.q2).statuses.total
    assert total.total == 10  # seven workstream updates and three golden-thread updates
    assert _total_row(markup) == [c.count for c in total.columns] + [total.total]
    # Each theme, the golden threads and the total: the table is not empty.
    assert _group_rows(markup) == len(cycle_counts(mixed.q2).statuses.groups) + 1 == 9
    bar = re.search(r"<figcaption>(.*?)</figcaption>", markup, re.S).group(1)
    assert bar.endswith(f"{total.sentence}.")
    assert "of 10)" in bar


def test_exception_pack_queries_do_not_grow_with_the_data(governance):
    q1, q2 = quarter(1), quarter(2)

    def add(n):
        for _ in range(n):
            ws_update(
                q2,
                factories.WorkstreamFactory(),
                governance,
                status=AT_RISK,
                milestones=[(factories.MilestoneFactory(), DELAYED, None)],
            )
            ws_update(q2, factories.WorkstreamFactory(), governance)
            thread_update(q2, factories.GoldenThreadFactory(), governance, status=DELAYED)
            risk = factories.BAFRiskFactory()
            review(risk, q1, governance, 2, 2)
            review(risk, q2, governance, 4, 4)

    add(3)
    pack = pack_for(q2, exception_only=True)
    with CaptureQueriesContext(connection) as small:
        render_pack_html(pack)
    add(6)
    with CaptureQueriesContext(connection) as large:
        markup = render_pack_html(pack)
    assert "9 of 18 workstreams have nothing to report by exception" in text_of(markup)
    assert len(large.captured_queries) == len(small.captured_queries)
