#!/usr/bin/env bash
# Collect the static files as production serves them: DEBUG off, so whitenoise's manifest
# storage hashes every file name and writes .gz (and .br) copies into STATIC_ROOT (default
# staticfiles/). collectstatic reads no secret and serves no host, so when SECRET_KEY and
# ALLOWED_HOSTS are unset it is given throwaway build-only values; nothing else sees them.
#   scripts/build/collectstatic.sh [PYTHON]    (PYTHON defaults to .venv/bin/python)
# The Dockerfile runs this at build time; the production smoke test and CI do the same.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-.venv/bin/python}
export DEBUG=0
unset TESTING  # the test suite's switch would pick the plain (unhashed) storage
export SECRET_KEY="${SECRET_KEY:-collectstatic-build-only-not-a-secret-$(date +%s)-xxxxxxxxxxxxxxxx}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-build.invalid}"
"$python" manage.py collectstatic --no-input --clear -v 1
