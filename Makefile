# The portal's front door. `make run` sets up and serves the portal with demo data;
# `make test` sets up and runs the test suite. See README.md.

PYTHON ?= python3
# make is the developer's front door: development mode unless DEBUG is already set. The portal
# itself starts in production mode when DEBUG is unset (docs/deploy.md).
export DEBUG ?= 1
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SOAK_SECONDS ?= 30

.PHONY: setup run test test-browser lint format check-deploy assets clean benchmark soak \
	lock lint-deploy smoke backup

# --- dependencies and assets (issue 12, part "build") -----------------------------------------
# Two hashed locks from pyproject.toml: requirements.lock (production, what the image and a VM
# install) and requirements-dev.lock (production + the dev extra, what `make setup` installs).
# The same scripts build the image (Dockerfile) and run in CI: scripts/build/.
$(VENV)/.installed: requirements.lock requirements-dev.lock scripts/build/python_env.sh
	PYTHON=$(PYTHON) scripts/build/python_env.sh $(VENV) requirements-dev.lock
	@touch $@

static/vendor/.built: package.json package-lock.json scripts/build_assets.py scripts/build/assets.sh
	PYTHON=$(PY) scripts/build/assets.sh
	@touch $@

## Regenerate both locks after changing pyproject.toml (uv is installed into .venv if missing).
lock: $(VENV)/.installed
	@test -x $(VENV)/bin/uv || $(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(VENV)/bin/uv pip compile --quiet pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements-dev.lock
# --- end of part "build" block -----------------------------------------------------------------

## Install Python and front-end dependencies, build assets, migrate the database.
setup: $(VENV)/.installed static/vendor/.built
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0

assets: static/vendor/.built

## Set up, load the demo data (prints the demo logins) and serve the portal with a task worker,
## in development mode (DEBUG=1; production is the default when DEBUG is unset).
## The demo is the seed papers' ICS: its name shows in the header, footer, pack cover and emails
## (a deployment sets its own ORGANISATION_NAME: README, Configuration).
run: export ORGANISATION_NAME ?= Cambridgeshire and Peterborough Integrated Care System
run: setup
	$(PY) manage.py load_demo_data
	@echo "Starting the background task worker and the portal at http://$(HOST):$(PORT)/"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py task_worker & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## Set up and run the test suite (set DATABASE_URL to run it on PostgreSQL). The property
## tests (tests/property/) print how many examples each ran.
test: setup
	TESTING=1 $(PY) -m pytest -n 2 --dist loadfile --hypothesis-show-statistics

## Browser journeys in Debian's Chromium (fail, not skip, when CI=true and it is missing).
test-browser: setup
	TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser -n 2 --dist loadfile

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # the layers run one way (docs/adr/0009-layers.md)

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## The production settings pass Django's deployment checks.
check-deploy: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=check-deploy-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=portal.example.nhs.uk $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var

# --- deployment (issue 12, part "build") -------------------------------------------------------
## Lint the deployment files without a container engine: the Dockerfile (hadolint), compose.yaml
## against the Compose specification's schema (check-jsonschema's copy, offline) and the systemd
## units (systemd-analyze verify).
lint-deploy: $(VENV)/.installed
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
	scripts/verify_systemd_units.sh

## The production smoke test (scripts/smoke_production.py): a venv from requirements.lock,
## DEBUG unset, collectstatic, gunicorn and the task worker on a throwaway PostgreSQL database;
## sign in, generate a board pack's PDF through the worker, download it. SMOKE_ARGS=--sqlite
## runs it without PostgreSQL.
SMOKE_ARGS ?=
smoke: setup
	$(PY) scripts/smoke_production.py --fresh-venv $(SMOKE_ARGS)
# --- end of part "build" block -----------------------------------------------------------------

## Benchmarks on synthetic data: the board pack (6 and 60 workstreams, 40 risks), then the
## plan pages, dashboards and search over 10 years of quarters (queries, median and p95).
benchmark: setup
	$(PY) benchmarks/board_pack.py 6
	$(PY) benchmarks/board_pack.py 60
	$(PY) benchmarks/history.py

## With `make run` serving (another terminal): concurrent autosaves as the demo lead while board
## packs generate; prints requests, status codes, errors and p50/p95 latency.
soak:
	$(PY) scripts/soak_autosave.py --base-url http://$(HOST):$(PORT) --seconds $(SOAK_SECONDS)

## Back up the database (pg_dump, or a SQLite copy) and every stored file (local MEDIA_ROOT or
## the S3 bucket) into $(BACKUP_DIR)/<UTC date-time>/ (scripts/backup.sh; restore with
## scripts/restore.sh: docs/deploy.md, Backups and restore). Run with the portal's environment.
BACKUP_DIR ?= backups
backup: $(VENV)/.installed
	scripts/backup.sh $(BACKUP_DIR)
