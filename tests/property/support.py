"""Helpers of the property tests."""

import contextlib

from django.db import transaction


@contextlib.contextmanager
def rolled_back():
    """Run an example in a savepoint that is always rolled back, so nothing it writes is seen
    by the next example (a @given test runs every example in one pytest test)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def get_ok(client, route, kwargs: dict, query: dict):
    """GET the route's URL with `query`; anything but a server error will do."""
    url = route.url(kwargs)
    with rolled_back():
        response = client.get(url, query)
    assert response.status_code < 500, (url, query, response.status_code)
    return response
