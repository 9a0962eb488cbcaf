"""Helpers for the two-step verification tests: a person's authenticator app, the code it
shows, and their recovery codes."""

import re
from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def give_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code_for(device_or_key, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` 30-second steps later: a code is used up
    in its step, so a second sign-in in the same test types the next step's, which the
    portal accepts as one step of clock drift)."""
    if isinstance(device_or_key, TOTPDevice):
        key = device_or_key.bin_key
    else:  # the secret as the enrolment page shows it
        key = b32decode(re.sub(r"\s", "", device_or_key))
    return f"{totp(key, t0=-30 * steps_ahead):06d}"


def give_recovery_codes(user, codes=("abcd2345", "efgh6723")) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device
