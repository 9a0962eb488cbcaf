"""The image, compose file and systemd units hang together: what the Dockerfile copies and runs
exists (and is not left out of the build context), the services run the commands the docs
name, and the scheduled jobs are all there. hadolint, the Compose schema and
`systemd-analyze verify` check each file's own syntax (`make lint-deploy`)."""

import configparser
import fnmatch
import os
import re
import shlex
import subprocess
from pathlib import Path

# ruamel.yaml comes with check-jsonschema (the dev extra), which validates compose.yaml.
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
SCHEDULED = {"send_reminders", "send_submission_digest", "prune_uploads", "prune_task_results"}


def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
        or fnmatch.fnmatch(Path(prefix).name, pattern.removeprefix("**/"))
        for pattern in patterns
        for prefix in prefixes
    )


def test_what_the_dockerfile_copies_from_the_context_exists_and_is_sent():
    copies = [line.split()[1:-1] for line in dockerfile() if line.startswith("COPY ")]
    sources = [s for sources in copies if not sources[0].startswith("--") for s in sources]
    assert sources, "the Dockerfile copies nothing from the build context"
    for source in sources:
        if source == ".":
            continue
        assert (ROOT / source).exists(), f"COPY {source}: no such file"
        assert not ignored(source), f"COPY {source}: .dockerignore leaves it out"
    # What `COPY . .` brings must include what the runtime stage runs.
    for needed in ("manage.py", "gunicorn.conf.py", "scripts/build/collectstatic.sh",
                   "deploy/healthcheck.py", "deploy/scheduler.sh", "ics_portal/settings.py"):  # fmt: skip
        assert not ignored(needed), f".dockerignore leaves out {needed}"
    for never in (".venv", "node_modules", ".git", "tests", ".env", "var", "static/vendor"):
        assert ignored(never), f".dockerignore lets {never} into the image"


def test_the_dockerfile_runs_the_build_scripts_ci_runs_and_no_dev_tools():
    runs = " ".join(line for line in dockerfile() if line.startswith("RUN "))
    for script in ("scripts/build/assets.sh", "scripts/build/python_env.sh",
                   "scripts/build/collectstatic.sh"):  # fmt: skip
        assert script in runs
        assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"
    assert "requirements.lock" in runs and "requirements-dev.lock" not in runs
    assert not re.search(r"\b(pytest|playwright|ruff|--extra)\b", runs)


def test_the_image_runs_gunicorn_as_a_numeric_non_root_user_with_a_health_check():
    lines = dockerfile()
    final = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    user = [line.split()[1] for line in final if line.startswith("USER ")]
    assert user and re.fullmatch(r"[1-9]\d*(:\d+)?", user[-1]), user
    assert any(line.startswith("FROM python:3.11-slim") for line in lines)
    assert any("libpango-1.0-0" in line for line in final if line.startswith("RUN "))
    health = next(line for line in final if line.startswith("HEALTHCHECK "))
    assert "deploy/healthcheck.py" in health
    cmd = next(line for line in final if line.startswith("CMD "))
    assert cmd == 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "ics_portal.wsgi"]'


def compose() -> dict:
    return YAML(typ="safe").load((ROOT / "compose.yaml").read_text())


def test_compose_runs_postgres_web_worker_migrations_and_the_schedule():
    services = compose()["services"]
    assert {"db", "migrate", "web", "worker", "scheduler"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert services["web"]["command"][:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
    assert services["worker"]["command"] == ["python", "manage.py", "task_worker"]
    for name in ("web", "worker", "scheduler"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://"), name
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]  # behind the host's proxy


def test_the_scheduler_runs_every_scheduled_job(tmp_path):
    """One round of deploy/scheduler.sh with a stand-in python that notes what it was asked."""
    calls = tmp_path / "calls"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {shlex.quote(str(calls))}\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["sh", "deploy/scheduler.sh"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "PYTHON": str(fake), "SCHEDULER_ONCE": "1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    ran = {line.split()[1] for line in calls.read_text().splitlines()}
    assert ran == SCHEDULED


def units() -> dict[str, configparser.ConfigParser]:
    found = {}
    for path in sorted((ROOT / "deploy" / "systemd").iterdir()):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read_string(path.read_text())
        found[path.name] = parser
    return found


def test_systemd_services_run_as_the_portal_user_with_its_environment_file_and_hardening():
    services = {name: unit for name, unit in units().items() if name.endswith(".service")}
    assert {"portal-web.service", "portal-worker.service"} <= set(services)
    for name, unit in services.items():
        service = unit["Service"]
        assert service["User"] == "ics-portal", name
        assert service["EnvironmentFile"] == "/etc/ics-portal/env", name
        assert service["WorkingDirectory"] == "/opt/ics-portal", name
        assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict", name
    web = services["portal-web.service"]["Service"]["ExecStart"]
    assert web.endswith("/gunicorn -c gunicorn.conf.py ics_portal.wsgi")
    worker = services["portal-worker.service"]["Service"]["ExecStart"]
    assert worker.endswith("manage.py task_worker")


def test_every_scheduled_job_has_a_timer_and_its_service():
    found = units()
    timers = {name for name in found if name.endswith(".timer")}
    commands = set()
    for timer in timers:
        service = timer.removesuffix(".timer") + ".service"
        assert service in found, f"{timer} has no {service}"
        assert found[service]["Service"]["Type"] == "oneshot"
        assert found[timer]["Timer"]["OnCalendar"]
        commands.add(found[service]["Service"]["ExecStart"].split()[-1])
    assert commands == SCHEDULED
