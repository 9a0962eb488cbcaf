"""Settings as an IT team meets them: production unless DEBUG is set, errors that name the
variable and the fix, nothing written to disk on import. Each case imports the settings in a
fresh interpreter with exactly the environment given."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ics_portal.checks import missing_sqlite_folders, sqlite_folder_exists

ROOT = Path(__file__).resolve().parents[2]

# Prints the settings the portal would run with, as JSON; Path.mkdir and os.makedirs raise, so
# a settings module that writes to disk on import fails the test.
PROBE = """
import json, os, pathlib, sys
def refuse(*args, **kwargs):
    raise AssertionError(f"settings wrote to disk on import: mkdir {args[:1]}")
pathlib.Path.mkdir = refuse
os.makedirs = refuse
os.mkdir = refuse
from ics_portal import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "EMAIL_TIMEOUT": s.EMAIL_TIMEOUT,
    "ADMINS": s.ADMINS, "SERVER_EMAIL": s.SERVER_EMAIL,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
}))
"""

PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.nhs.uk"}


def load(**environ) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**keep, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_from(**environ) -> dict:
    result = load(**environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_when_unset_and_production_is_secure():
    seen = settings_from(**PRODUCTION)
    assert seen["DEBUG"] is False
    assert seen["SESSION_COOKIE_SECURE"] is True
    assert seen["ALLOWED_HOSTS"] == ["portal.example.nhs.uk"]


def serve(**environ) -> subprocess.CompletedProcess:
    """Load the WSGI application, as gunicorn does at start."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-c", "import ics_portal.wsgi"],
        cwd=ROOT,
        env={**keep, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_stops_the_web_server_with_the_fix():
    result = serve(ALLOWED_HOSTS="portal.example.nhs.uk")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # how to make one
    assert "DEBUG=1" in result.stderr  # and how to develop without one


def test_without_debug_missing_allowed_hosts_stops_the_web_server_by_name():
    result = serve(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr
    assert "ALLOWED_HOSTS=portal.example.nhs.uk" in result.stderr


def test_with_both_set_the_web_server_starts():
    assert serve(**PRODUCTION).returncode == 0


def test_debug_on_uses_the_development_key_and_local_hosts():
    seen = settings_from(DEBUG="1")
    assert seen["DEBUG"] is True
    assert seen["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DEBUG", "maybe", "Set DEBUG to 1 (on) or 0 (off)"),
        ("CONN_MAX_AGE", "sixty", "Set CONN_MAX_AGE to one"),
        ("EMAIL_TIMEOUT", "0", "EMAIL_TIMEOUT='0' is not a whole number of at least 1"),
        ("ADMINS", "Portal support <support>", "ADMINS holds 'support'"),
        ("DATABASE_URL", "mssqlx://db/portal", "DATABASE_URL cannot be read"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name, value, says):
    result = load(**PRODUCTION, **{name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert says in last_line


def test_mail_and_connection_settings_come_from_the_environment():
    seen = settings_from(
        **PRODUCTION,
        EMAIL_TIMEOUT="7",
        ADMINS="Portal support <portal.support@nhs.net>, ops@nhs.net",
        SERVER_EMAIL="errors@portal.example.nhs.uk",
        CONN_MAX_AGE="120",
    )
    assert seen["EMAIL_TIMEOUT"] == 7
    assert seen["ADMINS"] == [
        ["Portal support", "portal.support@nhs.net"],
        ["ops@nhs.net", "ops@nhs.net"],
    ]
    assert seen["SERVER_EMAIL"] == "errors@portal.example.nhs.uk"
    assert seen["CONN_MAX_AGE"] == 120
    assert seen["CONN_HEALTH_CHECKS"] is True


def test_email_defaults_wait_ten_seconds_and_send_errors_from_the_portal_address():
    seen = settings_from(**PRODUCTION, DEFAULT_FROM_EMAIL="portal@example.nhs.uk")
    assert seen["EMAIL_TIMEOUT"] == 10
    assert seen["ADMINS"] == []
    assert seen["SERVER_EMAIL"] == "portal@example.nhs.uk"


def test_a_missing_sqlite_folder_is_a_check_error_with_the_fix(tmp_path):
    missing = tmp_path / "nowhere" / "portal.sqlite3"
    databases = {
        "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "portal"},
        "other": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(missing)},
    }
    (error,) = missing_sqlite_folders(databases)
    assert error.id == "ics_portal.E001"
    assert str(missing.parent) in error.msg
    assert "make setup" in error.hint


def test_an_existing_sqlite_folder_passes_the_check(tmp_path):
    databases = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "p.db")},
        "memory": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    }
    assert missing_sqlite_folders(databases) == []


def test_the_check_is_registered_and_passes_for_the_test_database():
    assert sqlite_folder_exists() == []


def manage(*args, **environ) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**keep, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_names_a_settings_problem_without_a_traceback():
    result = manage("check", ALLOWED_HOSTS="portal.example.nhs.uk", DEBUG="maybe")
    assert result.returncode == 1
    assert result.stderr.startswith("The portal's settings are not usable: DEBUG='maybe'")
    assert "Traceback" not in result.stderr


def test_check_deploy_names_the_missing_production_settings():
    result = manage("check", "--deploy")
    assert result.returncode != 0
    assert "ics_portal.E002" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_commands_that_need_no_key_run_without_one():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
