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


# --- the filter panel -------------------------------------------------------------------------


def applied_filters(form) -> int:
    """How many of the filters a panel shows narrow the list: a value given that is not the
    field's starting one (its initial value, or the first of choices with no blank one, as
    the register's "Open risks"). Sorting is not a filter; hidden fields (the heat map's
    cell) are not in the panel."""
    if form is None or not form.is_bound:
        return 0
    count = 0
    for field in form:
        if field.name == "sort" or field.is_hidden:
            continue
        value = field.value()
        parts = value if isinstance(value, list | tuple) else [value]
        if not any(part not in (None, "") for part in parts):
            continue
        if str(value) == str(_starting_value(field.field)):
            continue
        count += 1
    return count


def _starting_value(field):
    if field.initial is not None:
        return field.initial
    # Only the first choice is read: a model choice field would query for the rest.
    first = next(iter(getattr(field, "choices", ())), None)
    if first and first[0] not in (None, ""):
        return first[0]
    return ""


class FilterPanelNode(template.Node):
    def __init__(self, nodelist, summary, form):
        self.nodelist, self.summary, self.form = nodelist, summary, form

    def render(self, context):
        form = self.form.resolve(context)
        with context.push(
            # Already rendered, and escaped, by the template engine.
            content=mark_safe(self.nodelist.render(context)),
            summary=self.summary.resolve(context),
            applied=applied_filters(form),
            has_errors=bool(form is not None and form.is_bound and form.errors),
        ):
            return context.template.engine.get_template("_components/filter_panel.html").render(
                context
            )


@register.tag("filter_panel")
def filter_panel(parser, token):
    """{% filter_panel "Filter the register" form %}…{% endfilter_panel %}: a list's filters,
    folded away behind their summary on a phone so the list comes first, open elsewhere and
    wherever JavaScript is off (static/portal/portal.js; _components/filter_panel.html)."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("filter_panel takes a summary and the filter form")
    nodelist = parser.parse(("endfilter_panel",))
    parser.delete_first_token()
    return FilterPanelNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))
