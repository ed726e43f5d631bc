"""Load test of the pages people use most, as signed-in users of the right roles.

Run it with ``loadtest/run.sh`` (``make loadtest``), which starts gunicorn on the loopback
interface and locust headless against it; see docs/performance.md, "Load test".

The mix: buyers' procurement officers (3 in 5 users) search the supplier directory, open IKM
pages from the results and read their needs' suggestions; Kemenperin staff (1 in 5) search
and open IKM pages; KADIN admins (1 in 5) read the program dashboard, also by province. Each
user reads a page for 3 to 10 s before the next one (``LOADTEST_WAIT=3,10``): fifty busy
officers, some 7 pages a second in all. Only loopback hosts are accepted.

Users come signed in: ``loadtest/run.sh`` signs each one in through the sign-in form before
the run (``loadtest/sign_in.py``, ``LOADTEST_SESSIONS``), since fifty password hashes inside
the measured minute would measure the hasher. Without that file each user signs in itself.

Besides locust's own CSV files, the run writes ``<csv prefix>_summary.json``: exact
percentiles (locust's are rounded to its buckets) per endpoint and over the four measured
endpoints together, sign-in and setup requests left out, for the whole run and for its second
half; and ``<csv prefix>_requests.csv``, every request with its time.
"""

import csv
import json
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

# The project's root, for `ikm.bench_samples` (a plain module: no Django setup here).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ikm import bench_samples

PASSWORD = "kemitraan-demo"  # the demo users of `seed_demo` (accounts/demo.py)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WAIT_SECONDS = [float(s) for s in os.environ.get("LOADTEST_WAIT", "3,10").split(",")]

# The four measured endpoints (the names locust reports them under).
DIRECTORY = "directory search"
IKM_PAGE = "IKM page"
SUGGESTIONS = "need with suggestions"
DASHBOARD = "dashboard"
DASHBOARD_PROVINCE = "dashboard by province"
# Request name -> endpoint: the dashboard is one endpoint, with and without the filter.
MEASURED = {
    DIRECTORY: DIRECTORY,
    IKM_PAGE: IKM_PAGE,
    SUGGESTIONS: SUGGESTIONS,
    DASHBOARD: DASHBOARD,
    DASHBOARD_PROVINCE: DASHBOARD,
}

# The directory searches of `manage.py bench_directory` (a realistic mix, 25 rows a page).
SEARCHES, FILTERS = bench_samples.SEARCHES, bench_samples.FILTER_PAIRS
PROVINCES = ["32", "35", "33", "36", "31"]

IKM_LINK = re.compile(r'href="/ikm/(\d+)/"')
NEED_LINK = re.compile(r'href="/kemitraan/kebutuhan/(\d+)/"')


# Sessions signed in before the run (loadtest/sign_in.py): {username: [cookies, ...]}.
_sessions: dict[str, list[dict]] = {}
_handed_out: dict[str, int] = defaultdict(int)
if os.environ.get("LOADTEST_SESSIONS"):
    with open(os.environ["LOADTEST_SESSIONS"], encoding="utf-8") as sessions_file:
        _sessions = json.load(sessions_file)


def _next_session(username: str) -> dict | None:
    """Each simulated user its own session, in turn (shared only if there are too few)."""
    pool = _sessions.get(username)
    if not pool:
        return None
    cookies = pool[_handed_out[username] % len(pool)]
    _handed_out[username] += 1
    return cookies


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in LOOPBACK:
        raise SystemExit(f"Refusing to load {environment.host!r}: loopback hosts only.")


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT_SECONDS)
    username = ""

    def on_start(self):
        self.ikm_ids: list[str] = []
        cookies = _next_session(self.username)
        if cookies is not None:  # signed in beforehand by loadtest/sign_in.py
            for name, value in cookies.items():
                self.client.cookies.set(name, value)
            return
        self.client.get("/masuk/", name="sign-in form")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/masuk/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/masuk/"},
            name="sign-in",
            catch_response=True,
        ) as response:
            if "/masuk/" in response.url:
                response.failure(f"{self.username} could not sign in")

    def page(self, path: str, name: str, *, expect: str, params=None):
        """GET a page; a failure unless it is the page asked for and shows ``expect``."""
        with self.client.get(path, params=params, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/masuk/" in response.url:
                response.failure("signed out")
            elif expect not in response.text:
                response.failure(f"{expect!r} missing from the page")
            return response

    def search_directory(self):
        params = {"search": random.choice(SEARCHES), **random.choice(FILTERS)}
        response = self.page("/ikm/direktori/", DIRECTORY, params=params, expect="<table")
        found = IKM_LINK.findall(response.text or "")
        if found:
            self.ikm_ids = found

    def open_ikm(self):
        if not self.ikm_ids:
            self.search_directory()
            if not self.ikm_ids:
                return
        self.page(f"/ikm/{random.choice(self.ikm_ids)}/", IKM_PAGE, expect="<h1")


class BuyerOfficer(SignedInUser):
    """A procurement officer of PT Garuda Motor Indonesia (APM)."""

    weight = 3
    username = "pengadaan.garuda"

    def on_start(self):
        super().on_start()
        response = self.client.get("/kemitraan/kebutuhan/", name="needs list (setup)")
        self.need_ids = sorted(set(NEED_LINK.findall(response.text or "")))

    @task(3)
    def directory(self):
        self.search_directory()

    @task(3)
    def ikm(self):
        self.open_ikm()

    @task(2)
    def suggestions(self):
        if self.need_ids:
            self.page(
                f"/kemitraan/kebutuhan/{random.choice(self.need_ids)}/",
                SUGGESTIONS,
                expect="suggestion-row",
            )


class KemenperinStaff(SignedInUser):
    weight = 1
    username = "staf.kemenperin"

    @task(3)
    def directory(self):
        self.search_directory()

    @task(2)
    def ikm(self):
        self.open_ikm()


class KadinAdmin(SignedInUser):
    weight = 1
    username = "admin.kadin"

    @task(3)
    def dashboard(self):
        self.page("/dasbor/", DASHBOARD, expect='data-figure="ikm_total"')

    @task(1)
    def dashboard_by_province(self):
        params = {"province": random.choice(PROVINCES)}
        self.page("/dasbor/", DASHBOARD_PROVINCE, params=params, expect='data-figure="ikm_total"')


# --- Exact percentiles ------------------------------------------------------------------

# Every request: (seconds since the start when it ended, name, milliseconds, failed).
_log: list[tuple[float, str, float, bool]] = []
_clock = {"start": time.monotonic(), "load_before": os.getloadavg()}


@events.test_start.add_listener
def _start_clock(environment, **kwargs):
    _clock["start"] = time.monotonic()
    _clock["load_before"] = os.getloadavg()


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    _log.append((time.monotonic() - _clock["start"], name, response_time, exception is not None))


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, as in bench_directory."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _figures(rows) -> dict | None:
    times = [ms for _, _, ms, _ in rows]
    if not times:
        return None
    return {
        "requests": len(times),
        "errors": sum(failed for *_, failed in rows),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "p99_ms": round(_percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
    }


def _by_endpoint(rows) -> dict:
    """The four measured endpoints, each and together (sign-in and setup left out)."""
    groups: dict[str, list] = defaultdict(list)
    for row in rows:
        if row[1] in MEASURED:
            groups[MEASURED[row[1]]].append(row)
    figures = {name: _figures(group) for name, group in groups.items()}
    figures["all four"] = _figures([row for group in groups.values() for row in group])
    return figures


@events.quitting.add_listener
def _write_summary(environment, **kwargs):
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix or not _log:
        return
    elapsed = max(t for t, *_ in _log)
    names = sorted({name for _, name, _, _ in _log})
    summary = {
        "users": environment.parsed_options.num_users,
        "spawn_rate": environment.parsed_options.spawn_rate,
        "run_time_s": environment.parsed_options.run_time,
        "wait_seconds": WAIT_SECONDS,
        "host": environment.host,
        "load_average_before": _clock["load_before"],
        "load_average_after": os.getloadavg(),
        "by_name": {name: _figures([r for r in _log if r[1] == name]) for name in names},
        "endpoints": _by_endpoint(_log),
        # Once every user has started and the workers are warm: requests ending in the
        # second half of the run.
        "second_half": _by_endpoint([r for r in _log if r[0] >= elapsed / 2]),
    }
    with open(f"{prefix}_summary.json", "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2)
    with open(f"{prefix}_requests.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["seconds", "name", "response_ms", "failed"])
        writer.writerows((round(t, 3), name, round(ms, 1), int(f)) for t, name, ms, f in _log)
