"""Template helpers used across pages and the board pack (loaded as a builtin)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ics_portal import palette
from ics_portal.richtext import media_with_nonce, sanitise_html
from ics_portal.status import WORKFLOW_COLOURS, DeliveryStatus, WorkflowState, status_colour

register = template.Library()


@register.simple_tag
def status_tag(code):
    """An NHS.UK tag showing a delivery status as word and colour (never colour alone)."""
    tag = palette.colour(status_colour(code)).tag
    if not code:
        return format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', tag, "No status")
    label = DeliveryStatus(code).label
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} status status--{}">{}</strong>',
        tag,
        code.lower(),
        label,
    )


@register.simple_tag
def workflow_tag(state):
    tag = palette.colour(WORKFLOW_COLOURS.get(state, "grey")).tag
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', tag, WorkflowState(state).label
    )


@register.filter
def rich(html):
    """Render stored rich text. It was sanitised on save; clean again as defence in depth."""
    return mark_safe(sanitise_html(html))


@register.simple_tag(takes_context=True)
def form_media(context, *forms):
    """The forms' CSS/JS, with the request's CSP nonce on any inline script (the editor's
    import map); every form template renders its media through this tag."""
    media = None
    for form in forms:
        if form is not None:
            media = form.media if media is None else media + form.media
    if media is None:
        return ""
    return mark_safe(str(media_with_nonce(media, context.get("request"))))
