"""The forum pages, mounted at /forums/ (ics_portal/urls.py)."""

from django.urls import path

from . import forum_views

app_name = "forums"

urlpatterns = [
    path("", forum_views.structure, name="structure"),
    path("names/", forum_views.names, name="names"),
]
