# shellcheck shell=bash
# Shared by backup.sh and restore.sh (sourced, not run): the database URL, described and
# error messages printed without its credentials.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The script's leading comment, as its help.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# The DATABASE_URL of the environment, else of .env (as the settings read it).
database_url_from_settings() {
  local url="${DATABASE_URL:-}"
  if [[ -z "$url" && -f "$ROOT/.env" ]]; then
    url="$(sed -n -E 's/^[[:space:]]*(export[[:space:]]+)?DATABASE_URL[[:space:]]*=[[:space:]]*//p' \
      "$ROOT/.env" | tail -n 1)"
    url="${url%\"}"; url="${url#\"}"; url="${url%\'}"; url="${url#\'}"
  fi
  printf '%s' "$url"
}

# A URL libpq understands (django-environ also accepts pgsql://, psql://, postgis://).
libpq_url() {
  local url="$1" scheme="${1%%://*}"
  case "$scheme" in
    postgres | postgresql) printf '%s' "$url" ;;
    pgsql | psql | postgis) printf 'postgresql://%s' "${url#*://}" ;;
    *) return 1 ;;
  esac
}

# host:port/database of a URL: what may be printed.
describe_url() {
  local rest="${1#*://}" authority path
  authority="${rest%%/*}"
  path=""
  [[ "$rest" == */* ]] && path="${rest#*/}"
  printf '%s/%s' "${authority##*@}" "${path%%\?*}"
}

# The password in a URL, to be masked in messages ("" if none).
url_password() {
  local rest="${1#*://}" authority userinfo
  authority="${rest%%/*}"
  [[ "$authority" == *@* ]] || return 0
  userinfo="${authority%@*}"
  [[ "$userinfo" == *:* ]] && printf '%s' "${userinfo#*:}"
  return 0
}

# Run a command; its error output is printed with the URL's password masked.
run_masked() {
  local password="$1" errors status=0
  shift
  errors="$(mktemp)"
  "$@" 2>"$errors" || status=$?
  if [[ -s "$errors" ]]; then
    if [[ -n "$password" ]]; then
      local text
      text="$(cat "$errors")"
      printf '%s\n' "${text//"$password"/***}" >&2
    else
      cat "$errors" >&2
    fi
  fi
  rm -f "$errors"
  return "$status"
}
