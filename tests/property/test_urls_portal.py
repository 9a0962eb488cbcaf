"""Every page of the portal, requested with random path values and query strings, as a
governance officer (who may see nearly every page) and anonymously, never answers with a
server error: a bad value is a 404, a redirect, or a form error on the page.

The routes are walked from django.urls.get_resolver(), so a new page is fuzzed without being
listed here (the admin's are in test_urls_admin.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from . import strategies
from .routes import all_routes, path_kwargs
from .support import get_ok

PORTAL = [route for route in all_routes() if not route.is_admin]

# What the portal's views read from request.GET, and Django's sign-in ("next").
PORTAL_KEYS = [
    "cycle",
    "kind",
    "format",
    "status",
    "theme",
    "category",
    "owner",
    "band",
    "sort",
    "likelihood",
    "consequence",
    "basis",
    "next",
    "page",
    "q",
]


def test_the_walk_finds_the_portals_pages():
    names = {route.name for route in PORTAL}
    assert {"home", "packs:create", "risks:register", "dataio:export"} <= names
    assert len(PORTAL) >= 50


@pytest.mark.parametrize("route", PORTAL, ids=lambda route: route.name or route.route)
@settings(max_examples=4)
@given(data=st.data())
def test_no_page_answers_a_server_error(world, visitor, route, data):
    kwargs = data.draw(path_kwargs(route, world), label="path")
    query = data.draw(strategies.query(PORTAL_KEYS), label="query")
    get_ok(visitor, route, kwargs, query)
