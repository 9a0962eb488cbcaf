#!/usr/bin/env bash
# CI: a backup restores. A portal on a fresh PostgreSQL database gets the demo data (with its
# published board pack); scripts/backup.sh backs it up; scripts/restore.sh restores it into
# another fresh database and an empty media folder and runs verify_packs there, which must
# pass having checked at least one PDF. The restored PDFs must equal the originals, and a
# restored PDF changed afterwards must make verify_packs fail (so the check is not vacuous).
# Then the same round trip on SQLite. Everything made is removed at the end.
#
#   scripts/ci/backup_restore_check.sh     (PostgreSQL at PGHOST/PGPORT/PGUSER, default
#                                            127.0.0.1:5432 as postgres, trusted)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
SRC_DB="ics_portal_backup_src_$$"
DST_DB="ics_portal_backup_dst_$$"
WORK="$(mktemp -d)"
cleanup() {
  dropdb --if-exists "$SRC_DB" || true
  dropdb --if-exists "$DST_DB" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# Development settings (load_demo_data refuses production), local file storage, no queue run:
# the demo pack is generated and published in-process.
export DEBUG=1 FILE_STORAGE=local
unset TESTING
started=$SECONDS

round_trip() {  # $1: name, $2: source DATABASE_URL, $3: restored DATABASE_URL
  local name="$1" source_url="$2" restored_url="$3" begun=$SECONDS
  local media_src="$WORK/$name-media" media_dst="$WORK/$name-restored-media"
  echo "-- $name: a portal with a published board pack"
  DATABASE_URL="$source_url" MEDIA_ROOT="$media_src" "$PY" manage.py migrate --no-input -v 0
  DATABASE_URL="$source_url" MEDIA_ROOT="$media_src" "$PY" manage.py load_demo_data >/dev/null
  DATABASE_URL="$source_url" MEDIA_ROOT="$media_src" "$PY" manage.py verify_packs
  local prepared=$SECONDS

  echo "-- $name: back up"
  DATABASE_URL="$source_url" MEDIA_ROOT="$media_src" scripts/backup.sh "$WORK/$name-backups"
  local backup
  backup="$(ls -d "$WORK/$name-backups"/*/)"
  local backed_up=$SECONDS

  echo "-- $name: restore into a fresh database and an empty media folder"
  DATABASE_URL="$restored_url" MEDIA_ROOT="$media_dst" scripts/restore.sh "$backup" | tee "$WORK/$name-restore.log"
  grep -Eq '^Checked [1-9][0-9]* published board-pack PDFs?: ' "$WORK/$name-restore.log" \
    || { echo "FAIL: verify_packs checked no published PDF after the restore" >&2; exit 1; }
  diff -r "$media_src/packs/published" "$media_dst/packs/published"
  local restored=$SECONDS

  echo "-- $name: a changed PDF fails verify_packs"
  local pdf
  pdf="$(find "$media_dst/packs/published" -name '*.pdf' | head -n 1)"
  printf 'tampered' >>"$pdf"
  if DATABASE_URL="$restored_url" MEDIA_ROOT="$media_dst" "$PY" manage.py verify_packs 2>"$WORK/$name-tampered.log"; then
    echo "FAIL: verify_packs passed a changed PDF" >&2; exit 1
  fi
  grep -q '^CHANGED ' "$WORK/$name-tampered.log" || { cat "$WORK/$name-tampered.log" >&2; exit 1; }
  echo "-- $name: prepared in $((prepared - begun)) s, backed up in $((backed_up - prepared)) s," \
    "restored and verified in $((restored - backed_up)) s"
}

createdb "$SRC_DB"
createdb "$DST_DB"
round_trip postgresql "postgres://$PGUSER@$PGHOST:$PGPORT/$SRC_DB" "postgres://$PGUSER@$PGHOST:$PGPORT/$DST_DB"
round_trip sqlite "sqlite:///$WORK/source.sqlite3" "sqlite:///$WORK/restored.sqlite3"
echo "Backup and restore check passed in $((SECONDS - started)) s."
