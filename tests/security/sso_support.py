"""A real OpenID provider for the single sign-on tests: oidc-provider-mock (a Flask app on
authlib) served from a thread on 127.0.0.1, signing RS256 ID tokens with its own key, which
it publishes at /jwks. The portal's settings point at it and its URLs are switched on by
reloading ics_portal/urls.py, as a server started with the OIDC_ variables would have them.
"""

import importlib
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.conf import settings as django_settings
from django.urls import clear_url_caches, reverse

CLIENT_ID = "ics-portal-tests"


@dataclass
class Provider:
    url: str

    def set_user(self, sub: str, **claims) -> None:
        """The claims the provider puts in the ID token of `sub` (the mock's user store)."""
        answer = requests.put(f"{self.url}/users/{quote(sub)}", json=claims, timeout=5)
        assert answer.status_code == 204, answer.text

    def authorise(self, authorize_url: str, sub: str) -> str:
        """What the person does on the provider's page: sign in as `sub`. Returns the URL
        the provider sends the browser back to (the portal's callback, with code and state)."""
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]


@contextmanager
def running_provider():
    app = oidc_provider_mock.app(require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def provider(monkeypatch):
    # authlib refuses plain http unless told; the mock listens on 127.0.0.1 only.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with running_provider() as running:
        yield running


def reload_urls() -> None:
    import ics_portal.urls

    importlib.reload(ics_portal.urls)
    clear_url_caches()


def provider_settings(provider: Provider) -> dict:
    return {
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": "not-checked-by-the-mock",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{provider.url}/oauth2/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{provider.url}/oauth2/token",
        "OIDC_OP_JWKS_ENDPOINT": f"{provider.url}/jwks",
        "OIDC_OP_ISSUER": provider.url,
        "OIDC_OP_USER_ENDPOINT": None,
        "OIDC_ALLOWED_DOMAINS": [],
        "OIDC_TRUST_IDP_MFA": True,
        "SSO_ENABLED": True,
    }


@pytest.fixture
def sso(settings, provider):
    """Single sign-on switched on against the running provider, as the OIDC_ variables
    would (ics_portal/settings.py): the settings, the backend and the /oidc/ URLs."""
    for name, value in provider_settings(provider).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        django_settings.SSO_BACKEND,
    ]
    reload_urls()
    yield provider
    settings.SSO_ENABLED = False
    reload_urls()


def start(client, provider: Provider, next_url: str | None = None) -> str:
    """Press the sign-in page's button: the provider's authorisation URL it redirects to."""
    url = reverse("oidc_authentication_init")
    response = client.get(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.url}/oauth2/authorize?")
    return response["Location"]


def sign_in_through(client, provider: Provider, sub: str, **claims):
    """The whole journey with the test client: start, sign in at the provider as `sub`
    (with these claims), come back to the callback. Returns the callback's response."""
    if claims:
        provider.set_user(sub, **claims)
    callback = provider.authorise(start(client, provider), sub)
    return client.get(callback)
