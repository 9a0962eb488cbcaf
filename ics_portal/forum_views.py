"""The forum pages (issue 16), for everyone signed in, read-only: governance keeps forums in
the admin until the register pages are built."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import forum_presenters
from .views_support import requires


@requires()
def structure(request: HttpRequest) -> HttpResponse:
    page = forum_presenters.governance_structure()
    return render(request, "forums/structure.html", {"page": page})
