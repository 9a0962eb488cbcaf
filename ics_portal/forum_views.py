"""The forum pages (issue 16), for everyone signed in, read-only: governance keeps forums in
the admin until the register pages are built."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import forum_presenters, forum_texts
from .permissions import Perm
from .views_support import requires


@requires(methods=("GET",))
def structure(request: HttpRequest) -> HttpResponse:
    page = forum_presenters.governance_structure()
    return render(request, "forums/structure.html", {"page": page})


@requires(see=Perm.FORUM_MANAGE, methods=("GET",))
def names(request: HttpRequest) -> HttpResponse:
    """Every forum name written as text in the portal, and whether it matches a forum."""
    return render(request, "forums/names.html", {"names": forum_texts.written_names()})
