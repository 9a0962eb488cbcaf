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

.PHONY: setup run test test-browser lint format check-deploy assets clean benchmark soak

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	@# The pip that ships with Python 3.11 (23.x) refuses a hashed lock whose packages are asked
	@# for with extras (weasyprint -> fonttools[woff]); 25.3 reads uv's lock as written.
	$(VENV)/bin/pip install --quiet --disable-pip-version-check 'pip==25.3'
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

static/vendor/.built: package.json package-lock.json scripts/build_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/build_assets.py
	@touch $@

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
	TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser -p no:xdist

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

## Board-pack benchmark on synthetic data (6 and 60 workstreams, 40 risks).
benchmark: setup
	$(PY) benchmarks/board_pack.py 6
	$(PY) benchmarks/board_pack.py 60

## With `make run` serving (another terminal): concurrent autosaves as the demo lead while board
## packs generate; prints requests, status codes, errors and p50/p95 latency.
soak:
	$(PY) scripts/soak_autosave.py --base-url http://$(HOST):$(PORT) --seconds $(SOAK_SECONDS)
