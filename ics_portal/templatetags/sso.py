"""`{% sso_enabled as name %}`: whether single sign-on is configured (ics_portal/sso.py), so
that the sign-in page shows its button only then."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def sso_enabled() -> bool:
    return settings.SSO_ENABLED
