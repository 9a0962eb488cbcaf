from django.conf import settings

from .navigation import navigation_for


def service(request):
    """Service name, organisation and the signed-in person's navigation, for every page."""
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "PHASE_BANNER": settings.PHASE_BANNER,
        "nav_items": navigation_for(request),
    }
