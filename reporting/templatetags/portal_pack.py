"""Template helpers for the board pack (HTML report and PDF)."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ics_portal import palette
from reporting.status import DeliveryStatus, status_colour

register = template.Library()


@register.filter
def status_label(code):
    return DeliveryStatus(code).label if code else "No status"


@register.filter
def status_colour_key(code):
    return status_colour(code)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def pack_palette():
    """The palette's tag and heat-map cell colours, inside the pack's own stylesheet: the pack
    is one self-contained document (the PDF is made from it; its HTML is frozen)."""
    return mark_safe(palette.pack_stylesheet())  # written by our code, no user text


@register.simple_tag
def score_tag(score):
    """ "16 (4×4) Extreme" with the band's colour and word."""
    return format_html('<span class="tag tag--{}">{}</span>', score.colour, score.label)


@register.simple_tag
def heat_map_table(grid, basis):
    return render_to_string("packs/_heat_map.html", {"grid": grid, "basis": basis})


@register.simple_tag
def status_bar_svg(totals):
    """A stacked bar of workstream statuses as SVG, with its text equivalent beside it."""
    segments = []
    total = sum(totals.values()) or 1
    x = 0.0
    for code in DeliveryStatus:
        n = totals.get(code.value, 0)
        if not n:
            continue
        width = 480 * n / total
        segments.append(
            {
                "x": round(x, 2),
                "width": round(width, 2),
                "fill": palette.colour(status_colour(code)).fill,
                "label": code.label,
                "count": n,
            }
        )
        x += width
    none = totals.get("NONE", 0)
    if none:
        segments.append(
            {
                "x": round(x, 2),
                "width": round(480 * none / total, 2),
                "fill": palette.colour(palette.NO_STATUS_COLOUR).fill,
                "label": "No status",
                "count": none,
            }
        )
    return render_to_string(
        "packs/_status_bar.html", {"segments": segments, "total": sum(totals.values())}
    )
