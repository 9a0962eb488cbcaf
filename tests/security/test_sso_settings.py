"""Single sign-on is configured from the environment only (ics_portal/settings.py,
oidc_settings): off when nothing is set, Entra ID's endpoints from its tenant ID, explicit
endpoints winning, and a half-done configuration refused with the variables it lacks."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ics_portal.settings import oidc_settings

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
VARIABLES = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_TENANT",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_ISSUER",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_ALLOWED_DOMAINS",
    "OIDC_TRUST_IDP_MFA",
    "OIDC_TIMEOUT",
)


@pytest.fixture
def environ(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_


def test_nothing_set_means_single_sign_on_is_off(environ):
    values = oidc_settings()
    assert values["SSO_ENABLED"] is False
    assert values["OIDC_TRUST_IDP_MFA"] is True
    assert values["OIDC_ALLOWED_DOMAINS"] == []


def test_an_entra_tenant_fills_in_its_v2_endpoints_and_issuer(environ):
    environ(OIDC_RP_CLIENT_ID="app", OIDC_RP_CLIENT_SECRET="secret", OIDC_TENANT=TENANT.upper())
    values = oidc_settings()
    base = f"https://login.microsoftonline.com/{TENANT}"
    assert values["SSO_ENABLED"] is True
    assert values["OIDC_OP_AUTHORIZATION_ENDPOINT"] == f"{base}/oauth2/v2.0/authorize"
    assert values["OIDC_OP_TOKEN_ENDPOINT"] == f"{base}/oauth2/v2.0/token"
    assert values["OIDC_OP_JWKS_ENDPOINT"] == f"{base}/discovery/v2.0/keys"
    assert values["OIDC_OP_ISSUER"] == f"{base}/v2.0"
    assert values["OIDC_OP_USER_ENDPOINT"] is None


def test_explicit_endpoints_win_over_the_tenant(environ):
    base = f"https://login.microsoftonline.com/{TENANT}"
    environ(
        OIDC_RP_CLIENT_ID="app",
        OIDC_RP_CLIENT_SECRET="secret",
        OIDC_TENANT=TENANT,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/oauth2/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/oauth2/token",
        OIDC_OP_JWKS_ENDPOINT=f"{base}/discovery/keys",
        OIDC_OP_ISSUER=f"https://sts.windows.net/{TENANT}/",
        OIDC_ALLOWED_DOMAINS="nhs.net, @Example.NHS.uk",
        OIDC_TRUST_IDP_MFA="0",
    )
    values = oidc_settings()
    assert values["OIDC_OP_TOKEN_ENDPOINT"] == f"{base}/oauth2/token"
    assert values["OIDC_OP_ISSUER"] == f"https://sts.windows.net/{TENANT}/"
    assert values["OIDC_ALLOWED_DOMAINS"] == ["nhs.net", "example.nhs.uk"]
    assert values["OIDC_TRUST_IDP_MFA"] is False


def test_a_half_done_configuration_names_what_is_missing(environ):
    environ(OIDC_RP_CLIENT_ID="app", OIDC_OP_TOKEN_ENDPOINT="https://idp.example/token")
    with pytest.raises(ImproperlyConfigured) as refused:
        oidc_settings()
    message = str(refused.value)
    for name in (
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        assert name in message
    assert "OIDC_RP_CLIENT_ID," not in message


@pytest.mark.parametrize("tenant", ["common", "organizations", "nhs.net"])
def test_a_tenant_that_is_not_one_directory_id_is_refused(environ, tenant):
    environ(OIDC_RP_CLIENT_ID="app", OIDC_RP_CLIENT_SECRET="secret", OIDC_TENANT=tenant)
    with pytest.raises(ImproperlyConfigured, match="Directory \\(tenant\\) ID"):
        oidc_settings()


def test_in_production_every_endpoint_must_be_https(environ):
    environ(
        OIDC_RP_CLIENT_ID="app",
        OIDC_RP_CLIENT_SECRET="secret",
        OIDC_OP_AUTHORIZATION_ENDPOINT="https://idp.example/authorize",
        OIDC_OP_TOKEN_ENDPOINT="http://idp.example/token",
        OIDC_OP_JWKS_ENDPOINT="https://idp.example/jwks",
    )
    assert oidc_settings()["SSO_ENABLED"] is True  # development: a local provider is fine
    with pytest.raises(ImproperlyConfigured, match="OIDC_OP_TOKEN_ENDPOINT.*https://"):
        oidc_settings(production=True)
