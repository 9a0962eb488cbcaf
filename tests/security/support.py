"""Helpers for the sign-in tests: posting to the real sign-in page from a chosen address."""

from django.urls import reverse

from ics_portal.models import AuditEvent

PASSWORD = "correct-horse-battery"  # tests/factories.py gives everyone this one


def sign_in(client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def events(verb):
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))
