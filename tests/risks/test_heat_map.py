"""The heat map: every cell's count matches the data for current, target and initial scores;
cells take band and colour from the matrix; a cell links to the filtered register."""

import random
import re
from collections import Counter

import pytest
from django.urls import reverse

from risks import actions, presenters
from risks.models import RiskBand, RiskMatrix

from .. import factories

URL = reverse("risks:heat_map")
CELL = re.compile(
    r'<td class="risk-heat-map__cell risk-colour--(?P<colour>[\w-]+)"[^>]*'
    r'data-likelihood="(?P<l>\d)" data-consequence="(?P<c>\d)" data-count="(?P<n>\d+)">'
    r"(?P<body>.*?)</td>",
    re.S,
)


def _cells(html: str) -> dict[tuple[int, int], dict]:
    return {
        (int(m["l"]), int(m["c"])): {
            "count": int(m["n"]),
            "colour": m["colour"],
            "body": m["body"],
        }
        for m in CELL.finditer(html)
    }


@pytest.fixture
def scattered_risks(db, lead):
    """Thirty risks with scores spread over the grid (seeded, so the test is repeatable), and
    three closed ones that must not be counted."""
    rng = random.Random(4)
    made = []
    for n in range(1, 31):
        made.append(
            factories.BAFRiskFactory(
                reference=f"{n:02d}",
                initial_likelihood=rng.randint(1, 5),
                initial_consequence=rng.randint(1, 5),
                current_likelihood=rng.randint(1, 5),
                current_consequence=rng.randint(1, 5),
                target_likelihood=rng.randint(1, 5),
                target_consequence=rng.randint(1, 5),
            )
        )
    for n in range(31, 34):
        closed = factories.BAFRiskFactory(reference=f"{n:02d}", current_likelihood=5)
        actions.close_risk(risk=closed, by=lead, reason="No longer a risk.")
    return made


@pytest.mark.parametrize("basis", ["current", "target", "initial"])
def test_every_cell_count_matches_the_data(client, board_member, scattered_risks, basis):
    expected = Counter(
        (getattr(r, f"{basis}_likelihood"), getattr(r, f"{basis}_consequence"))
        for r in scattered_risks
    )
    expected_refs = {}
    for risk in scattered_risks:
        key = (getattr(risk, f"{basis}_likelihood"), getattr(risk, f"{basis}_consequence"))
        expected_refs.setdefault(key, []).append(risk.reference)
    client.force_login(board_member)
    html = client.get(URL, {"basis": basis}).content.decode()
    cells = _cells(html)
    assert len(cells) == 25
    for likelihood in range(1, 6):
        for consequence in range(1, 6):
            cell = cells[(likelihood, consequence)]
            assert cell["count"] == expected[(likelihood, consequence)], (
                basis,
                likelihood,
                consequence,
            )
            for reference in expected_refs.get((likelihood, consequence), []):
                assert reference in cell["body"]
    assert sum(c["count"] for c in cells.values()) == 30
    assert f"30 open risks by {basis} likelihood" in html
    # The presenter the board pack could share gives the same counts.
    grid = presenters.heat_map(basis)
    assert {(c.likelihood, c.consequence): c.count for r in grid.rows for c in r.cells} == {
        (lc, cc): expected[(lc, cc)] for lc in range(1, 6) for cc in range(1, 6)
    }


def test_cells_show_the_band_word_and_the_matrix_colour(client, board_member, scattered_risks):
    client.force_login(board_member)
    cells = _cells(client.get(URL).content.decode())
    assert cells[(5, 5)]["colour"] == "red" and "25 Extreme" in cells[(5, 5)]["body"]
    assert cells[(3, 4)]["colour"] == "amber" and "12 High" in cells[(3, 4)]["body"]
    assert cells[(2, 2)]["colour"] == "yellow" and "4 Moderate" in cells[(2, 2)]["body"]
    assert cells[(1, 3)]["colour"] == "green" and "3 Low" in cells[(1, 3)]["body"]


def test_a_new_matrix_version_recolours_the_grid(client, board_member, scattered_risks):
    matrix = RiskMatrix.objects.create(version=2, name="Stricter matrix")
    for name, low, high, colour in [
        ("Low", 1, 2, "green"),
        ("Moderate", 3, 5, "yellow"),
        ("Significant", 6, 10, "amber"),
        ("Severe", 12, 25, "red"),
    ]:
        RiskBand.objects.create(
            matrix=matrix, name=name, min_score=low, max_score=high, colour=colour
        )
    client.force_login(board_member)
    cells = _cells(client.get(URL).content.decode())
    assert cells[(3, 4)]["colour"] == "red" and "12 Severe" in cells[(3, 4)]["body"]
    assert "3 Moderate" in cells[(1, 3)]["body"]


def test_a_cell_links_to_the_filtered_register(client, board_member, scattered_risks):
    risk = scattered_risks[0]
    likelihood, consequence = risk.target_likelihood, risk.target_consequence
    client.force_login(board_member)
    cell = _cells(client.get(URL, {"basis": "target"}).content.decode())[(likelihood, consequence)]
    link = re.search(r'href="([^"]+)"', cell["body"]).group(1).replace("&amp;", "&")
    assert link == (
        f"{reverse('risks:register')}?likelihood={likelihood}&consequence={consequence}"
        "&basis=target"
    )
    html = client.get(link).content.decode()
    shown = re.findall(r'id="risk-([^"]+)"', html)
    assert risk.reference in shown
    assert len(shown) == cell["count"]


def test_the_switch_marks_the_basis_shown_and_unknown_basis_means_current(
    client, board_member, scattered_risks
):
    client.force_login(board_member)
    html = client.get(URL, {"basis": "target"}).content.decode()
    assert '<strong aria-current="page">Target scores</strong>' in html
    assert 'href="?basis=current"' in html and 'href="?basis=initial"' in html
    html = client.get(URL, {"basis": "nonsense"}).content.decode()
    assert '<strong aria-current="page">Current scores</strong>' in html


def test_it_is_a_table_with_row_and_column_headers(client, board_member, scattered_risks):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert '<th scope="col" class="risk-heat-map__level">5 <span' in html
    assert '<th scope="row" class="risk-heat-map__level">5 <span' in html
    assert "Almost certain" in html and "Catastrophic" in html
    assert html.count("<h1") == 1


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_outsider_gets_404(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "lead", "governance"])
def test_readers_see_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 200
