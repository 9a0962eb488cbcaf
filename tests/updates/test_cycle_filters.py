"""The cycle page's list of updates: filtered by state, theme and lead and sorted by a column,
through a GET form whose address can be bookmarked; a bad value is a message naming the
field, never a server error; the page's queries do not grow with the updates."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ics_portal.status import WorkflowState
from reporting.models import WorkstreamUpdate

from .. import factories
from .support import submit


def _listed(html: str) -> list[str]:
    """The ids of the rows of the updates table, in order."""
    table = re.search(r'id="cycle-updates">(.*?)</table>', html, re.S)
    return re.findall(r'id="update-(\w+-\d+)"', table[1]) if table else []


def _count(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r'id="updates-count">(.*?)</p>', html, re.S)[1])


def _page(client, plan, query=""):
    response = client.get(plan.cycle.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def test_filter_by_state_theme_and_lead(
    client, governance, lead, other_lead, plan, update, thread_update
):
    submit(thread_update, lead)
    workforce = (
        f"workstream-{WorkstreamUpdate.objects.get(cycle=plan.cycle, workstream=plan.other).pk}"
    )
    digital, thread = f"workstream-{update.pk}", f"thread-{thread_update.pk}"
    client.force_login(governance)
    html = _page(client, plan)
    assert sorted(_listed(html)) == sorted([digital, workforce, thread])
    assert _count(html).startswith("Showing all 3 updates in Q3 2021/22.")
    # The form's choices come from the cycle's own rows; golden threads are told apart.
    assert f'<option value="theme-{plan.workstream.theme_id}">Workstreams in ' in html
    assert '<option value="threads">Golden threads</option>' in html
    assert f'<option value="{other_lead.pk}">Ola Otherlead</option>' in html

    html = _page(client, plan, "?state=SUBMITTED")
    assert _listed(html) == [thread]
    assert _count(html).startswith("Showing 1 of the 3 updates in Q3 2021/22 (state: Submitted).")
    assert '<option value="SUBMITTED" selected>' in html  # the form keeps what was chosen

    assert _listed(_page(client, plan, "?theme=threads")) == [thread]
    assert _listed(_page(client, plan, f"?theme=theme-{plan.workstream.theme_id}")) == [digital]
    assert _listed(_page(client, plan, f"?lead={other_lead.pk}")) == [workforce]
    html = _page(client, plan, f"?lead={lead.pk}&state=NOT_STARTED")
    assert _listed(html) == [digital]
    assert "(state: Not started; lead or deputy: Lee Lead)" in _count(html)

    html = _page(client, plan, f"?lead={other_lead.pk}&state=SUBMITTED")
    assert _listed(html) == []
    assert "No update matches these filters." in html


def test_a_bad_filter_is_a_message_naming_the_field_and_the_rest_still_apply(
    client, governance, lead, plan, thread_update
):
    submit(thread_update, lead)
    client.force_login(governance)
    html = _page(client, plan, "?state=BOGUS&lead=abc&sort=sideways&theme=threads")
    assert "There is a problem" in html and "<title>Error: Q3 2021/22 reporting cycle" in html
    assert '<a href="#id_state">Select a state from the list</a>' in html
    assert '<a href="#id_lead">Select a lead or deputy from the list</a>' in html
    assert '<a href="#id_sort">Select how to sort the updates from the list</a>' in html
    assert 'id="id_state-error"' in html
    # The valid filter still applies; the bad ones do not.
    assert _listed(html) == [f"thread-{thread_update.pk}"]
    assert "There is a problem" not in _page(client, plan, "?state=&theme=&other=1")


def test_sort_by_a_column_heading(client, governance, lead, plan, update, thread_update):
    submit(thread_update, lead)
    client.force_login(governance)
    workforce = (
        f"workstream-{WorkstreamUpdate.objects.get(cycle=plan.cycle, workstream=plan.other).pk}"
    )
    digital, thread = f"workstream-{update.pk}", f"thread-{thread_update.pk}"
    html = _page(client, plan)
    assert "aria-sort" not in html  # plan order: no column is sorted
    assert _listed(html) == [digital, workforce, thread] or _listed(html) == [
        workforce,
        digital,
        thread,
    ]
    # The heading links sort, keeping the filters; the sorted column says so (aria-sort).
    assert 'href="?sort=update#updates">Update</a>' in html
    html = _page(client, plan, "?sort=update")
    by_name = sorted(
        [(update.workstream.name, digital), ("WORKFORCE", workforce), (str(plan.thread), thread)],
        key=lambda pair: pair[0].lower(),
    )
    assert _listed(html) == [row for _, row in by_name]
    assert re.search(r'aria-sort="ascending"><a class="nhsuk-link" href="\?sort=-update', html)
    assert "Sorted by update, a to z." in _count(html)
    html = _page(client, plan, "?sort=-update")
    assert _listed(html) == [row for _, row in reversed(by_name)]
    assert 'aria-sort="descending"' in html
    html = _page(client, plan, "?sort=-state&theme=")
    assert _listed(html)[0] == thread  # submitted before not started
    html = _page(client, plan, f"?sort=lead&lead={lead.pk}")
    assert f'href="?lead={lead.pk}&amp;sort=-lead#updates"' in html  # keeps the filter
    assert _listed(html) == [digital, thread]


def test_the_page_makes_as_many_queries_for_many_updates_as_for_few(client, governance, lead, plan):
    client.force_login(governance)
    query = f"?sort=-changed&lead={lead.pk}&state=NOT_STARTED"
    with CaptureQueriesContext(connection) as few:
        _page(client, plan, query)
    for _ in range(12):
        workstream = factories.WorkstreamFactory()
        workstream.leads.add(lead, factories.UserFactory())
        workstream.deputies.add(factories.UserFactory())
        factories.WorkstreamUpdateFactory(
            cycle=plan.cycle, workstream=workstream, state=WorkflowState.DRAFT
        )
    with CaptureQueriesContext(connection) as many:
        html = _page(client, plan, query)
    assert "Showing all" not in _count(html)
    assert len(_listed(_page(client, plan))) == 15
    assert len(many) == len(few)
