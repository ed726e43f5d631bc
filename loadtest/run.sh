#!/usr/bin/env bash
# Bounded load test (docs/performance.md, "Load test"): gunicorn with 2 workers on the
# loopback interface, then locust headless, 50 users for 60 s, then gunicorn is stopped.
#
#   loadtest/run.sh                    # or: make loadtest
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/other PORT=8790 loadtest/run.sh
#
# The data set: 100,000 IKM, 10,000 MoUs, 50,000 akad (`manage.py bench_dashboard --ikm
# 100000 --mous 10000 --akad 50000`) and the demo users (`seed_demo`). Without DATABASE_URL
# the script uses the PostgreSQL database `kemitraan_loadtest` on 127.0.0.1, creating it and
# the data set the first time (about 2 minutes); a database given by DATABASE_URL gets the
# migrations, the demo users and the data set when they are missing.
# Results go to var/loadtest/<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kemitraan_loadtest}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/7}"
# The development settings with DEBUG off (the production ones insist on HTTPS).
export DJANGO_SETTINGS_MODULE=config.settings.local
export DJANGO_DEBUG=false
export DJANGO_ALLOWED_HOSTS=127.0.0.1
# Persistent connections, as in production.
export DATABASE_CONN_MAX_AGE="${DATABASE_CONN_MAX_AGE:-60}"
PORT="${PORT:-8765}"
USERS="${USERS:-50}"
SPAWN_RATE="${SPAWN_RATE:-10}"
RUN_TIME="${RUN_TIME:-60s}"
WORKERS="${WORKERS:-2}"
OUT="var/loadtest/$(date +%Y%m%d-%H%M%S)"
PY=.venv/bin/python
mkdir -p "$OUT"

# The database, its tables and the data set, when missing.
$PY - <<'PY'
import os
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme not in ("postgres", "postgresql", "pgsql"):
    raise SystemExit("loadtest: DATABASE_URL must name a PostgreSQL database")
name = url.path.lstrip("/")
admin = psycopg2.connect(
    host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
    dbname="postgres",
)
admin.autocommit = True
with admin.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if cursor.fetchone() is None:
        print(f"loadtest: creating the database {name}")
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
PY
$PY manage.py migrate --noinput >"$OUT/setup.log" 2>&1

if ! $PY manage.py shell --no-imports -c "
from accounts.models import User
names = {'pengadaan.garuda', 'staf.kemenperin', 'admin.kadin'}
raise SystemExit(0 if User.objects.filter(username__in=names).count() == 3 else 1)
"; then
  echo "loadtest: demo users missing, running seed_demo"
  $PY manage.py seed_demo >>"$OUT/setup.log" 2>&1
fi
if ! $PY manage.py shell --no-imports -c "
from ikm.models import IKM
raise SystemExit(0 if IKM.objects.count() >= 100_000 else 1)
"; then
  echo "loadtest: building the data set (bench_dashboard, about 2 minutes)"
  $PY manage.py bench_dashboard --ikm 100000 --mous 10000 --akad 50000 \
    --requests 5 --job-runs 1 --live-runs 1 >>"$OUT/setup.log" 2>&1
fi
$PY manage.py shell --no-imports -c "
from ikm.models import IKM
from kemitraan.models import MoU
from pembiayaan.models import AkadKredit
print(f'loadtest: {IKM.objects.count():,} IKM, {MoU.objects.count():,} MoUs, '
      f'{AkadKredit.objects.count():,} akad')
"

.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --pid "$OUT/gunicorn.pid" --error-logfile "$OUT/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
# Wait up to a minute for gunicorn to answer the sign-in page.
$PY - "http://127.0.0.1:$PORT/masuk/" <<'PY'
import sys, time, urllib.request
for attempt in range(60):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=5).close()
        break
    except OSError:
        time.sleep(1)
else:
    raise SystemExit(f"loadtest: gunicorn did not answer {sys.argv[1]} within a minute")
PY

# Every simulated user signed in through the form beforehand (30 buyers' officers, 10
# Kemenperin, 10 KADIN: locust's split of 50 users by the weights 3:1:1).
# Then a few unmeasured requests warm both workers up (templates, the stemmer dictionary).
$PY loadtest/sign_in.py --host "http://127.0.0.1:$PORT" --out "$OUT/sessions.json" --warm-up \
  "pengadaan.garuda=$((USERS * 3 / 5))" "staf.kemenperin=$((USERS / 5))" "admin.kadin=$((USERS / 5))"
export LOADTEST_SESSIONS="$OUT/sessions.json"

echo "loadtest: locust --headless -u $USERS -r $SPAWN_RATE -t $RUN_TIME against 127.0.0.1:$PORT"
status=0
.venv/bin/locust -f loadtest/locustfile.py --headless --only-summary \
  -u "$USERS" -r "$SPAWN_RATE" -t "$RUN_TIME" --stop-timeout 10 \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --html "$OUT/locust.html" \
  >"$OUT/locust.log" 2>&1 || status=$?
rm -f "$OUT/sessions.json"  # live session keys: not kept
tail -n 40 "$OUT/locust.log"

# The goal: no error, p95 <= 300 ms over the four endpoints (sign-in and setup left out).
$PY - "$OUT/locust_summary.json" <<'PY' || status=1
import json, sys
summary = json.load(open(sys.argv[1]))
print("load average before / after:", summary["load_average_before"], summary["load_average_after"])
for title, rows in (("Whole run", summary["endpoints"]), ("Second half", summary["second_half"])):
    print(f"\n{title}\n\n| Endpoint | Requests | Errors | Median | p95 | p99 | Max |")
    print("|---|---|---|---|---|---|---|")
    for name, f in rows.items():
        print(f"| {name} | {f['requests']} | {f['errors']} | {f['median_ms']} ms | "
              f"{f['p95_ms']} ms | {f['p99_ms']} ms | {f['max_ms']} ms |")
overall = summary["endpoints"]["all four"]
ok = overall["errors"] == 0 and overall["p95_ms"] <= 300
print(f"\nloadtest: {'goal met' if ok else 'GOAL NOT MET'} (0 errors, p95 <= 300 ms, whole run)")
sys.exit(0 if ok else 1)
PY
echo "loadtest: results in $OUT (locust_stats.csv, locust_summary.json, locust_requests.csv, locust.html)"
exit "$status"
