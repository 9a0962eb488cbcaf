from django.apps import AppConfig


class IcsPortalConfig(AppConfig):
    name = "ics_portal"
    verbose_name = "People and organisations"
