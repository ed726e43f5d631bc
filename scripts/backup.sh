#!/usr/bin/env bash
# Back up the PostgreSQL database to one file (pg_dump, custom format: compressed, restored
# with scripts/restore.sh or pg_restore).
#
#   scripts/backup.sh [FILE]
#
# The database is DATABASE_URL's (the environment's, else .env's). FILE defaults to
# var/backups/kemitraan-YYYYmmdd-HHMMSS.dump. The file is written under a temporary name and
# renamed when complete, readable by its owner only (it holds personal data). Messages name
# the host and database, never the credentials. Needs pg_dump of the server's major version
# or newer.
set -euo pipefail
# shellcheck source=scripts/_database.sh
source "$(dirname "$0")/_database.sh"

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
esac
[[ $# -le 1 ]] || die "usage: scripts/backup.sh [FILE]"

url="$(database_url_from_settings)"
[[ -n "$url" ]] || die "DATABASE_URL is not set (nor in .env). Without it the platform uses" \
  "the SQLite file var/kemitraan.sqlite3: back that up by copying it."
libpq="$(libpq_url "$url")" || die "DATABASE_URL is not a PostgreSQL URL" \
  "(postgres://...): only PostgreSQL is backed up by this script."
command -v pg_dump >/dev/null || die "pg_dump not found (Debian: apt-get install postgresql-client)."

file="${1:-$ROOT/var/backups/kemitraan-$(date +%Y%m%d-%H%M%S).dump}"
mkdir -p "$(dirname "$file")"
partial="$file.partial"
umask 077
trap 'rm -f "$partial"' EXIT

if ! run_masked "$(url_password "$url")" \
  pg_dump --format=custom --compress=6 --file="$partial" --dbname="$libpq"; then
  die "backup of $(describe_url "$url") failed; nothing written."
fi
mv -f "$partial" "$file"
trap - EXIT
echo "Backed up $(describe_url "$url") to $file ($(du -h "$file" | cut -f1))."
