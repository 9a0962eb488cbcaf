#!/usr/bin/env bash
# Install the front-end packages from package-lock.json and copy what the templates load, with
# the source maps the files name, into static/vendor (scripts/build_assets.py).
# With NODE_ENV=production (the image) npm leaves out the development packages (axe-core,
# used only by the browser tests). Needs node, npm and python3. The Dockerfile runs this;
# `make assets` and CI do the same.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm ci --no-audit --no-fund --loglevel=error
"${PYTHON:-python3}" scripts/build_assets.py
