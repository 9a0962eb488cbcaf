"""Forum names as the seeds write them, matched to forums (ics_portal/forum_names.py): by name,
abbreviation or alias, whatever the case, punctuation or sitting; nothing guessed."""

import pytest

from ics_portal.forum_names import match, normalise_forum_name, says_in_public

FORUMS = [
    ("SPB", ["System Partnership Board", "", "Partnership Board"]),
    ("SQG", ["System Quality Group", "SQG"]),
    (
        "QPF",
        [
            "ICB Performance, Quality and Finance Committee",
            "QPF",
            "Quality, Performance and Finance Committee",
        ],
    ),
    ("REM", ["Remuneration & Terms of Service Committee", ""]),
    ("SOAG", ["System Oversight and Assurance Group", "SOAG"]),
]


@pytest.mark.parametrize(
    ("written", "forum"),
    [
        ("System Partnership Board Meeting in Public", "SPB"),
        ("system partnership board", "SPB"),
        ("Partnership Board meeting", "SPB"),
        ("SQG", "SQG"),
        ("sqg", "SQG"),
        ("Quality, Performance and Finance Committee", "QPF"),
        ("ICB Performance, Quality & Finance Committee", "QPF"),
        ("Remuneration and Terms of Service Committee", "REM"),
        ("SOAG Part B", "SOAG"),
        ("System Oversight and Assurance Group (in private)", "SOAG"),
    ],
)
def test_a_forum_is_found_by_any_name_it_answers_to(written, forum):
    assert match(written, FORUMS) == forum


@pytest.mark.parametrize("written", ["", "   ", "Health Gold", "Board", "Quality Committee"])
def test_an_unknown_name_matches_nothing(written):
    assert match(written, FORUMS) is None


def test_a_name_two_forums_answer_to_matches_neither():
    forums = [("A", ["Transition Board"]), ("B", ["CCG Transition Board", "Transition Board"])]
    assert match("Transition Board", forums) is None
    assert match("CCG Transition Board", forums) == "B"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("System Partnership Board Meeting in Public", "system partnership board"),
        (
            "Remuneration & Terms of Service Committee",
            "remuneration and terms of service committee",
        ),
        ("  Joint   Clinical Group. ", "joint clinical group"),
        ("SOAG – Part B", "soag"),
    ],
)
def test_names_are_compared_without_case_punctuation_or_sitting(written, normalised):
    assert normalise_forum_name(written) == normalised


@pytest.mark.parametrize(
    ("written", "public"),
    [
        ("System Partnership Board Meeting in Public", True),
        ("Board meeting in private", False),
        ("SOAG Part B", False),
        ("System Leaders", None),
    ],
)
def test_the_sitting_is_read_from_the_words(written, public):
    assert says_in_public(written) is public
