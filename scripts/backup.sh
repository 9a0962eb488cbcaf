#!/usr/bin/env bash
# Back up the portal into a new dated folder: the database and every stored file.
#
#   scripts/backup.sh [BACKUP_ROOT]        # default: $BACKUP_DIR, else ./backups
#
# Run it with the portal's own environment (DATABASE_URL, FILE_STORAGE, MEDIA_ROOT or the
# AWS_* variables, SECRET_KEY ...), e.g. from cron. It writes BACKUP_ROOT/<UTC date-time>/:
#   database.dump     PostgreSQL: pg_dump custom format (restore with scripts/restore.sh)
#   database.sqlite3  SQLite: an online copy (Python's sqlite3 backup API)
#   files/, files.json  every file in the file storage (local MEDIA_ROOT or the S3 bucket),
#                     with each one's size and SHA-256
#   backup.txt        when, from what, the code's commit and the applied migrations
# The database is dumped first, then the files: a pack published in between leaves an unused
# file in the backup, never a record whose PDF is missing. Needs pg_dump (postgresql-client)
# of the server's major version or later for PostgreSQL; nothing extra for S3.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
BACKUP_ROOT="${1:-${BACKUP_DIR:-$ROOT/backups}}"
STAMP="$(date -u +%Y-%m-%dT%H%M%SZ)"
OUT="$BACKUP_ROOT/$STAMP"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$ROOT"

# What the portal's settings resolve to (the same defaults as the portal itself).
DB="$("$PY" - <<'PY'
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ics_portal.settings")
from django.conf import settings
db = settings.DATABASES["default"]
print(db["ENGINE"].rsplit(".", 1)[-1])
print(db["NAME"])
PY
)"
ENGINE="$(sed -n 1p <<<"$DB")"
DB_NAME="$(sed -n 2p <<<"$DB")"

case "$ENGINE" in
  postgresql)
    # libpq reads the URL as it is; dj-database-url's other spellings of the scheme are not
    # libpq's, so the scheme is normalised.
    URL="$(printf '%s' "${DATABASE_URL:?DATABASE_URL is not set}" | sed -E 's#^[a-z0-9+]+://#postgresql://#')"
    pg_dump --format=custom --no-owner --no-privileges --dbname="$URL" --file="$OUT/database.dump"
    echo "Database: PostgreSQL $DB_NAME -> $OUT/database.dump"
    ;;
  sqlite3)
    "$PY" - "$DB_NAME" "$OUT/database.sqlite3" <<'PY'
import os, sqlite3, sys
if not os.path.isfile(sys.argv[1]):
    sys.exit(f"backup.sh: there is no SQLite database at {sys.argv[1]}")
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
source.close(); target.close()
PY
    echo "Database: SQLite $DB_NAME -> $OUT/database.sqlite3"
    ;;
  *) echo "backup.sh: cannot back up a $ENGINE database" >&2; exit 2 ;;
esac

"$PY" manage.py backup_files "$OUT"

{
  echo "backup of the development plan reporting portal"
  echo "taken: $STAMP"
  echo "database: $ENGINE"
  echo "file storage: ${FILE_STORAGE:-local}"
  echo "code: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "migrations applied:"
  "$PY" manage.py showmigrations --plan | grep -F '[X]' || true
} >"$OUT/backup.txt"
echo "Backup written to $OUT"
