"""The governance structure page (/forums/): every forum under the one it reports to, as a
nested list and as a drawing, for everyone signed in, in the same queries however many forums
there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from ics_portal import forum_presenters
from ics_portal.models import Forum, ForumAlias, Post

pytestmark = pytest.mark.django_db
URL = "/forums/"


def _tree(board_count: int = 1):
    chair = Post.objects.create(title="Accountable Officer", short_name="AO")
    top = Forum.objects.create(name="CCG Governing Body", kind=Forum.Kind.BOARD, meets_in="BOTH")
    audit = Forum.objects.create(
        name="Audit Committee", reports_to=top, frequency="QUARTERLY", chair_label="Lay Member"
    )
    Forum.objects.create(
        name="Clinical Executive Committee",
        abbreviation="CEC",
        reports_to=top,
        frequency="FORTNIGHTLY",
        frequency_label="2/52",
        chair_post=chair,
    )
    Forum.objects.create(name="Audit Sub-group", reports_to=audit)
    ForumAlias.objects.create(forum=top, name="Governing Body")
    for n in range(board_count - 1):
        Forum.objects.create(name=f"Board {n}", kind=Forum.Kind.BOARD)


def test_the_url_is_the_structure_page():
    assert reverse("forums:structure") == URL


def test_each_forum_is_listed_under_the_one_it_reports_to(client, board_member):
    _tree()
    client.force_login(board_member)
    page = lxml_html.fromstring(client.get(URL).content)
    top = page.xpath("//main//ul[contains(@class, 'app-forum-tree--top')]/li")
    assert [li.xpath("string(strong)") for li in top] == ["CCG Governing Body"]
    assert "Also written as “Governing Body”" in top[0].xpath("string(span[2])")
    under = top[0].xpath("ul/li")
    assert [li.xpath("string(strong)") for li in under] == [
        "Audit Committee",
        "Clinical Executive Committee",
    ]
    assert under[0].xpath("string(ul/li/strong)") == "Audit Sub-group"
    words = " ".join(under[1].xpath("string(span)").split())
    assert words == "Committee · meets 2/52 · chaired by the Accountable Officer"
    assert "meets quarterly · chaired by the Lay Member" in under[0].xpath("string(span)")


def test_the_drawing_has_a_box_per_forum_and_a_line_to_each_parent(client, lead):
    _tree()
    client.force_login(lead)
    page = lxml_html.fromstring(client.get(URL).content)
    svg = page.xpath("//main//svg")[0]
    assert svg.get("role") == "img"
    assert len(svg.xpath("rect")) == 4
    # The governing body's line down and two across; the audit committee's down and across.
    assert len(svg.xpath("line")) == 5
    texts = [" ".join(t.text_content().split()) for t in svg.xpath("text")]
    assert "CEC · Clinical Executive Committee" in texts


def test_a_loop_saved_before_the_checks_existed_is_still_shown(client, lead):
    first = Forum.objects.create(name="First")
    second = Forum.objects.create(name="Second", reports_to=first)
    Forum.objects.filter(pk=first.pk).update(reports_to=second)
    client.force_login(lead)
    page = lxml_html.fromstring(client.get(URL).content)
    names = page.xpath("//main//ul[contains(@class, 'app-forum-tree')]//li/strong/text()")
    assert sorted(names) == ["First", "Second"]


def test_no_forums_says_so(client, lead):
    client.force_login(lead)
    assert "No forums have been set up yet" in client.get(URL).content.decode()


def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_queries_do_not_grow_with_the_forums(client, governance):
    _tree()
    client.force_login(governance)
    few = _queries(client)
    chair = Post.objects.create(title="Chair", short_name="Chair")
    for n in range(30):
        parent = Forum.objects.create(name=f"Board {n}", chair_post=chair)
        Forum.objects.create(name=f"Group {n}", reports_to=parent, chair_post=chair)
        ForumAlias.objects.create(forum=parent, name=f"B{n}")
    assert _queries(client) == few
    # Session, person, roles and the layout's navigation, then the forums and their aliases.
    assert few <= 9


def test_governance_sees_each_name_as_written_and_what_it_reads_as(client, governance):
    from tests import factories

    Forum.objects.create(name="System Partnership Board", abbreviation="PB")
    factories.ReportingCycleFactory(
        fy_start_year=2021, quarter=1, board_forum="System Partnership Board Meeting in Public"
    )
    factories.ReportingCycleFactory(fy_start_year=2021, quarter=2, board_forum="SPB  Board")
    factories.ReportingCycleFactory(fy_start_year=2021, quarter=3, board_forum="SPB Board")
    client.force_login(governance)
    page = lxml_html.fromstring(client.get(reverse("forums:names")).content)
    rows = [
        [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in page.xpath("//main//tbody/tr")
    ]
    assert rows == [
        ["SPB Board", "Reporting cycles' board meeting (2)", "Not matched"],
        [
            "System Partnership Board Meeting in Public",
            "Reporting cycles' board meeting (1)",
            "System Partnership Board",
        ],
    ]


def test_only_governance_knows_the_names_page_exists(client, lead, board_member, governance):
    names = reverse("forums:names")
    for person in (lead, board_member):
        client.force_login(person)
        assert client.get(names).status_code == 404
        assert names not in client.get(URL).content.decode()
    client.force_login(governance)
    assert names in client.get(URL).content.decode()


def test_a_long_name_is_cut_in_the_drawing_and_whole_in_the_list(client, lead):
    name = "Quality, Outcomes and Performance Committee of the Governing Body"
    Forum.objects.create(name=name, abbreviation="QOP")
    client.force_login(lead)
    page = lxml_html.fromstring(client.get(URL).content)
    assert page.xpath("string(//main//li/strong)") == name
    label = page.xpath("string(//main//svg/text)")
    assert label.startswith("QOP · Quality, Outcomes") and label.endswith("…")
    assert len(label) <= forum_presenters.BOX_CHARACTERS
