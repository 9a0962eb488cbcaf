#!/usr/bin/env bash
# `systemd-analyze verify` the units in deploy/systemd/ (make lint-deploy, CI). verify insists
# that each ExecStart program exists; this machine has no /opt/ics-portal, so the units are
# checked as copies whose /opt/ics-portal/.venv/bin points at a temporary folder holding
# executables of the same names. Everything else in them is checked as written.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing: apt-get install systemd" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/venv/bin" "$work/units"
for program in python gunicorn; do
  printf '#!/bin/sh\nexit 0\n' >"$work/venv/bin/$program"
  chmod +x "$work/venv/bin/$program"
done
for unit in deploy/systemd/*.service deploy/systemd/*.timer; do
  sed "s#/opt/ics-portal/\.venv/bin/#$work/venv/bin/#g" "$unit" >"$work/units/$(basename "$unit")"
done
# verify prints problems but, for some, still exits 0: any output is a failure.
output=$(systemd-analyze verify --man=no --generators=no "$work"/units/* 2>&1) || status=$?
if [ -n "$output" ] || [ "${status:-0}" -ne 0 ]; then
  printf '%s\n' "$output" | sed "s#$work/units/#deploy/systemd/#g" >&2
  exit 1
fi
echo "deploy/systemd: $(ls deploy/systemd | wc -l) units verified"
