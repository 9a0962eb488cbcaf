"""What the plan pages show (issue 15): each page's contents, only approved updates' text and
statuses whoever reads, quarter by quarter with previous and next, and a clear answer to a bad
address or a quarter that has no approved update."""

import re

import pytest
from django.urls import reverse

from ics_portal.navigation import navigation_for
from reporting.plan_presenters import RISKS_HIDDEN


def _get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- addresses and navigation --------------------------------------------------------------------


def test_each_plan_object_knows_its_page(history):
    assert history.theme.get_absolute_url() == f"/plan/themes/{history.theme.pk}/"
    assert history.thread.get_absolute_url() == f"/plan/golden-threads/{history.thread.pk}/"
    assert history.digital.get_absolute_url() == f"/plan/workstreams/{history.digital.pk}/"
    assert history.org_a.get_absolute_url() == f"/plan/organisations/{history.org_a.pk}/"


@pytest.mark.parametrize("who", ["outsider", "board_member", "lead", "governance"])
def test_the_header_offers_the_plan_to_everyone_signed_in(rf, request, who):
    page = rf.get("/")
    page.user = request.getfixturevalue(who)
    assert "Plan" in [item.label for item in navigation_for(page)]


@pytest.mark.parametrize(
    "name", ["plan:theme", "plan:thread", "plan:workstream", "plan:organisation"]
)
def test_a_page_for_something_that_does_not_exist_is_404(client, board_member, name):
    client.force_login(board_member)
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


def test_someone_not_signed_in_is_sent_to_sign_in(client, history):
    response = client.get(history.digital.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the index and a theme ---------------------------------------------------------------------


def test_the_index_lists_themes_with_workstreams_golden_threads_and_organisations(
    client, board_member, history
):
    html = _get(client, board_member, reverse("plan:index"))
    for obj in (history.theme, history.digital, history.workforce, history.thread, history.org_a):
        assert f'href="{obj.get_absolute_url()}"' in html
    assert "SECRET" not in html


def test_a_theme_lists_its_leads_and_where_each_workstream_stands(client, board_member, history):
    html = _text(_get(client, board_member, history.theme.get_absolute_url()))
    assert "Lee Lead (PT-A)" in html
    # DIGITAL stands as its Q2 approved update says, not as its Q3 draft does.
    assert "DIGITAL Lee Lead (PT-A) Deputies: Dee Deputy (PT-B) At risk Delayed Q2 2021/22" in html
    # WORKFORCE's Q2 is submitted, not approved: it stands as its Q1 said.
    assert "WORKFORCE Ola Otherlead" in html
    assert "On track On track Q1 2021/22" in html
    assert "Complete" not in html


# --- a workstream --------------------------------------------------------------------------------


def test_a_workstream_shows_its_people_objectives_threads_risks_and_milestones(
    client, board_member, history
):
    html = _get(client, board_member, history.digital.get_absolute_url())
    text = _text(html)
    assert "Lee Lead (PT-A)" in text and "Dee Deputy (PT-B)" in text
    assert "1. Shared care record" in text
    assert f'href="{history.thread.get_absolute_url()}"' in html
    assert f'href="{history.risk.get_absolute_url()}"' in html
    assert "Current status At risk (approved Q2 2021/22 update)" in text
    assert "Forecast (next quarter) Delayed" in text
    # The milestone's status in each approved quarter, in order, and not the draft's.
    assert "Record procured (critical path) Delivery by Sept 2021 On track Delayed" in text


@pytest.mark.parametrize("who", ["outsider", "board_member", "lead", "other_lead", "governance"])
def test_only_approved_text_and_statuses_show_whoever_reads(client, request, history, who):
    """The lead wrote the draft and governance can read the submission on their update pages;
    on the plan pages nobody sees either."""
    user = request.getfixturevalue(who)
    for url in (
        history.digital.get_absolute_url(),
        history.workforce.get_absolute_url(),
        history.thread.get_absolute_url(),
        history.theme.get_absolute_url(),
        history.org_a.get_absolute_url(),
        reverse("plan:index"),
    ):
        html = _get(client, user, url)
        assert "SECRET" not in html, url
        assert '<h2 id="update">Q3 2021/22 update</h2>' not in html, url
    # WORKFORCE's quarters: Q1 only (its Q2 is submitted, not approved). Its leads are pointed
    # to the submission's own page above them (test_a_lead_is_pointed_to_their_draft…).
    html = _get(client, user, history.workforce.get_absolute_url())
    quarters = _text(html[html.index('id="quarters"') :])
    assert "Q1 2021/22" in quarters
    assert "Q2 2021/22" not in quarters.replace("Plans for Q2 2021/22", "")


def test_the_latest_approved_update_shows_with_a_link_to_the_quarter_before(
    client, board_member, history
):
    html = _get(client, board_member, history.digital.get_absolute_url())
    text = _text(html)
    assert "Q2 2021/22 update" in text
    assert "five practices" in text and "two practices" not in text
    assert f'href="?quarter={history.q1.pk}#update" rel="prev"' in html
    assert 'rel="next"' not in html
    assert "This is the latest approved update." in text


def test_an_earlier_quarter_shows_with_a_link_to_the_next(client, board_member, history):
    html = _get(client, board_member, history.digital.get_absolute_url(), quarter=history.q1.pk)
    text = _text(html)
    assert "Q1 2021/22 update" in text
    assert "two practices" in text and "five practices" not in text
    assert f'href="?quarter={history.q2.pk}#update" rel="next"' in html
    assert 'rel="prev"' not in html


@pytest.mark.parametrize("quarter", ["abc", "-1", "999999", "q3"])
def test_a_quarter_with_no_approved_update_says_so_and_shows_the_latest(
    client, board_member, history, quarter
):
    html = _text(_get(client, board_member, history.digital.get_absolute_url(), quarter=quarter))
    assert "There is no approved update for the quarter asked for" in html
    assert "Q2 2021/22 update" in html and "five practices" in html


def test_the_draft_quarter_cannot_be_asked_for(client, lead, history):
    html = _text(_get(client, lead, history.digital.get_absolute_url(), quarter=history.q3.pk))
    assert "There is no approved update for the quarter asked for" in html
    assert "SECRET" not in html


def test_a_workstream_with_no_approved_update_says_so(client, board_member, history):
    history.workforce.updates.all().delete()
    html = _text(_get(client, board_member, history.workforce.get_absolute_url()))
    assert "No update has been approved yet." in html
    assert "No approved update yet" in html


# --- comparing two quarters ------------------------------------------------------------------------


def test_two_quarters_compare_word_by_word_with_status_and_milestone_changes(
    client, board_member, history
):
    html = _get(
        client,
        board_member,
        history.digital.get_absolute_url(),
        before=history.q1.pk,
        after=history.q2.pk,
    )
    assert "<del> two</del><ins> five</ins>" in html
    comparison = _text(html[html.index('id="comparison"') :])
    assert "What changed from Q1 2021/22 to Q2 2021/22" in comparison
    assert "Overall status On track At risk Changed" in comparison
    assert "Record procured" in comparison and "On track to Delayed" in comparison
    assert "BAF risk linked: Risk 07: Change and uncertainty" in comparison
    assert "SECRET" not in html


def test_quarters_chosen_the_other_way_round_compare_earlier_to_later(
    client, board_member, history
):
    url = history.digital.get_absolute_url()
    forwards = _get(client, board_member, url, before=history.q1.pk, after=history.q2.pk)
    backwards = _get(client, board_member, url, before=history.q2.pk, after=history.q1.pk)
    assert "<del> two</del><ins> five</ins>" in backwards
    assert forwards.count("<ins>") == backwards.count("<ins>")


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ("q1", "q1", "Choose two different quarters to compare."),
        ("q1", "q3", "only quarters with an approved update can be compared"),
        ("x", "q2", "only quarters with an approved update can be compared"),
        ("q1", "", "Choose the quarter to compare with it."),
    ],
)
def test_a_bad_comparison_says_what_to_choose(
    client, board_member, history, before, after, message
):
    cycles = {"q1": history.q1.pk, "q2": history.q2.pk, "q3": history.q3.pk}
    html = _get(
        client,
        board_member,
        history.digital.get_absolute_url(),
        before=cycles.get(before, before),
        after=cycles.get(after, after),
    )
    assert message in html
    assert 'class="nhsuk-error-summary"' in html
    assert 'id="comparison"' not in html
    assert "SECRET" not in html


def test_a_thread_compares_its_quarters_too(client, board_member, history, governance):
    from django.utils import timezone

    from reporting.models import GoldenThreadUpdate

    GoldenThreadUpdate.objects.filter(golden_thread=history.thread, cycle=history.q2).update(
        state="APPROVED",
        quarter_update="<p>Thread work grew.</p>",
        approved_at=timezone.now(),
        approved_by=governance,
    )
    html = _get(
        client,
        board_member,
        history.thread.get_absolute_url(),
        before=history.q1.pk,
        after=history.q2.pk,
    )
    assert "<del> began.</del><ins> grew.</ins>" in html


# --- a golden thread ----------------------------------------------------------------------------


def test_a_golden_thread_shows_its_workstreams_updates_and_risks(client, board_member, history):
    html = _get(client, board_member, history.thread.get_absolute_url())
    text = _text(html)
    assert "System leads Lee Lead (PT-A)" in text
    assert f'href="{history.digital.get_absolute_url()}"' in html
    assert "DIGITAL Lee Lead (PT-A) Deputies: Dee Deputy (PT-B) At risk Delayed Q2 2021/22" in text
    assert "Thread work began." in text
    # Its update's risk and its workstream's risk.
    assert f'href="{history.risk.get_absolute_url()}"' in html
    assert f'href="{history.thread_risk.get_absolute_url()}"' in html
    assert "Q1 2021/22 update" in text and "Q2 2021/22 update" not in text


# --- an organisation ----------------------------------------------------------------------------


def test_an_organisation_shows_what_its_people_lead_and_how_each_stands(
    client, board_member, history
):
    html = _get(client, board_member, history.org_a.get_absolute_url())
    text = _text(html)
    assert "DIGITAL System and digital Lead: Lee Lead At risk Delayed Q2 2021/22" in text
    assert f'href="{history.thread.get_absolute_url()}"' in html
    assert f'href="{history.theme.get_absolute_url()}"' in html
    assert "Risk 07: Change and uncertainty 12 High" in text
    assert "WORKFORCE" not in text
    deputy_org = _text(_get(client, board_member, history.org_b.get_absolute_url()))
    assert "DIGITAL System and digital Deputy: Dee Deputy" in deputy_org
    assert "No BAF risks are owned in this organisation." in deputy_org


def test_someone_who_may_not_read_the_baf_sees_no_risk_links(client, outsider, history):
    for url in (
        history.digital.get_absolute_url(),
        history.thread.get_absolute_url(),
        history.org_a.get_absolute_url(),
    ):
        html = _get(client, outsider, url)
        assert RISKS_HIDDEN in html
        assert "/risks/" not in html, url


def test_a_lead_is_pointed_to_their_draft_on_its_own_page(client, lead, history):
    html = _get(client, lead, history.digital.get_absolute_url())
    assert 'id="newer-update"' in html
    assert f'href="{history.digital_q3.get_absolute_url()}"' in html
    assert "Q3 2021/22 update (draft)" in html
    assert "SECRET" not in html


@pytest.mark.parametrize("who", ["board_member", "outsider", "other_lead"])
def test_a_reader_of_approved_updates_only_is_pointed_nowhere_else(client, request, history, who):
    html = _get(client, request.getfixturevalue(who), history.digital.get_absolute_url())
    assert 'id="newer-update"' not in html


def test_a_bad_comparison_puts_error_in_the_title(client, board_member, history):
    url = history.digital.get_absolute_url()
    html = _get(client, board_member, url, before=history.q1.pk, after=history.q1.pk)
    assert re.search(r"<title>\s*Error: DIGITAL", html)
    assert not re.search(r"<title>\s*Error:", _get(client, board_member, url))
