"""gunicorn.conf.py: the address, workers and logs come from the environment, and each access
log line carries the response's X-Request-ID (issue 12)."""

import datetime
import multiprocessing
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def resolved(**environ) -> dict[str, str]:
    """gunicorn's own reading of the file (`--print-config`) with exactly this environment."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "gunicorn.conf.py", "ics_portal.wsgi"],
        cwd=ROOT,
        env={**keep, "TESTING": "1", **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(
        re.match(r"(\w+)\s+= ?(.*)", line).groups()
        for line in result.stdout.splitlines()
        if re.match(r"\w+\s+=", line)
    )


def test_defaults_listen_locally_with_a_worker_count_from_the_cores():
    seen = resolved()
    assert seen["bind"] == "['127.0.0.1:8000']"
    assert seen["workers"] == str(min(2 * multiprocessing.cpu_count() + 1, 8))
    assert seen["timeout"] == "60"
    assert seen["forwarded_allow_ips"] == "['127.0.0.1']"
    assert seen["accesslog"] == "-"  # stdout
    assert seen["errorlog"] == "-"  # stderr
    assert seen.get("control_socket_disable", "True") == "True"


def test_port_bind_concurrency_and_trusted_proxies_come_from_the_environment():
    assert resolved(PORT="9123")["bind"] == "['127.0.0.1:9123']"
    seen = resolved(
        BIND="0.0.0.0:8000", PORT="9123", WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.5"
    )
    assert seen["bind"] == "['0.0.0.0:8000']"
    assert seen["workers"] == "3"
    assert seen["forwarded_allow_ips"] == "['10.0.0.5']"


def test_a_bad_number_stops_gunicorn_naming_the_variable():
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [str(GUNICORN), "--check-config", "-c", "gunicorn.conf.py", "ics_portal.wsgi"],
        cwd=ROOT,
        env={**keep, "TESTING": "1", "PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PORT='eighty' is not a whole number" in result.stderr


def test_the_access_log_line_carries_the_response_request_id():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    response = SimpleNamespace(
        status="200 OK", sent=1234, headers=[("X-Request-ID", "3f2a9c0e5b7d4e1f")]
    )
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.7")])
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/health/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = Logger(config).atoms(response, request, environ, datetime.timedelta(seconds=0.25))
    line = settings["access_log_format"] % Logger(config).atoms_wrapper_class(atoms)
    assert '"GET /health/ HTTP/1.1" 200 1234' in line
    assert "request_id=3f2a9c0e5b7d4e1f" in line
    assert 'forwarded_for="203.0.113.7"' in line
    assert "250ms" in line
