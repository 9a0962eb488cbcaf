"""gunicorn's settings for the portal: `gunicorn -c gunicorn.conf.py ics_portal.wsgi`.

Everything that differs between machines comes from the environment (docs/deploy.md):

- `BIND`: the address to listen on, e.g. `0.0.0.0:8000` in a container or `unix:/run/ics-portal/
  gunicorn.sock` behind a local proxy. Without it, `127.0.0.1:$PORT` (PORT defaults to 8000).
- `WEB_CONCURRENCY`: worker processes; default 2 x CPU cores + 1, at most 8 (each worker holds
  its own Django and database connection; board packs render in the task worker, not here).
- `FORWARDED_ALLOW_IPS`: the reverse proxies trusted for X-Forwarded-* headers (comma-separated,
  default 127.0.0.1); Django's own proxy settings are in ics_portal/settings.py.

The access log goes to stdout with each response's `X-Request-ID`, so a line can be matched
with the application's log lines for the same request; gunicorn's own log goes to stderr.
"""

import multiprocessing
import os
import sys


def _setting(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _whole_number(name: str, default: int) -> int:
    value = _setting(name, str(default))
    if not value.isdigit() or int(value) < 1:
        sys.exit(
            f"{name}={value!r} is not a whole number of at least 1. Set {name} to one, or unset it."
        )
    return int(value)


bind = [_setting("BIND", f"127.0.0.1:{_whole_number('PORT', 8000)}")]
workers = _whole_number("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
# A request that takes longer than this is killed (the worker restarts). Board packs and big
# imports run in the task worker, so no page should come near it.
timeout = 60
graceful_timeout = 30
forwarded_allow_ips = _setting("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The worker heartbeat files go in memory when the machine has /dev/shm (containers' overlay
# file systems can stall them).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn 24+ opens a control socket under $HOME by default: nothing here uses it, two
# instances under one user would share its path, and a service's home may be read-only.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms '
    'forwarded_for="%({x-forwarded-for}i)s" request_id=%({x-request-id}o)s'
)
