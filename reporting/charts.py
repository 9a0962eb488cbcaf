"""Server-rendered SVG charts: pure functions, data in and SVG markup out (every text escaped).

No JavaScript draws a chart (issue 15): each function returns markup a page, or the board
pack's self-contained document, puts inline. The numbers come from presenters (the status
counts from reporting/numbers.py, risk scores from risks/presenters.py), so a chart and its
table alternative, which every page shows beside it, read the same. Colours come from the
one palette (ics_portal/palette.py): each segment or point is filled with its colour's solid
fill and edged with its dark ink, so its edge shows on a white page (WCAG 1.4.11), and every
colour is named by its word in the chart (a count's label and the legend) and in the table:
never colour alone.

The charts are images to assistive technology (role="img", labelled by their <title> and
<desc>), since their table alternative says the same thing in a form a screen reader can walk.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ics_portal import palette

_TEXT = "#212b32"
_AXIS = "#4c6272"  # NHS secondary text: 7:1 on white
_GRID = "#d8dde0"
_FONT = 'font-family="Frutiger W01, Arial, sans-serif"'


def _number(value: float) -> str:
    """Coordinates rounded, and written without a trailing ".0"."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _open_svg(*, chart_id: str, width: float, height: float, title: str, description: str):
    return format_html(
        '<svg class="app-chart" id="{id}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        id=chart_id,
        w=_number(width),
        h=_number(height),
        title=title,
        desc=description,
    )


# --- the stacked status bar -------------------------------------------------------------------


@dataclass(frozen=True)
class BarSegment:
    """One status's part of a group's bar."""

    label: str  # the status word: "On track"
    count: int
    colour: palette.Colour


@dataclass(frozen=True)
class BarGroup:
    """One bar: a theme (or the golden threads, or every update) and its segments in order."""

    label: str
    segments: Sequence[BarSegment]

    @property
    def total(self) -> int:
        return sum(segment.count for segment in self.segments)


def bar_groups(status_counts) -> list[BarGroup]:
    """BarGroups from reporting.numbers.StatusCounts (the one place that counts): each group's
    non-empty statuses, in the table's order."""
    return [
        BarGroup(
            counts.label,
            [BarSegment(c.label, c.count, c.colour) for c in counts.shown],
        )
        for counts in status_counts
    ]


_BAR_WIDTH = 560
_BAR_LEFT = 8
_BAR_HEIGHT = 28
_LABEL_HEIGHT = 22
_GROUP_GAP = 14
_COUNT_ROW = 18  # a row of counts beneath a bar, for segments too narrow to hold theirs
_COUNT_SIZE = 14


def _count_width(count: int) -> float:
    """A bold count's width at _COUNT_SIZE (about 0.6em a digit), with a margin either side."""
    return len(str(count)) * _COUNT_SIZE * 0.6 + 8


@dataclass(frozen=True)
class _Placed:
    """A segment's place in its bar, and where its count is written: inside (row None) or on
    a row beneath the bar (0, 1, …) with a tick up to the segment's middle."""

    segment: BarSegment
    x: float
    width: float
    count_x: float
    row: int | None


def _place(group: BarGroup) -> list[_Placed]:
    """Each non-empty segment laid out left to right, its count inside when it fits, else on
    the first row beneath the bar where it clears the count before it (so no two counts on a
    row overlap, however many segments are thin)."""
    placed, x = [], float(_BAR_LEFT)
    row_ends: list[float] = []  # the right edge of the last count written on each row
    for segment in group.segments:
        if not segment.count:
            continue
        width = _BAR_WIDTH * segment.count / group.total
        middle = x + width / 2
        needed = _count_width(segment.count)
        if needed <= width:
            placed.append(_Placed(segment, x, width, middle, None))
        else:
            left = min(max(middle - needed / 2, _BAR_LEFT), _BAR_LEFT + _BAR_WIDTH - needed)
            row = next((i for i, end in enumerate(row_ends) if left >= end), None)
            if row is None:
                row = len(row_ends)
                row_ends.append(0.0)
            row_ends[row] = left + needed
            placed.append(_Placed(segment, x, width, left + needed / 2, row))
        x += width
    return placed


def bars_description(groups: Sequence[BarGroup]) -> str:
    """Every group's counts in words: "Digital: On track 3, Delayed 1 (of 4); …"."""
    return "; ".join(
        f"{group.label}: "
        + (", ".join(f"{s.label} {s.count}" for s in group.segments if s.count) or "none")
        + f" (of {group.total})"
        for group in groups
    )


def stacked_status_bars(
    groups: Sequence[BarGroup], *, chart_id: str, title: str, description: str = ""
) -> SafeString:
    """A horizontal bar per group, each the same full width (its share of that group's
    updates), its segments in order, each with its count: inside it when the count fits, else
    beneath the bar with a tick to it (the printed pack has no hover). The group's label and
    total above it, and a legend of the status words below. `description` defaults to every
    group's counts in words (bars_description)."""
    description = description or bars_description(groups)
    legend_entries = _legend_entries(groups)
    layouts = [_place(group) for group in groups]
    tops, top = [], 8.0
    for layout in layouts:
        tops.append(top)
        rows = max((p.row + 1 for p in layout if p.row is not None), default=0)
        top += _LABEL_HEIGHT + _BAR_HEIGHT + (4 + _COUNT_ROW * rows if rows else 0) + _GROUP_GAP
    legend_top = top
    legend_rows = (len(legend_entries) + 2) // 3
    height = legend_top + 24 * legend_rows + 8
    width = _BAR_LEFT * 2 + _BAR_WIDTH
    parts = [
        _open_svg(
            chart_id=chart_id, width=width, height=height, title=title, description=description
        )
    ]
    for group, layout, top in zip(groups, layouts, tops, strict=True):
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" fill="{fill}" font-size="15" {font}>{label} '
                '<tspan fill="{axis}">({total})</tspan></text>',
                x=_BAR_LEFT,
                y=_number(top + 16),
                fill=_TEXT,
                font=mark_safe(_FONT),
                label=group.label,
                axis=_AXIS,
                total=f"{group.total} update{'s' if group.total != 1 else ''}",
            )
        )
        bar_top = top + _LABEL_HEIGHT
        for p in layout:
            parts.append(
                format_html(
                    '<rect class="app-chart__segment" x="{x}" y="{y}" width="{w}" height="{h}" '
                    'fill="{fill}" stroke="{edge}" stroke-width="1">'
                    "<title>{label}: {count}</title></rect>",
                    x=_number(p.x),
                    y=_number(bar_top),
                    w=_number(p.width),
                    h=_BAR_HEIGHT,
                    fill=p.segment.colour.fill,
                    edge=p.segment.colour.ink,
                    label=p.segment.label,
                    count=p.segment.count,
                )
            )
        for p in layout:
            if p.row is None:
                count_y, fill = bar_top + 19, p.segment.colour.on_fill
            else:
                count_y, fill = bar_top + _BAR_HEIGHT + 4 + _COUNT_ROW * (p.row + 1) - 4, _TEXT
                parts.append(
                    format_html(
                        '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="{axis}" '
                        'stroke-width="1"></line>',
                        x=_number(p.x + p.width / 2),
                        y1=_number(bar_top + _BAR_HEIGHT),
                        y2=_number(bar_top + _BAR_HEIGHT + 4 + _COUNT_ROW * p.row),
                        axis=_AXIS,
                    )
                )
            parts.append(
                format_html(
                    '<text class="app-chart__count" x="{x}" y="{y}" fill="{fill}" '
                    'font-size="{size}" font-weight="bold" text-anchor="middle" {font} '
                    'aria-hidden="true">{count}</text>',
                    x=_number(p.count_x),
                    y=_number(count_y),
                    fill=fill,
                    size=_COUNT_SIZE,
                    font=mark_safe(_FONT),
                    count=p.segment.count,
                )
            )
    for index, (label, colour) in enumerate(legend_entries):
        column, row = index % 3, index // 3
        lx = _BAR_LEFT + column * (_BAR_WIDTH / 3)
        ly = legend_top + row * 24
        parts.append(
            format_html(
                '<rect x="{x}" y="{y}" width="16" height="16" fill="{fill}" stroke="{edge}" '
                'stroke-width="1"></rect>'
                '<text x="{tx}" y="{ty}" fill="{text}" font-size="14" {font}>{label}</text>',
                x=_number(lx),
                y=_number(ly),
                fill=colour.fill,
                edge=colour.ink,
                tx=_number(lx + 22),
                ty=_number(ly + 13),
                text=_TEXT,
                font=mark_safe(_FONT),
                label=label,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _legend_entries(groups: Sequence[BarGroup]) -> list[tuple[str, palette.Colour]]:
    """Every status word the bars use, once, in the order first met."""
    seen: dict[str, palette.Colour] = {}
    for group in groups:
        for segment in group.segments:
            if segment.count and segment.label not in seen:
                seen[segment.label] = segment.colour
    return list(seen.items())


# --- a risk's score over the quarters (small multiple) ---------------------------------------


@dataclass(frozen=True)
class ScorePoint:
    """One quarter's accepted score of a risk."""

    quarter: str  # "Q2 2021/22"
    short: str  # "Q2 21/22"
    value: int  # 1-25
    band: str  # "Extreme"
    colour: palette.Colour


_SPARK_WIDTH = 260
_SPARK_HEIGHT = 132
_SPARK_LEFT, _SPARK_RIGHT, _SPARK_TOP, _SPARK_BOTTOM = 28, 16, 12, 34
_MAX_SCORE = 25


def score_small_multiple(
    points: Sequence[ScorePoint],
    *,
    chart_id: str,
    title: str,
    quarters: Sequence[tuple[str, str]] = (),
) -> SafeString:
    """A risk's score by quarter on the 0-25 scale, oldest left: a line through a point per
    quarter (filled in its band's colour, edged in its ink), the latest score and band written
    beside the last point, the first and last quarters under the axis. `quarters` ((label,
    short label), oldest first) are the x axis every small multiple shares, so they compare at
    a glance; without them the points' own quarters are."""
    plot_width = _SPARK_WIDTH - _SPARK_LEFT - _SPARK_RIGHT
    plot_height = _SPARK_HEIGHT - _SPARK_TOP - _SPARK_BOTTOM

    def y_for(value: float) -> float:
        return _SPARK_TOP + plot_height * (1 - value / _MAX_SCORE)

    axis = list(quarters) or [(p.quarter, p.short) for p in points]
    position = {label: i for i, (label, _) in enumerate(axis)}
    step = plot_width / max(len(axis) - 1, 1)

    def x_for(label: str) -> float:
        return _SPARK_LEFT + (step * position[label] if len(axis) > 1 else plot_width / 2)

    placed = [(x_for(p.quarter), y_for(p.value), p) for p in points if p.quarter in position]
    if points:
        description = "Score by quarter: " + "; ".join(
            f"{p.quarter} {p.value} {p.band}" for p in points
        )
    else:
        description = "No accepted review yet."
    parts = [
        _open_svg(
            chart_id=chart_id,
            width=_SPARK_WIDTH,
            height=_SPARK_HEIGHT,
            title=title,
            description=description,
        )
    ]
    for tick in (0, 5, 10, 15, 20, 25):
        parts.append(
            format_html(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{grid}" stroke-width="1">'
                "</line>"
                '<text x="{tx}" y="{ty}" fill="{axis}" font-size="11" text-anchor="end" {font}>'
                "{tick}</text>",
                x1=_SPARK_LEFT,
                x2=_SPARK_WIDTH - _SPARK_RIGHT,
                y=_number(y_for(tick)),
                grid=_GRID,
                tx=_SPARK_LEFT - 6,
                ty=_number(y_for(tick) + 4),
                axis=_AXIS,
                font=mark_safe(_FONT),
                tick=tick,
            )
        )
    if len(placed) > 1:
        parts.append(
            format_html(
                '<polyline points="{points}" fill="none" stroke="{ink}" stroke-width="2">'
                "</polyline>",
                points=" ".join(f"{_number(x)},{_number(y)}" for x, y, _ in placed),
                ink=_TEXT,
            )
        )
    for x, y, point in placed:
        parts.append(
            format_html(
                '<circle cx="{x}" cy="{y}" r="5" fill="{fill}" stroke="{edge}" stroke-width="1.5">'
                "<title>{quarter}: {value} {band}</title></circle>",
                x=_number(x),
                y=_number(y),
                fill=point.colour.fill,
                edge=point.colour.ink,
                quarter=point.quarter,
                value=point.value,
                band=point.band,
            )
        )
    if placed:
        x, y, last = placed[-1]
        anchor = "end" if x > _SPARK_LEFT + plot_width * 0.6 else "middle"
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" fill="{fill}" font-size="13" font-weight="bold" '
                'text-anchor="{anchor}" {font}>{value} {band}</text>',
                x=_number(x),
                y=_number(y - 10 if y > _SPARK_TOP + 18 else y + 20),
                fill=_TEXT,
                anchor=anchor,
                font=mark_safe(_FONT),
                value=last.value,
                band=last.band,
            )
        )
    if axis:
        labels = [(x_for(axis[0][0]), axis[0][1], "start" if len(axis) > 1 else "middle")]
        if len(axis) > 1:
            labels.append((x_for(axis[-1][0]), axis[-1][1], "end"))
        parts.append(
            format_html_join(
                "",
                '<text x="{}" y="{}" fill="{}" font-size="12" text-anchor="{}" {}>{}</text>',
                (
                    (
                        _number(lx),
                        _SPARK_HEIGHT - 10,
                        _AXIS,
                        anchor,
                        mark_safe(_FONT),
                        label,
                    )
                    for lx, label, anchor in labels
                ),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
