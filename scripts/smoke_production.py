#!/usr/bin/env python3
"""The production smoke test: the portal as an IT team runs it, end to end, on this machine.

DEBUG unset, the real settings (a fresh SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, HTTPS redirect and
secure cookies on), a fresh STATIC_ROOT and MEDIA_ROOT in a temporary folder, a fresh
PostgreSQL database (created on 127.0.0.1 and dropped at the end; --sqlite uses a file in the
temporary folder instead). It runs the build script for the static files, the deployment
checks and the migrations, makes a governance officer and a reporting cycle, starts gunicorn
with gunicorn.conf.py on a free 127.0.0.1 port and the task worker, and then, as a browser
behind a TLS-terminating proxy would (each request says `X-Forwarded-Proto: https`):

  fetches a page; fetches a hashed static file named in it (compressed, cached for good);
  signs in through the sign-in form, then enters the code from the governance officer's
  authenticator app (two-step verification is on in production); starts a board pack and asks
  for its PDF through the pages governance uses; waits for the worker to make it; downloads
  the PDF.

Everything it started is stopped, and the database dropped, on success and on failure; it
prints how long each step took and exits non-zero with the reason when a step fails.

    scripts/smoke_production.py                    # with .venv's Python
    scripts/smoke_production.py --fresh-venv       # first build a venv from requirements.lock
                                                   # (what production installs: no dev tools)

Only the standard library is used here; the portal's own processes run in the chosen venv.
"""

import argparse
import contextlib
import html.parser
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
GOVERNANCE_EMAIL = "smoke.governance@example.nhs.uk"
# Only these are taken from the caller's environment: the portal's settings are all given
# below, so a developer's DEBUG=1 (make exports it) or DATABASE_URL cannot leak in.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
PASSED_PREFIXES = ("PIP_", "LC_")

SEED = """
import os
from django.contrib.auth.models import Group
from ics_portal.models import User
from ics_portal.roles import GOVERNANCE_OFFICER
from reporting.actions import create_cycle
import datetime
user = User.objects.create_user(
    email=os.environ["SMOKE_EMAIL"], password=os.environ["SMOKE_PASSWORD"],
    full_name="Smoke Test Governance", is_staff=True,
)
user.groups.add(Group.objects.get_or_create(name=GOVERNANCE_OFFICER.group_name)[0])
# Two-step verification is required for governance in production (MFA_REQUIRED): the officer's
# authenticator app, whose codes the smoke test computes from the same key.
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.create(user=user, name="Smoke test app", key=os.environ["SMOKE_TOTP_KEY"])
create_cycle(
    fy_start_year=2021, quarter=3, opens_on=datetime.date(2021, 10, 1),
    submission_deadline=datetime.date(2021, 10, 22), review_deadline=datetime.date(2021, 11, 5),
    board_forum="System Partnership Board", board_meeting_date=datetime.date(2021, 11, 25),
    by=user,
)
"""


class SmokeFailure(Exception):
    pass


# --- a small HTTP client: cookies by hand (they are Secure, and the connection is plain HTTP
# to gunicorn, as it is from a TLS-terminating proxy) --------------------------------------------


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, body=None, headers=None, proxy_https=True, read=True):
        headers = {"Host": f"{HOST}:{self.port}", **(headers or {})}
        if proxy_https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the origin of an HTTPS POST against the host.
            headers["Origin"] = f"https://{HOST}:{self.port}"
            headers["Referer"] = f"https://{HOST}:{self.port}{path}"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read() if read else b""
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, data

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, body=data, **kwargs)


class FormReader(html.parser.HTMLParser):
    """The fields a browser would submit for each form on a page (inputs, checked boxes and
    radios, textareas, selected options), as (name, value) pairs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": []})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or self._select["first"]
            if chosen is not None:
                self.forms[-1]["fields"].append((self._select["name"], chosen))
            self._select = None


def form_on(page: bytes, action_pattern: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(page.decode())
    for form in reader.forms:
        if re.search(action_pattern, form["action"]):
            return form["fields"]
    raise SmokeFailure(f"no form posting to {action_pattern!r} on the page")


def errors_on(page: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", page.decode(errors="replace"))
    found = re.search(r"There is a problem(.{0,600})", text, re.S)
    return " ".join((found[0] if found else text[:600]).split())


def expect(condition, message):
    if not condition:
        raise SmokeFailure(message)


# --- the run ------------------------------------------------------------------------------------


class Smoke:
    def __init__(self, options):
        self.options = options
        self.timings: list[tuple[str, float, str]] = []
        self.processes: dict[str, subprocess.Popen] = {}
        self.work = Path(tempfile.mkdtemp(prefix="ics-portal-smoke-"))
        self.python = options.python
        self.database = None
        self.database_url = ""  # until create_database (building the venv needs none)
        self.port = free_port()
        self.password = secrets.token_urlsafe(18)
        self.totp_key = secrets.token_hex(20)

    # steps and their timings
    @contextlib.contextmanager
    def step(self, title):
        print(f"--- {title}", flush=True)
        started = time.monotonic()
        status = "FAILED"
        try:
            yield
            status = "ok"
        finally:
            self.timings.append((title, time.monotonic() - started, status))

    def environment(self, **extra) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k in PASSED_THROUGH or k.startswith(PASSED_PREFIXES)
        }
        env.update(
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS=HOST,
            DATABASE_URL=self.database_url,
            STATIC_ROOT=str(self.work / "static"),
            MEDIA_ROOT=str(self.work / "media"),
            # Notifications would go to an SMTP server; here they are printed in the worker's log.
            EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
            PYTHONUNBUFFERED="1",
        )
        for pair in self.options.env:
            key, _, value = pair.partition("=")
            env[key] = value
        env.update(extra)
        return env

    def run(self, *command, **extra_env):
        """Run a command to its end (its own process group, so that a timeout stops all of it)."""
        command = [str(part) for part in command]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment(**extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=self.options.timeout)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        if process.returncode != 0:
            raise SmokeFailure(
                f"{' '.join(command)} exited {process.returncode}:\n{output[-4000:]}"
            )
        return output

    def manage(self, *arguments, **extra_env):
        return self.run(self.python, "manage.py", *arguments, **extra_env)

    def start(self, name, *command):
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [str(part) for part in command],
            cwd=ROOT,
            env=self.environment(PORT=str(self.port), WEB_CONCURRENCY="2"),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_of(self, name) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def check_running(self):
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise SmokeFailure(
                    f"{name} stopped (exit {process.returncode}):\n{self.log_of(name)[-3000:]}"
                )

    # the steps
    def main(self):
        self.secret_key = secrets.token_urlsafe(50)
        if self.options.fresh_venv:
            with self.step("build a production venv from requirements.lock"):
                venv = self.work / "venv"
                self.run("scripts/build/python_env.sh", venv, "requirements.lock")
                self.python = str(venv / "bin" / "python")
                leaked = [
                    tool
                    for tool in ("pytest", "playwright", "ruff", "hypothesis", "factory")
                    if subprocess.run(
                        [self.python, "-c", f"import {tool}"], capture_output=True
                    ).returncode
                    == 0
                ]
                expect(not leaked, f"development tools in the production venv: {leaked}")
        with self.step("create a fresh database"):
            self.create_database()
        with self.step("collectstatic (scripts/build/collectstatic.sh)"):
            self.run("scripts/build/collectstatic.sh", self.python)
            expect((self.work / "static" / "staticfiles.json").is_file(), "no manifest written")
        with self.step("check --deploy"):
            self.manage("check", "--deploy", "--fail-level", "WARNING")
        with self.step("migrate"):
            self.manage("migrate", "--no-input", "-v", "0")
        with self.step("governance officer and a reporting cycle"):
            self.manage(
                "shell", "-c", SEED, SMOKE_EMAIL=GOVERNANCE_EMAIL, SMOKE_PASSWORD=self.password,
                SMOKE_TOTP_KEY=self.totp_key,
            )  # fmt: skip
        with self.step("start gunicorn and the task worker"):
            self.start("gunicorn", self.python, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                       "ics_portal.wsgi")  # fmt: skip
            self.start("worker", self.python, "manage.py", *worker_command())
            self.wait_for_gunicorn()
        client = Client(self.port)
        with self.step("plain HTTP is redirected to HTTPS"):
            response, _ = client.get("/sign-in/", proxy_https=False)
            location = response.getheader("Location") or ""
            expect(
                response.status == 301 and location.startswith("https://"),
                f"expected a 301 to https://, got {response.status} {location!r}",
            )
        with self.step("fetch a page"):
            response, page = client.get("/sign-in/")
            expect(response.status == 200, f"/sign-in/ answered {response.status}")
            expect(
                "max-age=" in (response.getheader("Strict-Transport-Security") or ""),
                "no Strict-Transport-Security header",
            )
        with self.step("/health/ over plain HTTP, as a load balancer probes it"):
            response, body = client.get("/health/", proxy_https=False)
            body = body.decode()
            expect(response.status == 200, f"/health/ answered {response.status}: {body}")
            for check in ("database", "file_storage", "cache", "task_queue"):
                expect(f"{check}: working" in body, f"/health/ does not say {check} works")
        with self.step("the image's health check script (deploy/healthcheck.py)"):
            self.run(self.python, "deploy/healthcheck.py", PORT=str(self.port))
        with self.step("fetch a hashed static file, compressed and cached"):
            self.check_static(client, page)
        with self.step("sign in through the form"):
            fields = dict(form_on(page, r"sign-in"))
            expect("csrfmiddlewaretoken" in fields, "the sign-in form has no CSRF token")
            fields.update(username=GOVERNANCE_EMAIL, password=self.password)
            response, body = client.post("/sign-in/", fields)
            expect(
                response.status == 302 and "sessionid" in client.cookies,
                f"signing in answered {response.status}: {errors_on(body)}",
            )
        with self.step("two-step verification: the code from the authenticator app"):
            self.two_step(client)
        with self.step("start a board pack through the form"):
            pack_path = self.create_pack(client)
        with self.step("ask for the PDF and wait for the worker"):
            pdf_path = self.generate(client, pack_path)
        with self.step("download the PDF"):
            response, data = client.get(pdf_path)
            expect(response.status == 200, f"{pdf_path} answered {response.status}")
            kind = response.getheader("Content-Type") or ""
            expect(kind.startswith("application/pdf"), f"{pdf_path} is {kind!r}, not a PDF")
            expect(data.startswith(b"%PDF"), f"{pdf_path} does not start with %PDF")
            print(f"    {len(data):,} bytes")
        with self.step("stop gunicorn and the worker"):
            self.stop(strict=True)
            access = self.log_of("gunicorn")
            expect(
                f'"GET {pdf_path} HTTP/1.1" 200' in access,
                "gunicorn's access log has no line for the PDF download",
            )

    def create_database(self):
        if self.options.sqlite:
            self.database_url = f"sqlite:///{self.work / 'portal.sqlite3'}"
            return
        self.database = f"ics_portal_smoke_{os.getpid()}_{secrets.token_hex(3)}"
        server = urlsplit(self.options.postgres)
        subprocess.run(
            ["createdb", "-h", server.hostname, "-p", str(server.port or 5432),
             "-U", server.username or "postgres", self.database],
            check=True, timeout=60,
        )  # fmt: skip
        self.database_url = self.options.postgres.rstrip("/") + "/" + self.database

    def drop_database(self):
        if not self.database:
            return
        server = urlsplit(self.options.postgres)
        subprocess.run(
            ["dropdb", "--if-exists", "--force", "-h", server.hostname,
             "-p", str(server.port or 5432), "-U", server.username or "postgres", self.database],
            timeout=60,
        )  # fmt: skip
        self.database = None

    def wait_for_gunicorn(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.check_running()
            with contextlib.suppress(OSError):
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            time.sleep(0.2)
        raise SmokeFailure(f"gunicorn did not listen on {HOST}:{self.port} within 60 s")

    def check_static(self, client, page):
        hashed = re.findall(
            r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page.decode()
        )
        expect(hashed, "the page names no hashed static file (is the manifest storage on?)")
        path = next((p for p in hashed if p.endswith(".css")), hashed[0])
        response, data = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        expect(response.status == 200, f"{path} answered {response.status}")
        caching = response.getheader("Cache-Control") or ""
        expect("immutable" in caching, f"{path} is not cached as immutable: {caching!r}")
        age = re.search(r"max-age=(\d+)", caching)
        expect(age and int(age[1]) >= 365 * 24 * 3600, f"{path} max-age too short: {caching!r}")
        encoding = response.getheader("Content-Encoding") or ""
        expect(encoding in ("br", "gzip"), f"{path} was not compressed ({encoding!r})")
        print(f"    {path}: {encoding}, {len(data):,} bytes, {caching}")

    def two_step(self, client):
        """After the password, every page sends a governance officer to enter the code from
        their authenticator app (MFA_REQUIRED is on in production); the code is computed from
        the app's key as the app would, with django-otp's TOTP in the portal's venv."""
        response, _ = client.get("/packs/new/")
        location = response.getheader("Location") or ""
        expect(
            response.status == 302 and location.startswith("/sign-in/code/?next="),
            f"before the code, /packs/new/ answered {response.status} {location!r} "
            "(expected a redirect to the code page)",
        )
        response, page = client.get(location)
        expect(response.status == 200, f"{location} answered {response.status}")
        fields = dict(form_on(page, r"/sign-in/code/"))
        code = self.run(
            self.python, "-c",
            "import sys; from django_otp.oath import totp; "
            "print(f'{totp(bytes.fromhex(sys.argv[1])):06d}')",
            self.totp_key,
        ).strip()  # fmt: skip
        fields["code"] = code
        response, body = client.post("/sign-in/code/", fields)
        location = response.getheader("Location") or ""
        expect(
            response.status == 302 and location == "/packs/new/",
            f"entering the code answered {response.status} {location!r}: {errors_on(body)}",
        )

    def create_pack(self, client) -> str:
        response, page = client.get("/packs/new/")
        expect(response.status == 200, f"/packs/new/ answered {response.status}")
        # The cover sheet comes filled in for the cycle but for who presents and wrote it.
        typed = {"lead": "Smoke Test, Director of Strategy", "author": "Smoke Test, Governance"}
        fields = [
            (name, value or typed.get(name, "")) for name, value in form_on(page, r"^$|/packs/new/")
        ]
        response, body = client.post("/packs/new/", fields)
        location = response.getheader("Location") or ""
        expect(
            response.status == 302 and re.fullmatch(r"/packs/\d+/", location),
            f"starting a pack answered {response.status}: {errors_on(body)}",
        )
        return location

    def generate(self, client, pack_path) -> str:
        response, page = client.get(pack_path)
        fields = form_on(page, r"/generate/$")
        response, body = client.post(f"{pack_path}generate/", fields)
        expect(response.status == 302, f"asking for the PDF answered {response.status}")
        deadline = time.monotonic() + self.options.timeout
        while time.monotonic() < deadline:
            self.check_running()
            response, fragment = client.get(f"{pack_path}progress/")
            expect(response.status == 200, f"the progress page answered {response.status}")
            text = fragment.decode()
            if "could not be generated" in text:
                raise SmokeFailure(f"the worker could not generate the PDF: {errors_on(fragment)}")
            link = re.search(r'href="(/packs/\d+/draft\.pdf)"', text)
            if link:
                return link[1]
            time.sleep(1)
        raise SmokeFailure(
            f"no PDF after {self.options.timeout} s; worker log:\n{self.log_of('worker')[-3000:]}"
        )

    def stop(self, strict=False):
        problems = []
        for name, process in self.processes.items():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    problems.append(f"{name} did not stop within 30 s of SIGTERM")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes = {}
        if strict and problems:
            raise SmokeFailure("; ".join(problems))

    def cleanup(self):
        self.stop()
        self.drop_database()
        if self.options.keep:
            print(f"Kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def report(self, failure=None):
        print("\nProduction smoke test timings")
        for title, seconds, status in self.timings:
            print(f"  {seconds:7.1f} s  {status:6}  {title}")
        print(f"  {sum(t for _, t, _ in self.timings):7.1f} s  total")
        if failure:
            print(f"\nFAILED: {failure}", file=sys.stderr)
            for name in ("gunicorn", "worker"):
                tail = self.log_of(name)[-2000:]
                if tail:
                    print(f"\n--- last lines of {name}'s log ---\n{tail}", file=sys.stderr)
        else:
            print("\nProduction smoke test passed.")


def worker_command() -> list[str]:
    """The configured backend's worker, as the deployment guide starts it (the database
    queue's, polling twice a second so the test does not wait)."""
    return ["task_worker", "--interval", "0.5", "--no-startup-delay"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"),
                        help="the venv's Python to run the portal with (default .venv's)")  # fmt: skip
    parser.add_argument("--fresh-venv", action="store_true",
                        help="build a venv from requirements.lock first and use it")  # fmt: skip
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432",
                        help="server to create the throwaway database on")  # fmt: skip
    parser.add_argument("--sqlite", action="store_true", help="SQLite in the temporary folder")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="another setting for the portal's processes (repeatable)")  # fmt: skip
    parser.add_argument("--timeout", type=int, default=300, help="seconds for one step")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    smoke = Smoke(parse(argv))

    def stopped(signum, frame):
        raise SmokeFailure(f"interrupted by signal {signum}")

    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGINT, stopped)
    failure = None
    try:
        smoke.main()
    except subprocess.TimeoutExpired as error:
        failure = f"{' '.join(map(str, error.cmd))} did not finish within {error.timeout} s"
    except (SmokeFailure, subprocess.SubprocessError, OSError) as error:
        failure = str(error)
    finally:
        smoke.cleanup()
    smoke.report(failure)
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
