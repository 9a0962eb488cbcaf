#!/usr/bin/env python3
"""Ask the portal running on this machine whether it is healthy: exit 0 on a 200, else 1.

The container's HEALTHCHECK runs it (and a VM's monitoring may). It asks gunicorn directly, as
the reverse proxy would: with a Host the portal serves (the first of ALLOWED_HOSTS) and
`X-Forwarded-Proto: https`, since production redirects plain HTTP. The port comes from BIND or
PORT, as in gunicorn.conf.py.

    deploy/healthcheck.py [--path /health/] [--timeout 5]
"""

import argparse
import http.client
import os
import sys


def target() -> tuple[str, int]:
    bind = os.environ.get("BIND", "").strip()
    if bind and not bind.startswith(("unix:", "fd://")):
        host, _, port = bind.rpartition(":")
        host = host.strip("[]")
        return ("127.0.0.1" if host in ("", "0.0.0.0", "::") else host), int(port)
    return "127.0.0.1", int(os.environ.get("PORT", "").strip() or 8000)


def served_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", default="/health/")
    parser.add_argument("--timeout", type=float, default=5)
    options = parser.parse_args()
    address, port = target()
    connection = http.client.HTTPConnection(address, port, timeout=options.timeout)
    try:
        connection.request(
            "GET",
            options.path,
            headers={"Host": served_host(), "X-Forwarded-Proto": "https"},
        )
        status = connection.getresponse().status
    except OSError as error:
        print(f"unhealthy: {address}:{port}{options.path}: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"unhealthy: {options.path} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
