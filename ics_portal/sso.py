"""Single sign-on through OpenID Connect (Microsoft Entra ID), on mozilla-django-oidc
(docs/adr/0014-single-sign-on.md). Switched on by settings from the environment
(`SSO_ENABLED`); then ics_portal/urls.py includes these URLs under /oidc/ and the backend
is in AUTHENTICATION_BACKENDS (as `settings.SSO_BACKEND`).

The library runs the authorisation-code flow (state, nonce, PKCE) and checks the ID token's
RS256 signature with the provider's published keys; this module adds what the portal decides:

- the ID token's issuer (when known) and audience are checked too;
- a person is found by the address the token vouches for (`identity_address`), never made:
  an identity that matches no active person is refused, audited SSO_REFUSED, and sent to a
  page saying to ask the governance team;
- an ID token whose `amr` claim says "mfa" counts as the second factor for this session
  (`mfa_by_identity_provider`), when OIDC_TRUST_IDP_MFA is on.

A successful sign-in is audited by the one `user_logged_in` receiver, as every sign-in is.
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .audit import AuditVerb, Subject, record
from .models import User

logger = logging.getLogger(__name__)

# Read by mfa.satisfied(): the identity provider did the second factor for this session.
MFA_SESSION_KEY = "mfa_by_identity_provider"
# Leeway, in seconds, for the clocks of the provider and the portal in `exp` and `iat`.
CLOCK_SKEW = 60


def _address(value) -> str | None:
    if isinstance(value, str) and "@" in value.strip():
        return value.strip().lower()
    return None


def entra_home_account(claims: dict) -> bool:
    """A Microsoft Entra ID token for a member of the issuing tenant: it names the tenant
    (`tid`), and the account was not signed in by another identity provider (a guest's `idp`
    differs from the issuer)."""
    if not claims.get("tid"):
        return False
    idp = claims.get("idp")
    return idp is None or idp == claims.get("iss")


def identity_address(claims: dict) -> str | None:
    """The email address, lower-cased, that the provider vouches for, or None.

    - `email`, when the provider says it checked it (`email_verified` true), or Entra ID says
      the address's domain belongs to the tenant (`xms_edov` true);
    - otherwise, for a member of an Entra ID tenant, `upn` or `preferred_username`: the
      sign-in name the tenant issued, on a domain the tenant has proved it owns.

    An unverified `email` is never used: in Entra ID it is an attribute that may be set to any
    address (the "nOAuth" weakness), and other providers let people type it."""
    email = _address(claims.get("email"))
    if email and (claims.get("email_verified") is True or claims.get("xms_edov") is True):
        return email
    if entra_home_account(claims):
        for name in ("upn", "preferred_username"):
            if address := _address(claims.get(name)):
                return address
    return None


def find_person(address: str | None) -> tuple[User | None, str]:
    """The active person with this address (any case), or None and why not."""
    if address is None:
        return None, "the identity provider vouched for no email address"
    allowed = settings.OIDC_ALLOWED_DOMAINS
    if allowed and address.rsplit("@", 1)[1] not in allowed:
        return None, "the address's domain is not one of OIDC_ALLOWED_DOMAINS"
    people = list(User.objects.filter(email__iexact=address)[:2])
    if not people:
        return None, "no person in the portal has this address"
    if len(people) > 1:
        return None, "more than one person in the portal has this address"
    if not people[0].is_active:
        return None, "the person's account is deactivated"
    return people[0], ""


def refuse(request, who: str, reason: str) -> None:
    """Audit a refused single sign-on and mark the request for the refusal page."""
    with transaction.atomic():
        record(
            by=None,
            verb=AuditVerb.SSO_REFUSED,
            subject=Subject("sign-in", "", who),
            after={"method": "sso", "reason": reason},
            request=request,
        )
    logger.info("single sign-on refused: %s", reason)
    request.sso_refused = True


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, finding people instead of creating them."""

    def authenticate(self, request, **kwargs):
        # Only the callback view (which passes the nonce kept in the session) signs in
        # through the provider: a password sign-in posted with ?code=…&state=… does not
        # reach the token endpoint.
        if kwargs.get("nonce") is None:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            # The provider refused the code or could not be reached: not signed in, and the
            # person is told so (CallbackView.login_failure), rather than a server error.
            logger.warning("single sign-on failed at the identity provider: %s", error)
            return None

    def retrieve_matching_jwk(self, token):
        """The provider's key for this token. Entra ID names it (`kid`); a token that names
        none is accepted only when the provider publishes one signing key (OpenID Connect
        Core 10.1), where the library would fail with a server error."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        answer = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        answer.raise_for_status()
        keys = [
            key
            for key in answer.json().get("keys", [])
            if key.get("use", "sig") == "sig"
            and key.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def _verify_jws(self, payload, key):
        """The signature (RS256 only), and the audience, issuer and lifetime: the library
        checks the signature alone."""
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token not signed with {self.OIDC_RP_SIGN_ALGO}.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,  # None: not checked
                leeway=CLOCK_SKEW,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from None

    def get_userinfo(self, access_token, id_token, payload):
        """The signed ID token's claims; with OIDC_OP_USER_ENDPOINT set, the userinfo
        endpoint's for the same subject fill in those the token lacks."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo endpoint answered for another subject.")
            for name, value in extra.items():
                claims.setdefault(name, value)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        address = identity_address(claims)
        person, reason = find_person(address)
        if person is None:
            refuse(self.request, address or f"subject {claims.get('sub', '')}", reason)
            return None
        self.request.oidc_claims = claims
        return person


def exempt_from_lockout(request, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: the callback's authenticate() is not a password guess. The
    provider has its own lockout, and counting refusals would let five unknown identities from
    one address (an NHS organisation's shared egress) lock single sign-on for everyone behind
    it, and be counted against their passwords. Refusals are audited as SSO_REFUSED."""
    match = getattr(request, "resolver_match", None)
    return (
        bool(credentials)
        and "nonce" in credentials
        and getattr(match, "url_name", None) == "oidc_authentication_callback"
    )


def idp_did_mfa(claims: dict) -> bool:
    amr = claims.get("amr")
    return settings.OIDC_TRUST_IDP_MFA and isinstance(amr, list) and "mfa" in amr


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks state and nonce and
    signs the person in; this says whether the provider did the second factor, and where a
    refusal goes."""

    def login_success(self):
        response = super().login_success()
        if idp_did_mfa(getattr(self.request, "oidc_claims", {})):
            self.request.session[MFA_SESSION_KEY] = True
        else:
            self.request.session.pop(MFA_SESSION_KEY, None)
        return response

    def login_failure(self):
        if getattr(self.request, "sso_refused", False):
            return HttpResponseRedirect(reverse("sso_refused"))
        messages.error(
            self.request,
            "Signing in with your organisation's Microsoft account did not finish. Try "
            "again, or sign in with your email address and password.",
        )
        return HttpResponseRedirect(reverse("login"))


def refused(request):
    """Open to everyone: it says only what to do next, and names nobody."""
    return render(request, "registration/sso_refused.html")


urlpatterns = [
    path(
        "authenticate/",
        OIDCAuthenticationRequestView.as_view(),
        name="oidc_authentication_init",
    ),
    path("callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
    path("refused/", refused, name="sso_refused"),
]
