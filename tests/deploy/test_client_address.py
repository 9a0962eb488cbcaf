"""The sign-in lockout behind reverse proxies: it counts failures against the address the
nearest trusted proxy saw, never one a client wrote into X-Forwarded-For."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
from django.urls import reverse

from ics_portal.settings import client_ip_settings

FORGED_THEN_REAL = "1.2.3.66, 81.2.69.142"  # what a client sent, then what nginx appended


def address(settings, trusted_proxies: int, **meta) -> str | None:
    for name, value in client_ip_settings(trusted_proxies).items():
        setattr(settings, name, value)
    return get_client_ip_address(RequestFactory().get("/", **meta))


def test_without_a_proxy_the_header_is_ignored(settings):
    seen = address(settings, 0, HTTP_X_FORWARDED_FOR=FORGED_THEN_REAL, REMOTE_ADDR="192.0.2.7")
    assert seen == "192.0.2.7"


def test_behind_one_proxy_the_address_it_appended_is_used(settings):
    seen = address(settings, 1, HTTP_X_FORWARDED_FOR=FORGED_THEN_REAL, REMOTE_ADDR="10.0.0.2")
    assert seen == "81.2.69.142"


def test_behind_two_proxies_the_address_the_outer_one_saw_is_used(settings):
    chain = f"{FORGED_THEN_REAL}, 10.0.0.1"  # the load balancer saw the client; nginx saw the LB
    seen = address(settings, 2, HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR="10.0.0.2")
    assert seen == "81.2.69.142"


def test_a_request_that_bypassed_the_proxy_falls_back_to_the_connection(settings):
    assert address(settings, 1, REMOTE_ADDR="10.0.0.2") == "10.0.0.2"


@pytest.mark.django_db
def test_forged_addresses_do_not_dodge_the_lockout_behind_a_proxy(client, settings):
    from tests import factories

    settings.AXES_ENABLED = True
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 5
    for name, value in client_ip_settings(1).items():
        setattr(settings, name, value)
    people = [factories.UserFactory() for _ in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT + 2)]
    # One guess at each of many accounts, each behind a different forged address: all count
    # against the address the proxy saw (the account lockout keys on the email alone).
    for attempt, person in enumerate(people[: settings.SIGN_IN_ADDRESS_FAILURE_LIMIT]):
        client.post(
            reverse("login"),
            {"username": person.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, 81.2.69.142",
        )
    response = client.post(
        reverse("login"),
        {"username": people[-2].email, "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="1.2.3.200, 81.2.69.142",
    )
    assert response.status_code == 429
    # Someone else behind the same proxy, at another address, is not locked out.
    other = client.post(
        reverse("login"),
        {"username": people[-1].email, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="81.2.69.143",
    )
    assert other.status_code == 200
