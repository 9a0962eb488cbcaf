"""The search page (issue 15): `/search/?q=`, from the box in every page's header."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ics_portal.views_support import requires

from ..search_presenters import search_page


# Everyone signed in may search; each finds only what they may read (search_query.py).
@requires(methods=("GET",))
def search(request: HttpRequest) -> HttpResponse:
    content = search_page(request.user, request.GET, request.GET.get("page", 1))
    # `form`: base.html starts the title with "Error:" when a filter is wrong.
    return render(request, "reporting/search.html", {"search": content, "form": content.form})
