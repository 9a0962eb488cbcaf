"""Signing in: the lockout's keys and limits (django-axes), and the audit events of signing in
and out.

The lockout counts failed sign-ins, for an hour (AXES_COOLOFF_TIME), against two keys:

- the account, by its email normalised as sign-in matches it (stripped, lower case), whichever
  address the attempts came from: AXES_FAILURE_LIMIT failures lock it;
- the client's address (django-ipware behind TRUSTED_PROXIES: settings.client_ip_settings),
  across every account it tries: SIGN_IN_ADDRESS_FAILURE_LIMIT failures lock the address,
  which stops one guess each at many accounts (password spraying). It is higher than the
  account's, since many people may share an organisation's address.

django-axes compares every key with one limit; `LockoutHandler` gives each key its own.
A successful password reset clears the account's failures (`accounts.password_was_reset`).
"""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string

from .audit import AuditVerb, Subject, record
from .models import User

ACCOUNT, ADDRESS = "username", "ip_address"


def normalised_email(value) -> str:
    """The email as sign-in matches it (User.objects.get_by_natural_key: case-insensitive)."""
    return str(value or "").strip().lower()


# --- the lockout's keys and limits (settings AXES_*) ----------------------------------------


def lockout_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a sign-in names, normalised, so that every spelling
    of one email counts against one account. None when it names none (an SSO sign-in)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None:
        value = credentials.get(field)
    else:
        value = getattr(request, "POST", {}).get(field)
    return normalised_email(value) or None


def lockout_parameters(request_or_attempt, credentials) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: each key counted on its own (the account; the address). A
    sign-in naming no account (SSO) is counted against its address only, never against a
    shared "no account"."""
    if isinstance(request_or_attempt, AccessAttempt):
        username = request_or_attempt.username
    else:
        username = lockout_username(request_or_attempt, credentials)
    return [ACCOUNT, ADDRESS] if username else [ADDRESS]


def failure_limit(parameter: str) -> int:
    if parameter == ADDRESS:
        return settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """django-axes's database handler (shared by every app server), with a limit per key.

    django-axes locks when the largest count reaches AXES_FAILURE_LIMIT; each key's count is
    scaled onto that limit here, so that it reaches it exactly when the key reaches its own."""

    def failures_by_key(self, request, credentials=None) -> dict[str, int]:
        """Failures within the cool-off, by key ("username", "ip_address")."""
        keys = get_lockout_parameters(request, credentials)  # lockout_parameters: strings
        attempts = self.get_user_attempts(request, credentials)
        return {
            key: matching.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for key, matching in zip(keys, attempts, strict=True)
        }

    def locked_keys(self, request, credentials=None) -> list[str]:
        return [
            key
            for key, failures in self.failures_by_key(request, credentials).items()
            if failures >= failure_limit(key)
        ]

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # Only password sign-ins are counted: an SSO sign-in names no account here, and its
        # identity provider does its own limiting (a refusal is SSO_REFUSED in the audit trail).
        if request is not None and lockout_username(request, credentials) is None:
            return
        super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        return max(
            (
                failures * limit // failure_limit(key)
                for key, failures in self.failures_by_key(request, credentials).items()
            ),
            default=0,
        )


class LockoutBackend(AxesStandaloneBackend):
    """django-axes's check before any other backend, noting on the request when it refused a
    sign-in because the account or address was already locked (so the audit trail tells the
    attempt that locked it from the ones refused while locked)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None  # not a password sign-in (SSO): nothing to guess here
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.sign_in_refused_as_locked = True
            raise


def cooloff_text(request=None) -> str:
    """How long a lockout lasts, in words: "1 hour", "30 minutes"."""
    minutes = int(get_cool_off(request).total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the locked-out page, saying which lock it is, how long it lasts
    and what to do about it."""
    from axes.handlers.proxy import AxesProxyHandler

    handler = AxesProxyHandler.get_implementation()
    keys = handler.locked_keys(request, credentials) if hasattr(handler, "locked_keys") else []
    context = {
        "account_locked": ACCOUNT in keys or not keys,
        "address_locked": ADDRESS in keys,
        "cooloff": cooloff_text(request),
    }
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


# --- the audit trail ------------------------------------------------------------------------


def _person(email: str) -> User | None:
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


def _subject(email: str) -> Subject:
    """A sign-in's subject: the person the email names, else the email as typed (normalised)."""
    person = _person(email)
    if person is not None:
        return Subject(person._meta.label, str(person.pk), email)
    return Subject(User._meta.label, "", email)


def sign_in_method(user) -> str:
    """ "sso" when the backend that authenticated is mozilla-django-oidc's (or built on it),
    else "password"."""
    path = getattr(user, "backend", "") or ""
    try:
        from mozilla_django_oidc.auth import OIDCAuthenticationBackend

        backend = import_string(path)
    except ImportError:
        return "sso" if "oidc" in path.lower() else "password"
    return "sso" if issubclass(backend, OIDCAuthenticationBackend) else "password"


@receiver(user_logged_in, dispatch_uid="ics_portal.signin.signed_in")
def signed_in(sender, request, user, **kwargs):
    record(
        by=user,
        verb=AuditVerb.SIGN_IN,
        obj=user,
        after={"method": sign_in_method(user)},
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="ics_portal.signin.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is None or not user.is_authenticated:
        return
    record(by=user, verb=AuditVerb.SIGN_OUT, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="ics_portal.signin.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    """A refused password sign-in: the email typed (normalised), never the password. An SSO
    sign-in names no email here; the SSO code records its own refusals (SSO_REFUSED)."""
    email = normalised_email((credentials or {}).get("username"))
    if not email:
        return
    locked = bool(getattr(request, "sign_in_refused_as_locked", False))
    record(
        by=None,
        verb=AuditVerb.SIGN_IN_FAILED,
        subject=_subject(email),
        after={"reason": "locked out" if locked else "email or password not accepted"},
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="ics_portal.signin.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    """The failure that locked an account or address (not each attempt refused while it
    stays locked; those are SIGN_IN_FAILED with the reason "locked out")."""
    if getattr(request, "sign_in_refused_as_locked", False):
        return
    from axes.handlers.proxy import AxesProxyHandler

    credentials = getattr(request, "axes_credentials", None)
    handler = AxesProxyHandler.get_implementation()
    keys = handler.locked_keys(request, credentials) if hasattr(handler, "locked_keys") else []
    email = normalised_email(username)
    record(
        by=None,
        verb=AuditVerb.LOCKED_OUT,
        subject=_subject(email) if email else Subject("client address", ip_address or "", ""),
        after={
            "account": ACCOUNT in keys,
            "address": ADDRESS in keys,
            "until": (timezone.now() + get_cool_off(request)).isoformat(timespec="seconds"),
        },
        request=request,
    )


def clear_account_lockout(email: str) -> bool:
    """Forget the account's failed sign-ins (from every address); True if they had locked it.
    An address keeps counting its failures against other accounts: a reset proves who owns
    this account, nothing about the addresses that tried others."""
    email = normalised_email(email)
    since = timezone.now() - get_cool_off()
    attempts = AccessAttempt.objects.filter(username=email)
    failures = (
        attempts.filter(attempt_time__gte=since).aggregate(n=Sum("failures_since_start"))["n"] or 0
    )
    attempts.delete()
    return failures >= settings.AXES_FAILURE_LIMIT
