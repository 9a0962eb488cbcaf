"""The search's theme filter finds what belongs to the theme, not only what has one workstream
in it (issue 15): a BAF risk and its reviews under each of its strategic themes, a golden
thread's updates under the themes of the workstreams tagged with it, a milestone under those of
the workstreams it sits in. Changing those links (in the admin, an import or the shell) moves
the texts with them, on both ends of the link."""

import pytest

from reporting.models import SearchDocument
from workstreams.models import WorkstreamMilestone

from .. import factories
from .support import search, titles

pytestmark = pytest.mark.django_db

RISK = "BAF risk 07: Change and uncertainty"
REVIEW = "BAF risk 07 review, Q1 2021/22: Change and uncertainty"
THREAD = "Golden thread: Health inequalities: Q1 2021/22 update"
MILESTONE = "Telehealth contract signed"


def _in_theme(client, governance, theme, words="telehealth cyberattack"):
    found = set()
    for word in words.split():
        found |= set(titles(search(client, governance, word, theme=theme.pk)))
    return found


def test_a_risk_and_its_reviews_are_found_under_each_of_its_strategic_themes(
    client, governance, world
):
    world.risk.themes.add(world.care, world.roles)
    for theme in (world.care, world.roles):
        found = _in_theme(client, governance, theme)
        assert {RISK, REVIEW} <= found, theme
    # Taken out of a theme (from the theme's side of the link), it is no longer found there.
    world.roles.baf_risks.remove(world.risk)
    assert not {RISK, REVIEW} & _in_theme(client, governance, world.roles)
    assert {RISK, REVIEW} <= _in_theme(client, governance, world.care)
    # Cleared of every theme, it is found under none but still found without the filter.
    world.risk.themes.clear()
    assert not {RISK, REVIEW} & _in_theme(client, governance, world.care)
    assert RISK in titles(search(client, governance, "cyberattack"))


def test_a_golden_threads_updates_are_found_under_its_workstreams_themes(client, governance, world):
    assert THREAD not in _in_theme(client, governance, world.care)
    world.digital.golden_threads.add(world.thread)
    assert THREAD in _in_theme(client, governance, world.care)
    assert THREAD not in _in_theme(client, governance, world.roles)
    # Tagged from the thread's side too.
    world.thread.workstreams.add(world.workforce)
    assert THREAD in _in_theme(client, governance, world.roles)
    # A workstream moved to another theme takes the thread's updates with it.
    world.digital.theme = world.roles
    world.digital.save()
    assert THREAD not in _in_theme(client, governance, world.care)
    world.workforce.golden_threads.remove(world.thread)
    world.digital.golden_threads.clear()
    assert THREAD not in _in_theme(client, governance, world.roles)


def test_a_milestone_is_found_under_the_themes_of_the_workstreams_it_sits_in(
    client, governance, world
):
    assert MILESTONE not in _in_theme(client, governance, world.care)
    link = WorkstreamMilestone.objects.create(workstream=world.digital, milestone=world.milestone)
    assert MILESTONE in _in_theme(client, governance, world.care)
    assert MILESTONE not in _in_theme(client, governance, world.roles)
    link.delete()
    assert MILESTONE not in _in_theme(client, governance, world.care)


def test_a_theme_matches_its_own_id_not_one_that_contains_its_digits(client, governance, world):
    other = factories.ThemeFactory(name="Another")
    # Theme ids 1 and 11, say: " 11 " must not match a filter for 1.
    SearchDocument.objects.filter(kind="risk").update(
        themes=SearchDocument.themes_value([int(f"{other.pk}{other.pk}")])
    )
    assert RISK not in _in_theme(client, governance, other)
    assert SearchDocument.themes_value([3, 1, 3]) == " 1 3 "
    assert SearchDocument.themes_value([]) == ""
