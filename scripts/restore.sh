#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a FRESH database and an EMPTY file storage.
#
#   scripts/restore.sh BACKUP_FOLDER
#
# The target is the portal's environment as configured: DATABASE_URL (an empty database: make
# it first with createdb; a SQLite file that does not exist yet), FILE_STORAGE with MEDIA_ROOT
# or the AWS_* variables. It refuses a database that already has tables, and a stored file
# that differs from the backup's. Then it runs `manage.py migrate` (applies only what this
# code has that the backup had not: none when the code is the same) and `manage.py
# verify_packs`, whose exit status it returns.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
SRC="${1:?usage: scripts/restore.sh BACKUP_FOLDER}"
SRC="$(cd "$SRC" && pwd)"
cd "$ROOT"
[ -f "$SRC/files.json" ] || { echo "restore.sh: $SRC has no files.json: not a backup" >&2; exit 2; }

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
    [ -f "$SRC/database.dump" ] || { echo "restore.sh: $SRC has no database.dump (PostgreSQL)" >&2; exit 2; }
    URL="$(printf '%s' "${DATABASE_URL:?DATABASE_URL is not set}" | sed -E 's#^[a-z0-9+]+://#postgresql://#')"
    tables="$(psql "$URL" -tAc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
    if [ "$tables" != "0" ]; then
      echo "restore.sh: database $DB_NAME already has $tables tables; restore into a fresh one (createdb)" >&2
      exit 2
    fi
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$URL" "$SRC/database.dump"
    echo "Database: $SRC/database.dump -> PostgreSQL $DB_NAME"
    ;;
  sqlite3)
    [ -f "$SRC/database.sqlite3" ] || { echo "restore.sh: $SRC has no database.sqlite3 (SQLite)" >&2; exit 2; }
    if [ -s "$DB_NAME" ]; then
      echo "restore.sh: $DB_NAME already exists; move it away or set DATABASE_URL to a new file" >&2
      exit 2
    fi
    mkdir -p "$(dirname "$DB_NAME")"
    cp "$SRC/database.sqlite3" "$DB_NAME"
    echo "Database: $SRC/database.sqlite3 -> SQLite $DB_NAME"
    ;;
  *) echo "restore.sh: cannot restore into a $ENGINE database" >&2; exit 2 ;;
esac

"$PY" manage.py restore_files "$SRC"
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py verify_packs
