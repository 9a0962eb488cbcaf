"""Soak a running portal's autosave while the task worker generates board packs.

Start the portal as `make run` does (runserver and `manage.py db_worker` on the SQLite file),
then:

    .venv/bin/python scripts/soak_autosave.py --base-url http://127.0.0.1:8000 --seconds 30

Several clients sign in as the demo lead (each its own session) and autosave the lead's open
updates as fast as the server answers, each sending the version the last answer gave it. While
they do, a client signed in as the demo governance officer keeps asking for every board pack's
PDF, so the worker always has jobs. At the end it prints the requests sent, the status codes,
the answers by kind (saved; stale, which is optimistic locking doing its job when two clients
share an update, and not an error; "database is locked"; other problems) and the p50/p95
latency of the autosaves. It exits 1 if any request failed.

It writes to the updates (the key risks text): point it only at a demo database. It talks only
to 127.0.0.1, localhost or ::1. Standard library only; it does not import the portal.
"""

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
from collections import Counter
from html import unescape as html_unescape
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TEXT_FIELD = "key_risks"  # a rich-text field both kinds of update have


class Failed(Exception):
    """A request that got no HTTP answer (refused, reset, timed out)."""


class Browser:
    """One signed-in person: a cookie jar, CSRF token and timed requests."""

    def __init__(self, base_url: str, timeout: float):
        self.base_url, self.timeout = base_url, timeout
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def request(self, path: str, data=None, headers=None) -> tuple[int, str, float, str]:
        """(status, body, seconds, final URL); redirects are followed."""
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = Request(urljoin(self.base_url, path), data=body, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
                return response.status, text, time.perf_counter() - started, response.url
        except HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            return error.code, text, time.perf_counter() - started, error.url
        except (URLError, OSError) as error:
            raise Failed(f"{type(error).__name__}: {error}") from error

    def csrf_token(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def sign_in(self, email: str, password: str) -> None:
        status, html, _, _ = self.request("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not token:
            raise SystemExit(f"The sign-in page answered {status}; is the portal running?")
        status, html, _, url = self.request(
            "/sign-in/",
            {"csrfmiddlewaretoken": token[1], "username": email, "password": password},
        )
        if status != 200 or urlsplit(url).path.startswith("/sign-in/"):
            raise SystemExit(
                f"Could not sign in as {email} ({status}). Load the demo data and set "
                "DEMO_PASSWORD if `make run` was given one."
            )


class EditForm(HTMLParser):
    """The fields an update's edit form would post, as a browser would send them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.autosave_url = ""
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "/autosave/" in (a.get("hx-post") or ""):
            self._in_form, self.autosave_url = True, a["hx-post"]
        if not self._in_form or not (a.get("name") or tag == "option"):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            self.fields.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def version(self) -> int:
        return int(dict(self.fields)["version"])


class Tally:
    """What the clients saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.outcomes: Counter = Counter()
        self.latencies: list[float] = []
        self.examples: dict[str, str] = {}

    def add(self, outcome: str, status: int | None, seconds: float | None, example: str = ""):
        with self.lock:
            self.outcomes[outcome] += 1
            if status is not None:
                self.statuses[status] += 1
            if seconds is not None:
                self.latencies.append(seconds)
            if example and outcome not in self.examples:
                self.examples[outcome] = example[:300]


def classify(status: int, html: str) -> str:
    if "database is locked" in html or "database table is locked" in html:
        return "database is locked"
    if status >= 500:
        return "other 5xx"
    if status != 200:
        return f"HTTP {status}"
    if "app-autosave-conflict" in html:
        return "stale"  # another client changed the same section first: a conflict, not an error
    if re.search(r'name="version" value="\d+"', html):
        return "saved"
    return "other problem"


class Clock:
    """When the soak ends: set as the last client is signed in and all start together."""

    def __init__(self, seconds: float, parties: int):
        self.seconds, self.began, self.deadline = seconds, 0.0, 0.0
        self.start = threading.Barrier(parties, action=self._go)

    def _go(self):
        self.began = time.monotonic()
        self.deadline = self.began + self.seconds

    def running(self) -> bool:
        return time.monotonic() < self.deadline


def guarded(problems: list[str], clock: Clock, target, *args):
    """Runs a client; a client that fails (say it cannot sign in) stops them all starting."""
    try:
        target(*args)
    except threading.BrokenBarrierError:
        pass
    except BaseException as error:  # SystemExit too: a thread's message is shown by main
        problems.append(f"{target.__name__}: {error}")
        clock.start.abort()


def autosave_client(number, args, update_path, clock, tally, refreshes):
    browser = Browser(args.base_url, args.timeout)
    browser.sign_in(args.email, args.password)
    status, html, _, _ = browser.request(update_path + "edit/")
    form = EditForm(html)
    if status != 200 or not form.autosave_url:
        raise SystemExit(f"{update_path}edit/ answered {status} without an autosave form")
    version = form.version()
    bases = dict(form.fields).get("section_bases", "")
    fixed = [(k, v) for k, v in form.fields if k not in {"version", "section_bases", TEXT_FIELD}]
    clock.start.wait()
    n = 0
    while clock.running():
        n += 1
        data = [
            *fixed,
            ("version", str(version)),
            ("section_bases", bases),
            (TEXT_FIELD, f"<p>Soak test: client {number}, save {n}.</p>"),
        ]
        headers = {"HX-Request": "true", "X-CSRFToken": browser.csrf_token()}
        try:
            status, html, seconds, _ = browser.request(form.autosave_url, data, headers)
        except Failed as error:
            tally.add("connection error", None, None, str(error))
            time.sleep(0.2)
            continue
        outcome = classify(status, html)
        tally.add(outcome, status, seconds, html if outcome != "saved" else "")
        if outcome == "saved":
            # As the page does: take the new version and section bases swapped in.
            version = int(re.search(r'name="version" value="(\d+)"', html)[1])
            bases = html_unescape(re.search(r'name="section_bases" value="([^"]*)"', html)[1])
        elif outcome == "stale":
            # As a person would: reload the update to see the other client's version.
            try:
                _, page, _, _ = browser.request(update_path + "edit/")
                fresh = EditForm(page)
                version = fresh.version()
                bases = dict(fresh.fields).get("section_bases", "")
                refreshes[number] = refreshes.get(number, 0) + 1
            except (Failed, KeyError, ValueError) as error:
                tally.add("refresh failed", None, None, str(error))
        if args.think:
            time.sleep(args.think)


def pack_client(args, pack_ids, clock, tally, finals):
    browser = Browser(args.base_url, args.timeout)
    browser.sign_in(args.governance_email, args.password)
    clock.start.wait()
    while clock.running():
        for pk in pack_ids:
            try:
                browser.request(f"/packs/{pk}/")
                status, html, _, _ = browser.request(
                    f"/packs/{pk}/generate/",
                    {"csrfmiddlewaretoken": browser.csrf_token()},
                )
            except Failed as error:
                tally.add("connection error", None, None, str(error))
                continue
            if status != 200:  # a 500 page quotes the view's source: classify it first
                outcome = classify(status, html)
            elif "The PDF has been requested" in html:
                outcome = "queued"
            elif "already being generated" in html:
                outcome = "refused: already generating"
            else:
                outcome = classify(status, html)
            tally.add(outcome, status, None, html if outcome.startswith(("HTTP", "other")) else "")
        time.sleep(args.pack_interval)
    # Let the worker finish what was queued, then note how each pack ended.
    drain_by = time.monotonic() + args.drain
    for pk in pack_ids:
        text = ""
        while True:
            try:
                _, html, _, _ = browser.request(f"/packs/{pk}/progress/")
            except Failed as error:
                text = str(error)
                break
            text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
            if "Generating the PDF" not in text or time.monotonic() > drain_by:
                break
            time.sleep(1)
        finals[pk] = text[:160]


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=6, help="concurrent autosave clients")
    parser.add_argument("--email", default="demo.lead@example.nhs.uk")
    parser.add_argument("--governance-email", default="demo.governance@example.nhs.uk")
    parser.add_argument(
        "--password", default=os.environ.get("DEMO_PASSWORD") or "correct-horse-battery"
    )
    parser.add_argument("--pack-interval", type=float, default=2, help="seconds between asks")
    parser.add_argument("--think", type=float, default=0, help="pause between autosaves")
    parser.add_argument("--timeout", type=float, default=60, help="per request, seconds")
    parser.add_argument("--drain", type=float, default=60, help="wait for queued packs")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    args.base_url = args.base_url.rstrip("/") + "/"
    if urlsplit(args.base_url).hostname not in LOOPBACK:
        parser.error("the soak only talks to a portal on this machine (127.0.0.1 or localhost)")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be between 0 and 600")

    lead = Browser(args.base_url, args.timeout)
    lead.sign_in(args.email, args.password)
    _, html, _, _ = lead.request("/reporting/my-updates/")
    paths = list(dict.fromkeys(re.findall(r'href="(/reporting/updates/\w+/\d+/)"', html)))
    editable = [p for p in paths if EditForm(lead.request(p + "edit/")[1]).autosave_url]
    if not editable:
        print(f"{args.email} has no update open for editing: load the demo data.")
        return 2
    governance = Browser(args.base_url, args.timeout)
    governance.sign_in(args.governance_email, args.password)
    _, html, _, _ = governance.request("/packs/")
    pack_ids = sorted({int(pk) for pk in re.findall(r'href="/packs/(\d+)/"', html)})

    tally, pack_tally = Tally(), Tally()
    refreshes: dict[int, int] = {}
    finals: dict[int, str] = {}
    clock = Clock(args.seconds, args.clients + (1 if pack_ids else 0))
    problems: list[str] = []
    threads = [
        threading.Thread(
            target=guarded,
            args=(problems, clock, autosave_client, n, args, editable[n % len(editable)])
            + (clock, tally, refreshes),
            daemon=True,
        )
        for n in range(args.clients)
    ]
    if pack_ids:
        threads.append(
            threading.Thread(
                target=guarded,
                args=(problems, clock, pack_client, args, pack_ids, clock, pack_tally, finals),
                daemon=True,
            )
        )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.seconds + args.drain + args.timeout + 120)
    elapsed = min(time.monotonic(), clock.deadline) - clock.began if clock.began else 0.0
    for problem in problems:
        print(f"A client stopped: {problem}")
    if not clock.began:
        print("The clients could not all sign in and load their forms; nothing was soaked.")
        return 2

    sent = sum(tally.outcomes.values())
    errors = {
        kind: count for kind, count in tally.outcomes.items() if kind not in {"saved", "stale"}
    }
    pack_errors = {
        kind: count
        for kind, count in pack_tally.outcomes.items()
        if kind not in {"queued", "refused: already generating"}
    }
    server_errors = sum(c for s, c in tally.statuses.items() if s >= 500) + sum(
        c for s, c in pack_tally.statuses.items() if s >= 500
    )
    lat = sorted(tally.latencies)
    figures = {
        "base_url": args.base_url,
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "updates": len(editable),
        "autosave_requests": sent,
        "status_codes": dict(sorted(tally.statuses.items())),
        "saved": tally.outcomes["saved"],
        "stale": tally.outcomes["stale"],
        "version_refreshes": sum(refreshes.values()),
        "errors": errors,
        "database_is_locked": tally.outcomes["database is locked"]
        + pack_tally.outcomes["database is locked"],
        "5xx": server_errors,
        "p50_ms": round(percentile(lat, 50) * 1000, 1) if lat else None,
        "p95_ms": round(percentile(lat, 95) * 1000, 1) if lat else None,
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "pack_requests": sum(pack_tally.outcomes.values()),
        "pack_outcomes": dict(pack_tally.outcomes),
        "pack_errors": pack_errors,
        "pack_status_codes": dict(sorted(pack_tally.statuses.items())),
        "packs_at_end": finals,
    }
    codes = ", ".join(f"{s} × {c}" for s, c in figures["status_codes"].items()) or "none"
    print(
        f"Autosave soak of {args.base_url} for {elapsed:.1f} s: {args.clients} clients signed "
        f"in as {args.email}, saving {len(editable)} updates"
    )
    print(f"  autosave requests sent: {sent} ({sent / max(elapsed, 0.001):.1f} a second)")
    print(f"  status codes: {codes}")
    print(
        f"  saved: {figures['saved']}; stale (another client saved the same update first, "
        f"not an error): {figures['stale']}, each followed by a reload of the update"
    )
    print(
        "  errors by kind: " + (", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none")
    )
    print(
        f"  5xx responses: {server_errors} (autosave and board-pack requests); "
        f'"database is locked" answers in all: {figures["database_is_locked"]}'
    )
    if lat:
        print(
            f"  latency: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"max {figures['max_ms']} ms"
        )
    if pack_ids:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(pack_tally.outcomes.items()))
        print(
            f"  board-pack generation asked {figures['pack_requests']} times as "
            f"{args.governance_email}: {outcomes}"
        )
        for pk, text in finals.items():
            print(f"    pack {pk} at the end: {text}")
    else:
        print("  no board packs to generate: the worker had no jobs")
    for kind, example in {**tally.examples, **pack_tally.examples}.items():
        print(f"  first {kind!r} answer: {' '.join(example.split())[:200]}")
    if args.json:
        print(json.dumps(figures))
    failed = figures["database_is_locked"] or server_errors or errors or pack_errors or problems
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
