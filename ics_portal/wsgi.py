import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")
# The web server does not start without what production needs (settings.py says what).
if settings.PRODUCTION_SETTINGS_MISSING:
    raise ImproperlyConfigured(" ".join(settings.PRODUCTION_SETTINGS_MISSING))
application = get_wsgi_application()
