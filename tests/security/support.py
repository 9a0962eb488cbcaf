"""Helpers for the security tests: posting to the real sign-in page from a chosen address, and
a session signed in before the test."""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
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


def signed_in_earlier(user, **defaults) -> Client:
    """A client in a session `user` signed in to before the test: unlike force_login, nobody
    signs in now, so the audit trail holds only the events the test writes."""
    client = Client(**defaults)
    if user is not None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client
