"""Template helpers for the board pack (HTML report and PDF). Colours come from the palette
(ics_portal/palette.py) and counts from reporting/numbers.py; nothing here counts."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ics_portal import palette
from ics_portal.status import DeliveryStatus, status_colour
from reporting.numbers import StatusCounts

register = template.Library()

BAR_WIDTH = 480


@register.filter
def status_label(code):
    return DeliveryStatus(code).label if code else "No status"


@register.filter
def status_colour_key(code):
    return status_colour(code)


@register.simple_tag
def pack_palette():
    """The palette's tag and heat-map cell colours, inside the pack's own stylesheet: the pack
    is one self-contained document (the PDF is made from it; its HTML is frozen)."""
    return mark_safe(palette.pack_stylesheet())  # written by our code, no user text


@register.filter
def css_string(value):
    """`value` as a quoted CSS string (for a page's margin boxes), every character but letters,
    digits and spaces written as a CSS escape, so nothing in it can end the string or the
    <style> element."""
    text = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in str(value))
    return mark_safe(f'"{text}"')  # escaped above: letters, digits, spaces and \hex escapes


def status_bar_alt(counts: StatusCounts, rule: str) -> str:
    """The bar's text alternative, with every number it draws: "Overall status of 35 updates
    (counting rule): 20 On track, 5 At risk, …"."""
    noun = "update" if counts.total == 1 else "updates"
    parts = ", ".join(f"{c.count} {c.label}" for c in counts.shown) or "none"
    return f"Overall status of {counts.total} {noun} ({rule.lower()}): {parts}"


@register.simple_tag
def score_tag(score):
    """ "16 (4×4) Extreme" with the band's colour and word."""
    return format_html('<span class="tag tag--{}">{}</span>', score.colour, score.label)


def contrast(one: str, two: str) -> float:
    """WCAG 2 contrast ratio of two "#rrggbb" colours (1 to 21)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def severity_shade(band, bands) -> tuple[str, str]:
    """(background, text colour) of a heat-map cell in `band`: the palette's light tint for the
    lower half of the matrix's bands and its solid fill for the upper half, so the worst band
    prints darkest; a fill whose text would fall below WCAG AA (4.5:1) keeps its tint."""
    style = palette.colour(band.colour if band else None)
    ranked = sorted(bands, key=lambda b: b.min_score)
    severe = band is not None and band in ranked and ranked.index(band) >= len(ranked) / 2
    if severe and contrast(style.fill, style.on_fill) >= 4.5:
        return style.fill, style.on_fill
    return style.tint, style.ink


@register.simple_tag
def score_cell(score):
    """A register cell for one score: "16 (4×4)" over its band word, shaded as the heat map
    shades that band (the matrix's bands are prefetched with the risk, so no query)."""
    bands = list(score.band.matrix.bands.all()) if score.band else []
    background, ink = severity_shade(score.band, bands)
    return format_html(
        '<td class="score" style="background: {}; color: {}"><strong>{}</strong> '
        '<span class="lxc">({}×{})</span><br>{}</td>',
        background,
        ink,
        score.value,
        score.likelihood,
        score.consequence,
        score.band_name,
    )


@register.simple_tag
def heat_map_table(grid, basis):
    """The 5×5 grid shaded by severity, each cell with its score and band word; an empty cell
    shows no count (a blank reads faster than a page of zeros)."""
    bands = list(grid.matrix.bands.all())
    rows = [
        {
            "likelihood": row.likelihood,
            "word": row.word,
            "cells": [
                {"cell": cell, "shade": severity_shade(cell.band, bands)} for cell in row.cells
            ],
        }
        for row in grid.rows
    ]
    return render_to_string(
        "packs/_heat_map.html",
        {
            "grid": grid,
            "rows": rows,
            "basis": basis,
            "bands": sorted(bands, key=lambda b: b.min_score),
        },
    )


# Status bar: labels inside a slice when they fit, else on rows beneath it with a tick to the
# slice. Text widths are estimated (Liberation Sans at LABEL_SIZE px averages ~0.56em a glyph).
BAR_HEIGHT = 24
LABEL_SIZE = 10
LABEL_ROW = 14


def _text_width(text: str) -> float:
    return len(text) * LABEL_SIZE * 0.56


def _place_labels(segments: list[dict]) -> int:
    """Give each segment its label position; returns the number of rows used beneath the bar."""
    rows_end: list[float] = []  # the right edge of the last label on each row beneath
    for s in segments:
        width = _text_width(s["text"])
        centre = s["x"] + s["width"] / 2
        if width + 6 <= s["width"]:
            s.update(inside=True, tx=round(centre, 2), ty=BAR_HEIGHT / 2 + LABEL_SIZE * 0.35)
            continue
        left = min(max(centre - width / 2, 0), BAR_WIDTH - width)
        row = next((i for i, end in enumerate(rows_end) if left >= end + 8), None)
        if row is None:
            row = len(rows_end)
            rows_end.append(0.0)
        rows_end[row] = left + width
        s.update(
            inside=False,
            tx=round(left + width / 2, 2),
            ty=BAR_HEIGHT + 4 + LABEL_ROW * (row + 1) - 3,
            tick_x=round(centre, 2),
            tick_y2=BAR_HEIGHT + 4 + LABEL_ROW * row,
        )
    return len(rows_end)


@register.simple_tag
def status_bar_svg(counts: StatusCounts, rule: str):
    """A stacked bar of `counts` (every update of the cycle, by the counting rule) as SVG,
    with its words beside it: the same numbers as the summary table's total row. Each slice is
    labelled with its status word and count, inside it when it fits, else beneath it."""
    segments, x = [], 0.0
    total = counts.total or 1
    for column in counts.shown:
        width = BAR_WIDTH * column.count / total
        segments.append(
            {
                "x": round(x, 2),
                "width": round(width, 2),
                "fill": column.colour.fill,
                "ink": column.colour.on_fill,
                "label": column.label,
                "count": column.count,
                "text": f"{column.label} {column.count}",
            }
        )
        x += width
    rows = _place_labels(segments)
    height = BAR_HEIGHT + (4 + LABEL_ROW * rows + 2 if rows else 0)
    return render_to_string(
        "packs/_status_bar.html",
        {
            "segments": segments,
            "counts": counts,
            "rule": rule,
            "width": BAR_WIDTH,
            "height": height,
            "bar_height": BAR_HEIGHT,
            "label_size": LABEL_SIZE,
            "alt": status_bar_alt(counts, rule),
        },
    )
