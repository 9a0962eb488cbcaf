"""The search page, mounted at /search/ with the URL name "search" (no namespace: the header
names it on every page)."""

from django.urls import path

from .views import search

urlpatterns = [
    path("", search.search, name="search"),
]
