from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    verbose_name = "Development plan"
    name = "workstreams"
