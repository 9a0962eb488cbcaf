"""Every change to a person's second factor, each audited in the same transaction (the
person is the event's object, so the audit trail lists it with their other access changes)."""

import time
from binascii import unhexlify
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ics_portal import audit
from ics_portal.audit import AuditVerb

from . import DEVICE_NAME, RECOVERY_CODE_COUNT, VERIFIED_AT_SESSION_KEY

AUTHENTICATOR = "authenticator app"
RECOVERY_CODE = "recovery code"

WRONG_CODE = (
    "The code is not right. Enter the 6-digit code your authenticator app shows now, or use a "
    "recovery code."
)
WRONG_RECOVERY_CODE = (
    "The recovery code is not right, or it has been used. Each code works once: enter another "
    "from your list."
)
NO_RECOVERY_CODES = (
    "You have no recovery codes left. Enter the code from your authenticator app, or ask an "
    "administrator to reset your two-step verification."
)
WRONG_NEW_CODE = (
    "The code is not right. Check the app shows this portal, then enter the 6-digit code it "
    "shows now."
)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""


def _record(request, verb, *, before=None, after=None):
    """An audit event about the signed-in person's own second factor, in the caller's
    transaction, with the client address and session."""
    audit.record(
        by=request.user, verb=verb, obj=request.user, before=before, after=after, request=request
    )


def _wait_message(info: dict | None) -> str:
    until = (info or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    unit = "second" if seconds == 1 else "seconds"
    return (
        f"Too many wrong codes. Wait {seconds} {unit}, then enter the code your app shows "
        "at that time."
    )


def _mark_verified(request, device) -> None:
    """This session has passed `device`: a new session key (the session now counts for more)
    and django-otp's record of the device."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = time.time()


def _check(request, device, code: str, method: str) -> Outcome | None:
    """None if `device` accepts `code` (it is then used up); otherwise the refusal, audited.
    django-otp's throttling doubles the wait after each wrong code (1, 2, 4 ... seconds)."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        _record(request, AuditVerb.MFA_FAILED, after={"method": method, "throttled": True})
        return Outcome(False, _wait_message(info))
    if device.verify_token(code):
        return None
    _record(
        request,
        AuditVerb.MFA_FAILED,
        after={"method": method, "failures": device.throttling_failure_count},
    )
    return Outcome(False, WRONG_CODE if method == AUTHENTICATOR else WRONG_RECOVERY_CODE)


def verify_code(request, code: str) -> Outcome:
    """The second step of signing in (or a check before a sensitive change) with the
    authenticator app's code."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return Outcome(False, "You have no authenticator app set up.")
        refused = _check(request, device, code, AUTHENTICATOR)
        if refused:
            return refused
        _mark_verified(request, device)
        _record(request, AuditVerb.MFA_VERIFIED, after={"method": AUTHENTICATOR})
    return Outcome(True)


def verify_recovery_code(request, code: str) -> Outcome:
    """The second step with a single-use recovery code (the code is used up)."""
    user = request.user
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None or not device.token_set.exists():
            _record(
                request,
                AuditVerb.MFA_FAILED,
                after={"method": RECOVERY_CODE, "codes_left": 0},
            )
            return Outcome(False, NO_RECOVERY_CODES)
        refused = _check(request, device, code, RECOVERY_CODE)
        if refused:
            return refused
        _mark_verified(request, device)
        left = device.token_set.count()
        _record(request, AuditVerb.MFA_RECOVERY_CODE_USED, after={"codes_left": left})
        _record(request, AuditVerb.MFA_VERIFIED, after={"method": RECOVERY_CODE})
    return Outcome(True)


def _issue_codes(user) -> tuple[list[str], int]:
    """New recovery codes in place of any the person had: (the codes, how many old ones went)."""
    old = StaticToken.objects.filter(device__user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes, old


def confirm_enrolment(request, key: str, code: str) -> tuple[Outcome, list[str]]:
    """Set up (or replace) the person's authenticator app once they have typed a code it
    made from `key` (hex), with a fresh set of recovery codes. Until then nothing is stored:
    an app that was never confirmed does not count."""
    user = request.user
    totp = TOTP(unhexlify(key.encode()))
    if not (code.isdigit() and totp.verify(int(code), tolerance=1)):
        return Outcome(False, WRONG_NEW_CODE), []
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name=DEVICE_NAME,
            key=key,
            confirmed=True,
            # The code just typed cannot be used again to sign in.
            last_t=totp.t(),
            drift=totp.drift,
        )
        codes, old = _issue_codes(user)
        _mark_verified(request, device)
        _record(
            request,
            AuditVerb.MFA_ENROL,
            after={"device": AUTHENTICATOR, "replaced": replaced},
        )
        _record(
            request,
            AuditVerb.MFA_RECOVERY_CODES_ISSUED,
            after={"count": len(codes), "replaced": old},
        )
    return Outcome(True), codes


def new_recovery_codes(request) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    user = request.user
    with transaction.atomic():
        codes, old = _issue_codes(user)
        _record(
            request,
            AuditVerb.MFA_RECOVERY_CODES_ISSUED,
            after={"count": len(codes), "replaced": old},
        )
        # The session may have been verified with a recovery code: it now points at the new
        # set, so it stays verified.
        if request.session.get(DEVICE_ID_SESSION_KEY, "").startswith("otp_static."):
            otp_login(request, StaticDevice.objects.get(user=user))
    return codes


def remove(request) -> None:
    """Turn two-step verification off: the app and the recovery codes go."""
    user = request.user
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).count()
        codes = StaticToken.objects.filter(device__user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record(
            request,
            AuditVerb.MFA_REMOVE,
            before={"authenticator_apps": apps, "recovery_codes": codes},
            after={"authenticator_apps": 0, "recovery_codes": 0},
        )
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(VERIFIED_AT_SESSION_KEY, None)
    request.user.otp_device = None
