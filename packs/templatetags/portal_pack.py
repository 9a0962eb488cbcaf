"""Template helpers for the board pack (HTML report and PDF). Colours come from the palette
(ics_portal/palette.py) and counts from reporting/numbers.py; nothing here counts."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ics_portal import palette
from ics_portal.status import DeliveryStatus, status_colour
from reporting import charts
from reporting.numbers import StatusCounts

register = template.Library()


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


@register.simple_tag
def status_chart(statuses):
    """The overview dashboard's chart in the pack (reporting/charts.py draws both): a bar per
    theme, one for the golden threads and one for every update, each slice with its count, with
    the words beside it. Its <title> is the PDF figure's /Alt (WeasyPrint reads it), so it says
    every number the bars draw; the summary table above it holds the same counts."""
    groups = charts.bar_groups([*statuses.groups, statuses.total])
    title = f"{status_bar_alt(statuses.total, statuses.rule)}. " + charts.bars_description(
        groups[:-1]
    )
    svg = charts.stacked_status_bars(groups, chart_id="pack-status-chart", title=title)
    return format_html(
        "<figure class=\"statusbar\">{}<figcaption>Each theme's updates, the golden threads' "
        "and then all updates by overall status. All updates by overall status ({}): {}."
        "</figcaption></figure>",
        svg,
        statuses.rule.lower(),
        statuses.total.sentence,
    )
