"""The portal's one settings module: every value that differs between machines comes from the
environment (the table in docs/deploy.md; README's Configuration lists the everyday ones).

Production is the default: `DEBUG` is off unless set, and then SECRET_KEY and ALLOWED_HOSTS
must be set or the portal refuses to start, saying which variable and how to fix it.
`make` sets DEBUG=1; the test suite sets TESTING=1, which implies DEBUG unless it is set. Importing this module writes nothing to disk: `make setup` makes var/.
"""

import os
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r} is not on or off. Set {name} to 1 (on) or 0 (off)."
        )
    return value in _TRUE


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or (minimum is not None and number < minimum):
        floor = f" of at least {minimum}" if minimum is not None else ""
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a whole number{floor}. Set {name} to one "
            f"(the default is {default}), or unset it."
        )
    return number


def env_float(name: str, default: float) -> float:
    value = env(name)
    if value is None:
        return default
    try:
        return float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a number. Set {name} to one (the default is {default})."
        ) from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def env_addresses(name: str) -> list[tuple[str, str]]:
    """`Name <a@nhs.net>, b@nhs.net` as Django's (name, address) pairs."""
    pairs = getaddresses([env(name, "") or ""])
    bad = [address for _, address in pairs if "@" not in address]
    if bad:
        raise ImproperlyConfigured(
            f"{name} holds {bad[0]!r}, which is not an email address. Set {name} to "
            "comma-separated addresses, e.g. 'Portal support <portal.support@nhs.net>'."
        )
    return [(display or address, address) for display, address in pairs]


TESTING = env_bool("TESTING", False)
# Off unless set. The test suite (TESTING=1) keeps the development defaults it was written
# against (no HTTPS redirect, console email); tests/deploy checks the production ones.
DEBUG = env_bool("DEBUG", TESTING)

# What production still lacks. The web server refuses to start while this is not empty
# (ics_portal/wsgi.py) and `check --deploy` names each; commands that need no key or host
# (makemigrations, collectstatic) still run, and anything that signs fails on Django's own
# "SECRET_KEY must not be empty".
PRODUCTION_SETTINGS_MISSING: list[str] = []

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Development and tests only: a fixed, obviously-insecure key so sessions survive
        # restarts.
        SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"
    else:
        SECRET_KEY = ""
        PRODUCTION_SETTINGS_MISSING.append(
            "SECRET_KEY is not set. In production set SECRET_KEY to a long random value, e.g. "
            "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. "
            "The portal will not invent one. For development on your own machine, set DEBUG=1 "
            "(`make run` does)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
if not (DEBUG or TESTING) and not ALLOWED_HOSTS:
    PRODUCTION_SETTINGS_MISSING.append(
        "ALLOWED_HOSTS is not set. Set it to the portal's host names, comma-separated, e.g. "
        "ALLOWED_HOSTS=portal.example.nhs.uk. For development, set DEBUG=1 (`make run` does)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# What the portal calls itself and whose it is: no ICS is hard-coded outside demo data.
SERVICE_NAME = env("SERVICE_NAME", "Development plan reporting")
ORGANISATION_NAME = env("ORGANISATION_NAME", "Integrated Care System")
PHASE_BANNER = env("PHASE_BANNER", "beta")
PROTECTIVE_MARKING = env("PROTECTIVE_MARKING", "OFFICIAL")
# Days before a submission deadline that leads get a reminder.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 5, minimum=0)
# How governance officers are told what leads and owners submitted for review (issue 14):
# "daily" (default): one digest a day listing what was submitted since the last one and is
# still waiting, sent by `manage.py send_submission_digest` (run hourly by the scheduler; it
# sends once a day, from SUBMISSION_DIGEST_HOUR, and never an empty email); "each": an email
# per submission, as it is submitted; "off": none (home's review queue still shows them).
SUBMISSION_NOTICE = env("SUBMISSION_NOTICE", "daily")
if SUBMISSION_NOTICE not in ("daily", "each", "off"):
    raise ImproperlyConfigured(
        f"SUBMISSION_NOTICE is {SUBMISSION_NOTICE!r}: set it to daily, each or off."
    )
SUBMISSION_DIGEST_HOUR = env_int("SUBMISSION_DIGEST_HOUR", 8, minimum=0)
# --- background work (issue 12) ---------------------------------------------------------------
# Every confirmed spreadsheet import runs in the task worker, with a progress page; the
# preview (dry run) of a file of more rows than this runs there too, instead of in the request.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500, minimum=0)
# Days finished (successful or failed) task results are kept before `manage.py
# prune_task_results` (cron, daily) deletes them; queued and running tasks are never deleted.
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 14, minimum=1)
# --- end of background work ----------------------------------------------------------------------
# The financial years the portal accepts (2000 is 2000/01): every year and date typed or
# imported must fall in them (ics_portal/dates.py), so a typo such as 99999 is refused.
PORTAL_FIRST_YEAR = env_int("PORTAL_FIRST_YEAR", 2000)
PORTAL_LAST_YEAR = env_int("PORTAL_LAST_YEAR", 2100)
if not 1 <= PORTAL_FIRST_YEAR <= PORTAL_LAST_YEAR <= 9998:
    raise ImproperlyConfigured(
        "PORTAL_FIRST_YEAR and PORTAL_LAST_YEAR must be years with the first no later than the "
        "last (and before 9999, so that the last financial year ends on the calendar)."
    )

# The portal's own apps, bottom layer first (docs/adr/0009-layers.md).
PORTAL_APPS = ["ics_portal", "workstreams", "risks", "reporting", "packs", "dataio"]

INSTALLED_APPS = [
    *PORTAL_APPS,
    # Django's admin, whose change lists answer a bad filter without a server error.
    "ics_portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "django_htmx",
    "django_prose_editor",
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # Two-step verification (issue 13, MFA; docs/adr/0013): TOTP authenticator apps and
    # single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Observability (issue 12): request ids, /health/ (its management command too).
    "django_guid",
    "health_check",
]

MIDDLEWARE = [
    # First, so that every line logged during a request, redirects included, has its id.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy (issue 13): PERMISSIONS_POLICY below.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # MFA (issue 13): right after the person is known, django-otp says whether this session
    # has passed a second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Headers and sessions (issue 13). No-store wraps everything that knows who is signed in
    # (it asks after the view: signing in makes a response personal); WhiteNoise, above,
    # answers static files before it. The idle timeout needs the user and messages, and comes
    # before anything that acts on the signed-in person (MFA), so an idle session is ended
    # first.
    "ics_portal.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ics_portal.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # MFA (issue 13): a signed-in person who owes a second factor is sent to enter it (or to
    # set it up) before any other page; after htmx, so a fragment request is redirected whole.
    "ics_portal.mfa.middleware.TwoStepMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ics_portal.urls"
WSGI_APPLICATION = "ics_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ics_portal.context_processors.service",
            ],
            "builtins": ["ics_portal.templatetags.portal"],
        },
    }
]

# The embedded default lives in var/, which `make setup` makes (a system check says so if it is
# missing: ics_portal/checks.py); nothing here writes to disk.
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL", DEFAULT_DATABASE_URL),
            conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0),
            # Persistent connections are checked before each request reuses them, so a
            # database restart or a dropped connection costs one reconnect, not an error page.
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL cannot be read ({error}). Set it to a URL such as "
        "postgres://user:password@host:5432/portal, or unset it for SQLite under var/."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a real embedded default: under `make run` the portal's request threads and the
    # task worker each write to the same file. WAL lets readers carry on while one writes (and
    # synchronous=NORMAL is durable enough in WAL: a power cut may lose the last commits, never
    # corrupt the file); a writer waits up to `timeout` seconds for another's lock instead of
    # failing at once; and IMMEDIATE transactions take the write lock at BEGIN, because a
    # transaction that reads first and then writes cannot wait: SQLite answers "database is
    # locked" at once when another has written meanwhile. Anything in DATABASE_URL wins.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ics_portal.User"
AUTHENTICATION_BACKENDS = [
    # django-axes's lockout check, first as it asks (ics_portal/signin.py).
    "ics_portal.signin.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Sign-in: passwords, lockout, password reset (issue 13) --------------------------------
# At least 12 characters, not a common password, not the person's name or email, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- MFA (issue 13) ----------------------------------------------------------------------------
# Two-step verification (ics_portal/mfa/, docs/adr/0013): anyone may turn it on; governance
# officers and superusers must when this is on (production's default; off under `make run`'s
# demo and in the test suite, where DEBUG is on).
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)
# The name the authenticator app shows beside the code.
OTP_TOTP_ISSUER = SERVICE_NAME
# The admin's device pages never show a secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# --- end of MFA --------------------------------------------------------------------------------

# Sign-in lockout (ics_portal/signin.py), for an hour after the last failure: five failures
# against one account, from any addresses and in any case of its email, lock the account;
# SIGN_IN_ADDRESS_FAILURE_LIMIT failures from one client address, across every account it
# tries, lock the address (password spraying; higher, as an organisation's staff may share one).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = "ics_portal.signin.lockout_parameters"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ics_portal.signin.lockout_username"
AXES_HANDLER = "ics_portal.signin.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "ics_portal.signin.lockout_response"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Password reset: at most this many requests an hour from one client address, and this many
# emails an hour to one account; beyond them the page says the same and no email goes. Counted
# from the audit trail's PASSWORD_RESET_REQUESTED events, so every app server shares the count
# whatever the cache (ics_portal/accounts.py).
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10, minimum=1)
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3, minimum=1)

# Feedback from the phase banner's link (ics_portal/feedback.py): kept in the admin's
# "Feedback" list and, when FEEDBACK_EMAIL is set, emailed there too. Anyone may send it, at
# most FEEDBACK_ADDRESS_LIMIT times an hour from one client address.
FEEDBACK_EMAIL = env("FEEDBACK_EMAIL", "")
FEEDBACK_ADDRESS_LIMIT = env_int("FEEDBACK_ADDRESS_LIMIT", 5, minimum=1)


def client_ip_settings(trusted_proxies: int) -> dict:
    """Where the lockout (django-axes, through django-ipware) reads the client's address.

    With no proxy the address is the connection's own (X-Forwarded-For is ignored: anyone can
    send it). Behind N reverse proxies, each appending the address it saw to X-Forwarded-For,
    the client is the Nth entry from the right; entries a client put there itself sit further
    left and are never read, so a forged header cannot dodge the lockout or lock out someone
    else. django-ipware counts the proxies in the header after the client, hence N - 1."""
    if trusted_proxies == 0:
        return {
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
            "AXES_IPWARE_PROXY_COUNT": None,
            "AXES_IPWARE_PROXY_ORDER": "left-most",
            "IPWARE_STRICT": True,
        }
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "AXES_IPWARE_PROXY_COUNT": trusted_proxies - 1,
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # Not strict: a header with extra (client-written) entries on the left is still read
        # from the right; strict would fall back to the proxy's own address for everyone.
        "IPWARE_STRICT": False,
    }


# How many reverse proxies (load balancer, nginx) stand in front of the portal (docs/deploy.md).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)
globals().update(client_ip_settings(TRUSTED_PROXIES))


# --- Single sign-on: OpenID Connect, e.g. Microsoft Entra ID (issue 13, part OIDC) -------------
# docs/deploy.md, "Single sign-on with Microsoft Entra ID"; docs/adr/0014-single-sign-on.md.
# Off unless the client ID and secret and the provider's endpoints are set: no button, no
# /oidc/ routes, no backend. OIDC_TENANT (Entra's directory ID) fills in Entra's v2.0
# endpoints and issuer; each explicit OIDC_OP_* variable wins over it (another provider, or
# Entra's v1.0 endpoints, whose ID tokens carry `amr`).
_OIDC_REQUIRED = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


def oidc_settings(production: bool = False) -> dict:
    """The OIDC settings read from the environment; SSO_ENABLED says whether they are all
    there. Some but not all set is a mistake, named with the variables still missing; so, in
    production, is an endpoint not on HTTPS (the client secret and the codes travel to it)."""
    tenant = env("OIDC_TENANT")
    derived: dict[str, str] = {}
    if tenant:
        import uuid

        try:
            tenant = str(uuid.UUID(tenant.strip()))
        except ValueError:
            raise ImproperlyConfigured(
                f"OIDC_TENANT={tenant!r} is not a directory (tenant) ID. Set it to the "
                "Directory (tenant) ID GUID shown on the app registration's Overview page in "
                "Microsoft Entra ID (not 'common' or 'organizations': the portal checks the "
                "issuer of every ID token against one tenant), or unset it."
            ) from None
        base = f"https://login.microsoftonline.com/{tenant}"
        derived = {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/oauth2/v2.0/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{base}/oauth2/v2.0/token",
            "OIDC_OP_JWKS_ENDPOINT": f"{base}/discovery/v2.0/keys",
            "OIDC_OP_ISSUER": f"{base}/v2.0",
        }
    values = {
        name: env(name, derived.get(name))
        for name in (*_OIDC_REQUIRED, "OIDC_OP_ISSUER", "OIDC_OP_USER_ENDPOINT")
    }
    missing = [name for name in _OIDC_REQUIRED if not values[name]]
    if missing and len(missing) < len(_OIDC_REQUIRED):
        raise ImproperlyConfigured(
            f"Single sign-on is half configured: {', '.join(missing)} not set. Set them too "
            "(OIDC_TENANT fills in Microsoft Entra ID's endpoints), or unset the OIDC_ "
            "variables to turn single sign-on off."
        )
    plain = [
        name
        for name, value in values.items()
        if name != "OIDC_RP_CLIENT_SECRET" and (value or "").startswith("http://")
    ]
    if production and plain:
        raise ImproperlyConfigured(
            f"{plain[0]}={values[plain[0]]!r} is not an https:// URL. Single sign-on sends the "
            "client secret and sign-in codes there: set it to the provider's https:// URL."
        )
    return {
        **values,
        "SSO_ENABLED": not missing,
        # Only people the governance team has set up may sign in, by their address: lower
        # case, and only these domains when set (e.g. nhs.net,example.nhs.uk).
        "OIDC_ALLOWED_DOMAINS": [d.lower().lstrip("@") for d in env_list("OIDC_ALLOWED_DOMAINS")],
        # An ID token whose `amr` claim holds "mfa" counts as the second factor (mfa.satisfied).
        "OIDC_TRUST_IDP_MFA": env_bool("OIDC_TRUST_IDP_MFA", True),
        # Seconds to wait for the provider's token and key endpoints.
        "OIDC_TIMEOUT": env_int("OIDC_TIMEOUT", 10, minimum=1),
    }


_oidc = oidc_settings(production=not (DEBUG or TESTING))
globals().update(_oidc)
# Fixed: signed ID tokens (RS256, the provider's published keys), a nonce, PKCE, no accounts
# made by signing in (roles are governance's decision). ics_portal/sso.py has the rest.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
SSO_BACKEND = "ics_portal.sso.PortalOIDCBackend"
if _oidc["SSO_ENABLED"]:
    AUTHENTICATION_BACKENDS.append(SSO_BACKEND)
# The sign-in lockout (django-axes) leaves the single sign-on callback alone: it is no password
# guess, and refusals from one address must not lock out everyone behind it.
AXES_WHITELIST_CALLABLE = "ics_portal.sso.exempt_from_lockout"
# --- end of single sign-on ----------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / env("STATIC_ROOT", "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# --- static files build (issue 12, part "build") ---------------------------------------------
# Source maps are read only by browser developer tools: collectstatic serves them as they are
# rather than spend half its time compressing them (they are about half the bytes).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# --- end of part "build" block ------------------------------------------------------------------


# --- File storage: local disk or S3-compatible object storage (issue 12, part "storage") ------
# Board-pack PDFs (drafts and published versions) and uploads waiting for their import live in
# the default storage. `local` keeps them under MEDIA_ROOT (one server); `s3` keeps them in a
# bucket every app server and task worker shares. Either way they are read only through the
# portal's permission-checked views: nothing links to the storage itself (no public URLs).
def _file_storage() -> dict:
    choice = (env("FILE_STORAGE", "local") or "").strip().lower()
    if choice == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if choice != "s3":
        raise ImproperlyConfigured(
            f"FILE_STORAGE={os.environ['FILE_STORAGE']!r} is not a storage the portal knows. "
            "Set FILE_STORAGE to local (files under MEDIA_ROOT, the default) or s3 (an "
            "S3-compatible bucket: set AWS_STORAGE_BUCKET_NAME too)."
        )
    bucket = env("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME is not set, and FILE_STORAGE=s3 needs it. Set it to the "
            "name of a private bucket the portal may read and write (and AWS_S3_ENDPOINT_URL "
            "for a server other than Amazon S3), or set FILE_STORAGE=local."
        )
    endpoint = env("AWS_S3_ENDPOINT_URL")
    # Amazon S3 takes either addressing style; most S3-compatible servers (MinIO, Ceph, a
    # server on an IP address) only the path style, so that is the default with an endpoint.
    style = (env("AWS_S3_ADDRESSING_STYLE", "path" if endpoint else "auto") or "").lower()
    if style not in ("auto", "virtual", "path"):
        raise ImproperlyConfigured(
            f"AWS_S3_ADDRESSING_STYLE={os.environ['AWS_S3_ADDRESSING_STYLE']!r} is not auto, "
            "virtual or path. Set it to one of those, or unset it."
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": env("AWS_S3_REGION_NAME"),
            # Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (read by django-storages
            # from the environment), else boto3's own chain (e.g. an instance's role).
            "signature_version": "s3v4",
            "addressing_style": style,
            # A name already taken gets a suffix instead of replacing what is there: a published
            # PDF is never overwritten.
            "file_overwrite": False,
            # No ACL is sent: objects stay as private as the bucket (Amazon's buckets refuse
            # ACLs by default). Any URL made for a file is signed and short-lived, though the
            # portal makes none: it streams files through its own views.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }


STORAGES = {
    "default": _file_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# Email: console in development; SMTP in production through these settings.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds to wait for the mail server before giving up (Django's default is to wait for ever).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@localhost")
# Who gets server-error emails (Django's AdminEmailHandler; only when DEBUG is off), and
# from which address.
ADMINS = env_addresses("ADMINS")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# --- Task queue (docs/deploy.md, "Task queue"): where background work waits ---------------
# `database` (the default) needs nothing but the database; `rq` queues in Redis (REDIS_URL)
# for several app servers and workers; `immediate` runs each task inside the request (the
# test suite's default). A backend's dotted path is taken as it is. `manage.py task_worker`
# starts the worker that matches (ics_portal/taskqueue.py).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASK_BACKEND = env("TASK_BACKEND", "immediate" if TESTING else "database").strip()
if TASK_BACKEND.lower() in TASK_BACKENDS:
    TASK_BACKEND = TASK_BACKENDS[TASK_BACKEND.lower()]
elif "." not in TASK_BACKEND.strip("."):
    raise ImproperlyConfigured(
        f"TASK_BACKEND={os.environ['TASK_BACKEND']!r} is not a task backend. Set TASK_BACKEND "
        "to database (the default: the database queue), rq (Redis through RQ, with REDIS_URL) "
        "or immediate (run inside the request: tests only), or to a backend's dotted path."
    )
TASKS = {"default": {"BACKEND": TASK_BACKEND}}
# A task may run this long before RQ stops it: a big board pack's PDF takes about 15 s.
TASK_TIMEOUT_SECONDS = 10 * 60
# Redis for the rq backend. RQ keeps finished tasks' results for TASK_RESULTS_KEEP_DAYS
# (ics_portal.taskqueue.PortalQueue), as the database queue's pruning does.
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": TASK_TIMEOUT_SECONDS}}
# django-tasks-rq's job class runs a queued task; a worker with RQ's own cannot.
RQ = {"QUEUE_CLASS": "ics_portal.taskqueue.PortalQueue", "JOB_CLASS": "django_tasks_rq.Job"}
if TASK_BACKEND.startswith("django_tasks_rq."):
    INSTALLED_APPS += ["django_tasks_rq", "django_rq"]  # the rqworker command and its checks
# --- end of task queue ----------------------------------------------------------------------

# Security headers. HTTPS-only settings switch on with production (DEBUG off).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)
# --- headers and sessions (issue 13, part "headers") ------------------------------------------
# SESSION_COOKIE_AGE (seconds) is the absolute limit, counted from sign-in; a session unused
# for SESSION_IDLE_TIMEOUT minutes ends sooner (ics_portal/middleware.py). Every response to a
# signed-in person, and every download, is Cache-Control: no-store.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30, minimum=1)
# Powerful browser features the portal never uses, refused to it and to anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# --- end of part "headers" -----------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer probes /health/ over plain HTTP on the app server's port.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/live/$"]
CSRF_FAILURE_VIEW = "ics_portal.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # Fonts only from the portal's own static files (issue 13): the build drops the NHS.UK
        # frontend's Frutiger rules, which load it from assets.nhs.uk, unless an organisation
        # with the licence supplies the files (scripts/build_assets.py); else Arial.
        "font-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        # NONCE: the rich-text editor's widget media includes an inline import map, which
        # is given the request's nonce by the {% form_media %} tag. No other inline script.
        "script-src": ["'self'", NONCE],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Observability (issue 12): logs with request ids, error reports, cache, /health/ ---------
# docs/deploy.md, "Health, logs and error reporting".

# Console logs (stderr): `text` for people, `json` (one object a line) for a log collector.
# Every line carries the request id (also the X-Request-ID response header) and, while a task
# runs, the task id (ics_portal/observability.py).
LOG_FORMAT = (env("LOG_FORMAT", "text") or "").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(
        f"LOG_FORMAT={os.environ['LOG_FORMAT']!r} is not a log format. Set LOG_FORMAT to json "
        "(one JSON object a line, for a log collector) or text (the default), or unset it."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {
            "()": "ics_portal.observability.RequestContextFilter",
            "missing": None if LOG_FORMAT == "json" else "-",
        },
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[request_id=%(request_id)s task_id=%(task_id)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id", "task_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        },
        # As Django's own logging: server errors emailed to ADMINS when DEBUG is off.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint announces every rendering step at INFO, and fontTools every table it prunes
    # when WeasyPrint subsets the pack's fonts.
    "loggers": {
        # Django's lines through the one console handler (its default adds a second, plain
        # one in DEBUG, and runserver's request lines have their own).
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # announces its logger bridge on import
        # says at INFO, on every request, that it made an id; warns when it replaces one
        "django_guid": {"level": "WARNING"},
    },
}

# Request ids: an incoming X-Request-ID is kept only when it is a UUID (as nginx's
# $request_id, Envoy and most load balancers send); anything else is replaced by a new one.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}

# The cache: each process's own memory unless CACHE_URL names a Redis shared by the servers.
CACHE_URL = env("CACHE_URL")
if CACHE_URL is None:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL starts {CACHE_URL.split(':', 1)[0]!r}, which is not a cache this portal "
        "knows. Set CACHE_URL to a Redis URL such as redis://127.0.0.1:6379/1 (rediss:// for "
        "TLS), or unset it to cache in each process's memory."
    )

# /health/ answers 503 when the oldest queued task has waited longer than this (seconds).
HEALTH_TASK_QUEUE_MAX_AGE = env_int("HEALTH_TASK_QUEUE_MAX_AGE", 900, minimum=1)

# Error reports to Sentry (or a Sentry-compatible service) only when SENTRY_DSN is set; the
# SDK is not even imported otherwise. No personal data (send_default_pii=False: no user, IP
# address or cookies) and no request bodies (what people typed into an update); each report
# is tagged with the request id and task id. SENTRY_RELEASE, if set, is read by the SDK.
SENTRY_DSN = env("SENTRY_DSN")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", "production")
SENTRY_TRACES_SAMPLE_RATE = env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
if not 0 <= SENTRY_TRACES_SAMPLE_RATE <= 1:
    raise ImproperlyConfigured(
        f"SENTRY_TRACES_SAMPLE_RATE={SENTRY_TRACES_SAMPLE_RATE} is not between 0 and 1. Set it "
        "to the share of requests to trace, e.g. 0.05, or unset it (0: errors only)."
    )
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    from ics_portal.observability import tag_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        before_send=tag_event,
    )
# --- end of observability ---------------------------------------------------------------------
