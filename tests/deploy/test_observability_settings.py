"""Error reporting and the cache as an IT team configures them: Sentry only when SENTRY_DSN is
set (and then with no personal data), CACHE_URL for a shared Redis, and values the portal
cannot use refused by name. Each case imports the settings in a fresh interpreter with exactly
the environment given."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# sentry_sdk.init is replaced by a recorder before the settings are imported; after
# django.setup() and a request, the probe says what was asked of it and whether the SDK was
# imported at all.
PROBE = """
import json, sys
calls = []
if "--with-sdk" in sys.argv:
    import sentry_sdk
    sentry_sdk.init = lambda *args, **kwargs: calls.append(kwargs)
import django
django.setup()
from django.conf import settings as s
from django.test import Client
Client(HTTP_HOST="localhost").get("/no-such-page/")
print(json.dumps({
    "sentry_imported": "sentry_sdk" in sys.modules,
    "init": [
        {
            **{k: v for k, v in call.items() if k not in ("integrations", "before_send")},
            "integrations": [type(i).__name__ for i in call["integrations"]],
            "before_send": call["before_send"].__module__ + "." + call["before_send"].__name__,
        }
        for call in calls
    ],
    "CACHES": s.CACHES,
}))
"""


def load(*args, **environ) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "ics_portal.settings",
            "DATABASE_URL": "sqlite:///:memory:",
            "TESTING": "1",
            **environ,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def seen(*args, **environ) -> dict:
    result = load(*args, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refusal(**environ) -> str:
    result = load(**environ)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    return last_line


# --- Sentry --------------------------------------------------------------------------------------


def test_without_a_dsn_the_sdk_is_not_even_imported():
    assert seen()["sentry_imported"] is False


def test_with_a_dsn_sentry_starts_with_django_and_no_personal_data():
    (init,) = seen(
        "--with-sdk",
        SENTRY_DSN="https://public@sentry.example.nhs.uk/7",
        SENTRY_ENVIRONMENT="staging",
        SENTRY_TRACES_SAMPLE_RATE="0.05",
    )["init"]
    assert init == {
        "dsn": "https://public@sentry.example.nhs.uk/7",
        "send_default_pii": False,
        "max_request_body_size": "never",
        "environment": "staging",
        "traces_sample_rate": 0.05,
        "integrations": ["DjangoIntegration"],
        "before_send": "ics_portal.observability.tag_event",
    }


def test_sentry_defaults_are_production_and_no_tracing():
    (init,) = seen("--with-sdk", SENTRY_DSN="https://public@sentry.example.nhs.uk/7")["init"]
    assert init["environment"] == "production"
    assert init["traces_sample_rate"] == 0.0


def test_a_trace_rate_outside_0_to_1_is_refused():
    says = refusal(SENTRY_DSN="https://k@sentry.example/1", SENTRY_TRACES_SAMPLE_RATE="5")
    assert "SENTRY_TRACES_SAMPLE_RATE=5.0 is not between 0 and 1" in says


def test_reports_are_tagged_with_the_request_and_task_ids():
    from django_guid import clear_guid, set_guid

    from ics_portal.observability import current_task_id, tag_event

    set_guid("0f8fad5bd9cb469fa16570867728950e")
    token = current_task_id.set("a-task")
    try:
        event = tag_event({"tags": {"kept": "yes"}}, {})
    finally:
        clear_guid()
        current_task_id.reset(token)
    assert event["tags"] == {
        "kept": "yes",
        "request_id": "0f8fad5bd9cb469fa16570867728950e",
        "task_id": "a-task",
    }
    assert tag_event({}, {}) == {"tags": {}}


# --- the cache -------------------------------------------------------------------------------


def test_the_cache_is_local_memory_by_default():
    assert seen()["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }


def test_a_redis_cache_url_uses_djangos_redis_cache():
    assert seen(CACHE_URL="redis://cache.internal:6379/1")["CACHES"] == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6379/1",
        }
    }


def test_any_other_cache_url_is_refused_without_echoing_its_password():
    says = refusal(CACHE_URL="memcached://portal:s3cret@cache.internal:11211")
    assert "CACHE_URL" in says
    assert "redis://127.0.0.1:6379/1" in says  # what to write instead
    assert "s3cret" not in says


def test_the_task_queue_age_limit_must_be_positive():
    says = refusal(HEALTH_TASK_QUEUE_MAX_AGE="0")
    assert "HEALTH_TASK_QUEUE_MAX_AGE='0' is not a whole number of at least 1" in says
