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


@register.simple_tag
def heat_map_table(grid, basis):
    return render_to_string("packs/_heat_map.html", {"grid": grid, "basis": basis})


@register.simple_tag
def status_bar_svg(counts: StatusCounts, rule: str):
    """A stacked bar of `counts` (every update of the cycle, by the counting rule) as SVG,
    with its words beside it: the same numbers as the summary table's total row."""
    segments, x = [], 0.0
    total = counts.total or 1
    for column in counts.shown:
        width = BAR_WIDTH * column.count / total
        segments.append(
            {
                "x": round(x, 2),
                "width": round(width, 2),
                "fill": column.colour.fill,
                "label": column.label,
                "count": column.count,
            }
        )
        x += width
    return render_to_string(
        "packs/_status_bar.html",
        {
            "segments": segments,
            "counts": counts,
            "rule": rule,
            "width": BAR_WIDTH,
            "alt": status_bar_alt(counts, rule),
        },
    )
