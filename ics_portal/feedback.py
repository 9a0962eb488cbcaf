"""Feedback from the phase banner's link: anyone may send it, signed in or not. It is kept (the
admin's "Feedback" list) and, when FEEDBACK_EMAIL is set, emailed to the service team after the
row is committed. One client address may send FEEDBACK_ADDRESS_LIMIT an hour, counted from the
stored rows, so every app server shares the count whatever the cache (as accounts.py does)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import mail
from .audit import client_address
from .models import Feedback

WINDOW = timedelta(hours=1)


def throttled(request) -> bool:
    """Has this client address sent its hour's share of feedback already?"""
    address = client_address(request)
    if address is None:
        return False
    since = timezone.now() - WINDOW
    recent = Feedback.objects.filter(ip_address=address, created_at__gte=since)
    return recent.count() >= settings.FEEDBACK_ADDRESS_LIMIT


@transaction.atomic
def give_feedback(
    *, trying_to_do: str, what_happened: str, email: str, page: str, request
) -> Feedback:
    """Keep what someone told us and, if FEEDBACK_EMAIL is set, email it to the team."""
    person = request.user if request.user.is_authenticated else None
    feedback = Feedback.objects.create(
        trying_to_do=trying_to_do,
        what_happened=what_happened,
        email=email,
        page=page[:500],
        person=person,
        ip_address=client_address(request),
    )
    if settings.FEEDBACK_EMAIL:
        mail.send_on_commit("feedback", [settings.FEEDBACK_EMAIL], {"feedback": feedback})
    return feedback
