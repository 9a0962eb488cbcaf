# syntax=docker/dockerfile:1
# The portal's production image (docs/deploy.md, "Building and running"):
#   docker build -t ics-portal .
#   docker compose up -d          (compose.yaml: PostgreSQL, migrate, web, worker, scheduler)
# Each step the image runs is a script that CI runs too (scripts/build/, the production smoke
# test); CI lints this file with hadolint (`make lint-deploy`). No development tools go in.

# --- 1. Front-end assets: the NHS.UK frontend and htmx, with their source maps ---------------
FROM node:22-bookworm-slim AS assets
# build_assets.py is Python: the assets stage needs an interpreter, not the portal's packages.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# npm leaves out the development packages (axe-core, for the browser tests only).
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts/build_assets.py scripts/
COPY scripts/build/assets.sh scripts/build/
# An organisation's licensed Frutiger files, if it put them in static/fonts/ (issue 13; the
# build serves them locally, else the NHS.UK CSS falls back to Arial): the folder comes along.
COPY static/ static/
RUN scripts/build/assets.sh

# --- 2. The Python environment from the production lock (hashed; no dev tools) -----------------
FROM python:3.11-slim-bookworm AS python-env
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock ./
COPY scripts/build/python_env.sh scripts/build/
RUN scripts/build/python_env.sh /opt/venv requirements.lock

# --- 3. The runtime image --------------------------------------------------------------------
FROM python:3.11-slim-bookworm
# WeasyPrint renders board packs with Pango (HarfBuzz's subsetter keeps the fonts small); the
# packs are set in Liberation Sans, with DejaVu as the fallback.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /var/lib/ics-portal \
        --shell /usr/sbin/nologin portal
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BIND=0.0.0.0:8000 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/var/lib/ics-portal/media \
    XDG_CACHE_HOME=/var/lib/ics-portal/cache
WORKDIR /app
COPY --from=python-env /opt/venv /opt/venv
COPY . .
COPY --from=assets /src/static/vendor static/vendor
# collectstatic at build time, into the image (read-only at run time); the generated files and
# uploads go to the volume at MEDIA_ROOT (or object storage: FILE_STORAGE=s3).
RUN scripts/build/collectstatic.sh /opt/venv/bin/python \
    && install -d -o portal -g portal /var/lib/ics-portal/media /var/lib/ics-portal/cache
# Numeric, so an orchestrator can tell it is not root (runAsNonRoot).
USER 10001:10001
EXPOSE 8000
VOLUME ["/var/lib/ics-portal/media"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
# The web server; the task worker, migrations and scheduled jobs run the same image with
# another command (compose.yaml).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ics_portal.wsgi"]
