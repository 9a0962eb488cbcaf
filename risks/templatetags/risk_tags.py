"""Template helpers for the BAF pages: a score as "16 (4×4) Extreme" in its band's colour, and
the direction of travel as arrow and word. Colours come from the band's colour key (data)."""

from django import template
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from ics_portal.templatetags.portal import rich

from ..matrix import colour_style

register = template.Library()


@register.simple_tag
def risk_score(score, short: bool = False):
    """A score with its band word and colour (never colour alone)."""
    if score is None:
        return format_html('<span class="risk-score risk-score--none">{}</span>', "Not scored")
    text = f"{score.value} {score.band_name}" if short else score.label
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} risk-score risk-colour--{}">{}</strong>',
        colour_style(score.colour).tag,
        score.colour,
        text,
    )


@register.simple_tag
def direction_of_travel(direction):
    """↑ Increased / ↓ Reduced / → No change, the arrow hidden from screen readers."""
    return format_html(
        '<span class="risk-direction risk-direction--{}">'
        '<span class="risk-direction__arrow" aria-hidden="true">{}</span> {}</span>',
        direction.key,
        direction.arrow,
        direction.word,
    )


@register.filter
def tint(colour_key: str) -> str:
    """The light tint drawn behind a heat-map cell of this colour key."""
    return colour_style(colour_key).tint


@register.filter
def tag_colour(colour_key: str) -> str:
    """The NHS.UK tag modifier for a colour key ("amber" is drawn with the orange tag)."""
    return colour_style(colour_key).tag


@register.filter
def rich_block(html: str):
    """Stored rich text as blocks: text saved without any tags (as some imports were) becomes
    paragraphs, so it is set like the rest of the page."""
    if not html:
        return ""
    if html.lstrip().startswith("<"):
        return rich(html)
    return mark_safe(linebreaks(html, autoescape=True))  # escaped, then wrapped in <p>
