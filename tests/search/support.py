"""Helpers for the search tests: run a search as someone and read the results."""

import re
from html import unescape

from django.urls import reverse

_RESULT_TITLE = re.compile(r'<h3 class="nhsuk-heading-s[^"]*">(.*?)</h3>', re.S)
_TAG = re.compile(r"<[^>]+>")


def search(client, user, q="", **params):
    """The search page's HTML for `user` (signed in) searching `q` with `params`."""
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str) -> list[str]:
    """The results' titles, best first, as read (without markup)."""
    return [unescape(_TAG.sub("", title)).strip() for title in _RESULT_TITLE.findall(html)]
