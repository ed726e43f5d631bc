#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh (a pg_dump custom-format file).
#
#   scripts/restore.sh [--force] FILE [TARGET_DATABASE_URL]
#
# The target is TARGET_DATABASE_URL (the argument, else the environment variable), else
# DATABASE_URL (the environment's, else .env's); the database must exist (createdb NAME).
# A target that already has tables is refused unless --force: it is then replaced by the
# backup's contents (pg_restore --clean --if-exists). The restore runs in one transaction:
# on any error the target is left as it was. Objects are owned by the user restoring
# (--no-owner). Messages name the host and database, never the credentials.
set -euo pipefail
# shellcheck source=scripts/_database.sh
source "$(dirname "$0")/_database.sh"

force=false
args=()
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*) die "unknown option $arg" ;;
    *) args+=("$arg") ;;
  esac
done
[[ ${#args[@]} -ge 1 && ${#args[@]} -le 2 ]] ||
  die "usage: scripts/restore.sh [--force] FILE [TARGET_DATABASE_URL]"

file="${args[0]}"
url="${args[1]:-${TARGET_DATABASE_URL:-$(database_url_from_settings)}}"
[[ -f "$file" ]] || die "no such backup file: $file"
[[ -n "$url" ]] || die "no target: give TARGET_DATABASE_URL or set DATABASE_URL."
libpq="$(libpq_url "$url")" || die "the target is not a PostgreSQL URL (postgres://...)."
for tool in pg_restore psql; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client)."
done
target="$(describe_url "$url")"
password="$(url_password "$url")"

pg_restore --list "$file" >/dev/null 2>&1 || die "$file is not a pg_dump custom-format backup."

tables="$(run_masked "$password" psql --no-psqlrc --quiet --tuples-only --no-align \
  --dbname="$libpq" --command="
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'")" || die "cannot read the target $target."
if [[ "$tables" -gt 0 && "$force" != true ]]; then
  die "$target is not empty ($tables tables): refusing to overwrite it. Pass --force" \
    "to replace its contents with the backup's."
fi

if ! run_masked "$password" pg_restore --clean --if-exists --no-owner --single-transaction \
  --exit-on-error --dbname="$libpq" "$file"; then
  die "restore into $target failed; the target is unchanged."
fi
# Planner statistics are not in a dump: gather them now rather than at autovacuum's pace.
run_masked "$password" psql --no-psqlrc --quiet --dbname="$libpq" --command="ANALYZE" ||
  echo "restore.sh: ANALYZE failed; the data is restored." >&2
echo "Restored $file into $target."
