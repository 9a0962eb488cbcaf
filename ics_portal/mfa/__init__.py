"""Two-step verification (issue 13; docs/adr/0013-two-step-verification.md).

After the password, a person who has set up an authenticator app types the 6-digit code it
shows (or one of their single-use recovery codes) before any page opens; governance officers
and superusers must set one up when `MFA_REQUIRED` is on (production's default). django-otp
keeps the devices (otp_totp for the app, otp_static for the recovery codes) and says whether
this session has passed (`request.user.is_verified()`, from its OTPMiddleware).

The one question the rest of the portal asks is `satisfied(request)`. Nothing here imports a
model at import time: the admin site (loaded with the app registry) asks it too.
"""

import time

from django.conf import settings

# Set by the single sign-on part when the identity provider says the person did MFA there
# (the ID token's `amr` claim holds "mfa"); the portal then asks for no second code.
IDP_SESSION_KEY = "mfa_by_identity_provider"
# When this session last passed a second factor (seconds since the epoch): replacing the app,
# turning two-step verification off or making new recovery codes asks again after a while.
VERIFIED_AT_SESSION_KEY = "mfa_verified_at"
REVERIFY_AFTER_SECONDS = 5 * 60
# Recovery codes just made, kept in the session until the person has seen (and downloaded)
# them: they are shown once.
FRESH_CODES_SESSION_KEY = "mfa_fresh_recovery_codes"
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"


def satisfied(request) -> bool:
    """True if this session has passed a second factor: a code typed here (django-otp's
    is_verified) or MFA done at the identity provider for a single sign-on."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    session = getattr(request, "session", None)
    return session is not None and session.get(IDP_SESSION_KEY) is True


def required_for(user) -> bool:
    """True if this person may not use the portal without a second factor: governance
    officers and superusers, while MFA_REQUIRED is on."""
    if not settings.MFA_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    from ics_portal import roles

    return roles.is_governance(user)


def enrolled(user) -> bool:
    """True if the person has a confirmed authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recently_verified(request) -> bool:
    """True if this session passed a second factor in the last few minutes."""
    at = request.session.get(VERIFIED_AT_SESSION_KEY)
    return (
        satisfied(request)
        and isinstance(at, int | float)
        and 0 <= time.time() - at < REVERIFY_AFTER_SECONDS
    )
