"""{% workflow_window update %}: what an update's or risk review's page says about when its
leads can act (the cycle is closed, an extension) and governance's buttons to unblock it
(docs/adr/0006). The words and the permission checks come from ics_portal/presenters.py."""

from django import template

from ics_portal.presenters import workflow_window as window_for

register = template.Library()


@register.inclusion_tag("workflow/_window.html", takes_context=True)
def workflow_window(context, update):
    return {"window": window_for(update, context["request"].user)}
