"""The demo's forums (issue 16): seed 004's committee table as written, the 2021 forums and
their reporting lines, and the board meetings the cycles name, as Meetings."""

import datetime

import pytest

from ics_portal.models import Forum, Meeting, Post


@pytest.fixture
def loaded(demo_once, db):
    """The demo data, loaded once for this module (tests/conftest.py)."""


def test_the_2018_committee_table_is_kept_as_written(loaded):
    audit = Forum.objects.get(name="Audit Committee")
    assert audit.frequency == Forum.Frequency.QUARTERLY
    assert audit.chair_label == "Lay Member Governance"
    assert audit.reports_to.name == "CCG Governing Body"
    assert [str(seat) for seat in audit.members.all()] == [
        "2 Lay Members",
        "3 GP Members",
        "CFO and CCG Secretary (in attendance)",
    ]
    cec = Forum.objects.get(abbreviation="CEC")
    assert (cec.frequency_label, cec.chair_post.short_name, cec.deputy_chair_post.short_name) == (
        "2/52",
        "AO",
        "CFO",
    )
    assert Forum.objects.filter(reports_to__name="CCG Governing Body").count() == 8


def test_posts_have_their_holders_and_aliases(loaded):
    officer = Post.objects.get(short_name="AO")
    assert officer.holder.email == "jan.thomas@example.nhs.uk"
    assert {alias.name for alias in officer.aliases.all()} >= {"Chief Officer"}
    assert Post.objects.get(short_name="CCG Sec.").holder is None


def test_each_cycles_board_meeting_is_a_meeting_of_its_forum(loaded):
    board = Forum.objects.get(name="System Partnership Board")
    meetings = Meeting.objects.filter(forum=board)
    assert meetings.count() >= 3
    assert meetings.get(date=datetime.date(2021, 7, 28)).in_public
    quality = Forum.objects.get(abbreviation="SQG")
    assert quality.reports_to.abbreviation == "QPF"
    assert "Quality, Performance and Finance Committee" in quality.reports_to.names()
