"""The search page (issue 15): words across every quarter's updates, objectives, milestones and
BAF texts, ranked, the matching passage highlighted (and escaped), filtered, a page at a time;
only what the reader may see; no query ever fails. Runs on SQLite (FTS5) and PostgreSQL
(full-text search) alike: the suite is run on both."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from reporting.models import SearchDocument
from reporting.search_query import search_terms

from .. import factories
from .support import search, titles

pytestmark = pytest.mark.django_db


# --- it works ---------------------------------------------------------------------------------


def test_it_finds_words_in_every_kind_of_text_in_every_quarter(client, governance, world):
    found = titles(search(client, governance, "telehealth"))
    assert set(found) == {
        "DIGITAL: Q1 2021/22 update",
        "DIGITAL: Q2 2021/22 update",
        "Golden thread: Health inequalities: Q1 2021/22 update",
        "DIGITAL objective 1",
        "Telehealth contract signed",
        "BAF risk 07 review, Q1 2021/22: Change and uncertainty",
    }


def test_it_finds_risk_texts_with_their_markup_stripped(client, governance, world):
    html = search(client, governance, "cyberattack drills")
    assert titles(html) == ["BAF risk 07: Change and uncertainty"]
    assert "Monthly <mark>cyberattack</mark> <mark>drills</mark>" in html
    assert "&lt;strong&gt;" not in html and "<strong>cyberattack" not in html


def test_words_match_their_other_forms(client, governance, world):
    # English stemming on both databases: "recruiting" finds "recruitment".
    assert titles(search(client, governance, "recruiting")) == ["WORKFORCE: Q1 2021/22 update"]


def test_each_result_says_its_kind_quarter_subject_and_status(client, governance, world):
    html = search(client, governance, "recruitment")
    assert "Workstream update" in html
    assert "Q1 2021/22" in html
    assert "Workstream: WORKFORCE" in html
    assert "status--delayed" in html and ">Delayed</strong>" in html  # word and colour
    assert ">Approved</strong>" in html
    update = world.updates.workforce_q1
    assert f'href="{update.get_absolute_url()}"' in html


def test_titles_outrank_text_and_more_mentions_outrank_fewer(client, governance, db):
    factories.ObjectiveFactory(text="Ambulance handover delays reduced")
    factories.MilestoneFactory(title="Ambulance hub opened", due_label="Ambulance by March")
    factories.BAFRiskFactory(title="Staffing", description="Ambulance crews are short.")
    found = titles(search(client, governance, "ambulance"))
    assert found[0] == "Ambulance hub opened"  # in the title, and again in the text
    assert len(found) == 3


def test_the_matching_passage_is_highlighted_and_the_rest_escaped(client, governance, world):
    world.objective.text = 'Telehealth <script>alert("x")</script> & "quotes"'
    world.objective.save()
    html = search(client, governance, "telehealth", kind="objective")
    assert "<mark>Telehealth</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in html
    assert "<script>alert" not in html


def test_what_a_lead_typed_as_markup_is_shown_as_text(client, governance, world):
    update = world.updates.digital_q1
    update.key_risks = "<p>Typed &lt;b&gt;kangaroo&lt;/b&gt; by hand.</p>"
    update.save()
    html = search(client, governance, "kangaroo")
    assert "&lt;b&gt;<mark>kangaroo</mark>&lt;/b&gt;" in html


# --- the index follows the texts ---------------------------------------------------------------


def test_saving_a_text_indexes_it_and_deleting_it_removes_it(client, governance, world):
    assert titles(search(client, governance, "narwhal")) == []
    factories.ObjectiveProgressFactory(
        update=world.updates.digital_q1,
        objective=world.objective,
        progress="<p>Narwhal pilot finished.</p>",
    )
    assert titles(search(client, governance, "narwhal")) == ["DIGITAL: Q1 2021/22 update"]
    world.updates.digital_q1.objective_progress.all().delete()
    assert titles(search(client, governance, "narwhal")) == []
    world.milestone.delete()
    assert "Telehealth contract signed" not in titles(search(client, governance, "telehealth"))


def test_renaming_a_workstream_renames_its_results(client, governance, world):
    world.digital.name = "DIGITAL AND DATA"
    world.digital.save()
    assert "DIGITAL AND DATA objective 1" in titles(search(client, governance, "telehealth"))


def test_rebuilding_the_index_gives_the_same_answers(client, governance, world):
    before = titles(search(client, governance, "telehealth"))
    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert titles(search(client, governance, "telehealth")) == before


# --- filters and pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"kind": "workstream_update"},
            {"DIGITAL: Q1 2021/22 update", "DIGITAL: Q2 2021/22 update"},
        ),
        ({"kind": "milestone"}, {"Telehealth contract signed"}),
        ({"status": "AT_RISK"}, {"DIGITAL: Q2 2021/22 update"}),
        ("quarter", None),
        ("theme", None),
    ],
)
def test_filters_narrow_the_results(client, governance, world, params, expected):
    if params == "quarter":
        params = {"quarter": world.q2.pk}
        expected = {"DIGITAL: Q2 2021/22 update"}
    elif params == "theme":
        params = {"theme": world.care.pk, "kind": "objective"}
        expected = {"DIGITAL objective 1"}
    assert set(titles(search(client, governance, "telehealth", **params))) == expected


@pytest.mark.parametrize("field", ["quarter", "theme", "status", "kind"])
def test_a_filter_that_is_not_one_is_a_message_not_an_error(client, governance, world, field):
    html = search(client, governance, "telehealth", **{field: "nonsense"})
    assert "There is a problem" in html
    assert "from the list" in html
    assert len(titles(html)) == 6  # the search still runs, without that filter


def test_results_come_a_page_at_a_time(client, governance, db):
    for n in range(25):
        factories.ObjectiveFactory(text=f"Pelican survey {n}")
    html = search(client, governance, "pelican")
    assert "25 results" in html and len(titles(html)) == 20
    assert "Page 1 of 2" in html
    assert "q=pelican&amp;page=2" in html
    assert len(titles(search(client, governance, "pelican", page=2))) == 5
    assert len(titles(search(client, governance, "pelican", page="zz"))) == 20
    assert len(titles(search(client, governance, "pelican", page=99))) == 5


# --- no query fails ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        '"',
        '"telehealth',
        "telehealth*",
        "-telehealth",
        "NEAR(telehealth data)",
        "telehealth OR NOT AND",
        "title:telehealth",
        "^telehealth",
        "{telehealth} (data) [x]",
        "telehealth's",
        "'; DROP TABLE reporting_searchdocument; --",
        "\x00\x02\x03 telehealth",
        "the and of",
        "tèléhealth ünïcode 中文",
        "telehealth " * 2000,
        "x" * 10000,
    ],
)
def test_no_query_fails(client, governance, world, q):
    html = search(client, governance, q)
    assert "<h1>Search</h1>" in html


def test_operators_are_words_not_syntax(client, governance, world):
    assert titles(search(client, governance, '"recruitment" -paused*')) == [
        "WORKFORCE: Q1 2021/22 update"
    ]


def test_a_long_query_is_cut_and_the_page_says_so(client, governance, world):
    html = search(client, governance, "telehealth " + "word " * 100)
    assert "Only the first 200 characters" in html


def test_a_query_of_common_words_asks_for_a_word(client, governance, world):
    html = search(client, governance, "the and of")
    assert "has none but common words" in html


def test_search_terms_are_plain_words():
    terms = search_terms('"Tele-health" NEAR(data) * the 07 -')
    assert terms.words == ("tele", "health", "near", "data", "07")


# --- the header's box ----------------------------------------------------------------------------


def test_every_page_has_the_search_box_for_those_signed_in(client, board_member, db):
    client.force_login(board_member)
    html = client.get(reverse("home")).content.decode()
    assert (
        '<form class="nhsuk-header__search-form" id="search" action="/search/" method="get"' in html
    )
    assert 'name="q" type="search"' in html


def test_the_box_keeps_the_words_on_the_results_page(client, governance, world):
    html = search(client, governance, "telehealth <b>")
    assert (
        'id="search-field" name="q" type="search" autocomplete="off" placeholder="Search" value="telehealth &lt;b&gt;"'
        in html
    )


def test_nobody_signed_out_sees_the_box(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "nhsuk-header__search" not in html


def test_opening_a_cycle_makes_its_prefilled_texts_findable(client, lead, governance, world):
    """Opening a quarter makes its updates' rows and its risk reviews in bulk (no signals): the
    index takes them all the same."""
    from reporting import actions

    factories.ObjectiveProgressFactory(
        update=world.updates.digital_q1,
        objective=world.objective,
        progress="<p>Ocelot clinics running.</p>",
    )
    q3 = factories.ReportingCycleFactory(fy_start_year=2021, quarter=3, status="DRAFT")
    actions.open_cycle(cycle=q3, by=governance)
    found = titles(search(client, lead, "ocelot"))
    assert "DIGITAL: Q3 2021/22 update" in found
    assert "BAF risk 07 review, Q3 2021/22: Change and uncertainty" in titles(
        search(client, lead, "cyberattack")
    )
