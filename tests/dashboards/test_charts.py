"""The SVG charts (reporting/charts.py) are pure: the counts and scores they are given are the
ones they draw and say in words, every text is escaped, and the colours are the palette's."""

import re

from ics_portal import palette
from reporting import charts
from reporting.numbers import StatusCounts


def _counts(label, **statuses):
    counts = StatusCounts(label)
    for status, n in statuses.items():
        counts.add("APPROVED", status, n)
    return counts


def test_the_stacked_bar_draws_and_says_each_count():
    theme = _counts("Digital", ON_TRACK=3, DELAYED=1)
    theme.add("DRAFT", "AT_RISK")  # a draft's status is not counted: "Not yet approved"
    svg = charts.stacked_status_bars(charts.bar_groups([theme]), chart_id="c", title="Statuses")
    segments = re.findall(r"<title>([^<]+): (\d+)</title></rect>", svg)
    assert segments == [("On track", "3"), ("Delayed", "1"), ("Not yet approved", "1")]
    assert "Digital: On track 3, Delayed 1, Not yet approved 1 (of 5)" in svg
    assert "(5 updates)" in svg
    # Each segment's share of the bar is its share of the updates.
    widths = [
        float(w) for w in re.findall(r'class="app-chart__segment"[^>]* width="([\d.]+)"', svg)
    ]
    assert [round(w / sum(widths), 2) for w in widths] == [0.6, 0.2, 0.2]
    # The legend names each colour in words (never colour alone), in the palette's colours.
    for word in ("On track", "Delayed", "Not yet approved"):
        assert f">{word}</text>" in svg
    assert palette.colour("green").fill in svg and palette.colour("red").fill in svg
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg


def test_the_stacked_bar_escapes_its_text():
    svg = charts.stacked_status_bars(
        charts.bar_groups([_counts("<script>alert(1)</script>", ON_TRACK=1)]),
        chart_id="c",
        title='Say "<b>"',
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg


def test_an_empty_group_draws_no_segment():
    svg = charts.stacked_status_bars(
        charts.bar_groups([_counts("Nothing")]), chart_id="c", title="Statuses"
    )
    assert "app-chart__segment" not in svg
    assert "Nothing: none (of 0)" in svg


def _point(quarter, value, band="High", colour="amber"):
    return charts.ScorePoint(quarter, quarter, value, band, palette.colour(colour))


def test_the_small_multiple_draws_every_quarter_on_one_scale():
    points = [_point("Q1 2021/22", 12), _point("Q2 2021/22", 16, "Extreme", "red")]
    svg = charts.score_small_multiple(points, chart_id="r", title="Risk <07>")
    circles = re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)
    assert len(circles) == 2
    assert float(circles[1]) < float(circles[0])  # a higher score is drawn higher
    assert "Score by quarter: Q1 2021/22 12 High; Q2 2021/22 16 Extreme" in svg
    assert ">16 Extreme</text>" in svg  # the latest score in words
    assert "Risk &lt;07&gt;" in svg
    assert palette.colour("red").fill in svg


def test_a_small_multiple_without_reviews_says_so():
    svg = charts.score_small_multiple([], chart_id="r", title="Risk 07")
    assert "No accepted review yet." in svg and "<circle" not in svg


def test_small_multiples_share_the_quarters_axis():
    quarters = [("Q1 2021/22", "Q1 21/22"), ("Q2 2021/22", "Q2 21/22"), ("Q3 2021/22", "Q3 21/22")]
    only_first_two = [_point("Q1 2021/22", 12), _point("Q2 2021/22", 12)]
    svg = charts.score_small_multiple(only_first_two, chart_id="r", title="t", quarters=quarters)
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    full = charts.score_small_multiple(
        [*only_first_two, _point("Q3 2021/22", 9)], chart_id="s", title="t", quarters=quarters
    )
    assert xs == [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', full)][:2]
    assert ">Q3 21/22</text>" in svg  # the shared axis ends at the newest quarter
