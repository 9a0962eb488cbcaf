#!/usr/bin/env bash
# Create a virtual environment and install a hashed lock into it (issue 12, docs/deploy.md).
#   scripts/build/python_env.sh VENV [LOCK]
# LOCK defaults to requirements.lock (production: no development tools); `make setup` passes
# requirements-dev.lock. PYTHON picks the interpreter (default python3; 3.11 or newer).
# The Dockerfile runs this, and so do `make setup` and CI.
set -euo pipefail
venv=${1:?usage: $0 VENV [LOCK]}
lock=${2:-requirements.lock}
python=${PYTHON:-python3}

"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
"$python" -m venv "$venv"
# The pip that ships with Python 3.11 (23.x) refuses a hashed lock whose packages are asked
# for with extras (weasyprint -> fonttools[woff]); 25.3 reads uv's lock as written.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir 'pip==25.3'
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir --require-hashes -r "$lock"
