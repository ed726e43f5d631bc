"""Benchmark the supplier directory: ``bench_directory [--requests 50] [--seed 1]``.

Signed in as a Kemenperin user (``bench.kemenperin``, created when missing), it requests
the directory through Django's test client (server time: middleware, queries, rendering;
no network) with a varied search text plus two filters and a page of 25, and prints the
median and p95 in milliseconds, for the whole page and for the htmx table partial. A
baseline measured in the same run (``/api/v1/me/``: session, sign-in, one small view) gives
ratios that compare across machines. It also prints the SQL query count at page sizes 10
and 100, which must be equal. Goal (docs/performance.md): p95 ≤ 150 ms with 100,000 IKM.

Build the data first, on a database of its own: ``generate_synthetic --ikm 100000``.
"""

import random
import statistics
import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from ikm.bench_samples import FILTER_PAIRS, SEARCHES
from ikm.models import IKM

USERNAME = "bench.kemenperin"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


class Command(BaseCommand):
    help = "Measure the directory's server time (median, p95) and its query count."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="Timed requests per kind.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the query mix.")

    def handle(self, *args, **options):
        count = options["requests"]
        if count < 5:
            raise CommandError("--requests must be at least 5.")
        total = IKM.objects.count()
        if not total:
            raise CommandError("No IKM: run generate_synthetic first.")
        client = self.client()
        url = reverse("ikm:directory")
        rng = random.Random(options["seed"])
        mix = [{"search": rng.choice(SEARCHES), **rng.choice(FILTER_PAIRS)} for _ in range(count)]

        with override_settings(DEBUG=False):
            for params in mix[:5]:  # warm up: connections, templates, the stemmer dictionary
                client.get(url, params)
            baseline = self.timed(client, [("/api/v1/me/", {}, {})] * count)
            page = self.timed(client, [(url, params, {}) for params in mix])
            partial = self.timed(
                client, [(url, params, {"HTTP_HX_REQUEST": "true"}) for params in mix]
            )
            browse = self.timed(client, [(url, {"page": n % 20 + 1}, {}) for n in range(count)])

        queries = {}
        sample = {"search": "komponen", **FILTER_PAIRS[0]}
        for size in (10, 100):
            with CaptureQueriesContext(connection) as context:
                response = client.get(url, {**sample, "per_page": size})
            if response.status_code != 200:
                raise CommandError(f"The directory answered {response.status_code}.")
            queries[size] = len(context.captured_queries)

        base_median = statistics.median(baseline)
        self.stdout.write(
            f"IKM in the database: {total:,}; {count} requests per kind "
            f"(search text + two filters, 25 rows per page); database {connection.vendor}"
        )
        self.stdout.write(f"{'':34} {'median':>8} {'p95':>8}  p95/baseline median")
        for label, times in [
            ("baseline GET /api/v1/me/", baseline),
            ("directory page (search+2 filters)", page),
            ("htmx table partial (same mix)", partial),
            ("browse pages 1-20, no filters", browse),
        ]:
            p95 = percentile(times, 0.95)
            self.stdout.write(
                f"{label:34} {statistics.median(times):7.1f}ms {p95:7.1f}ms  "
                f"{p95 / base_median:5.1f}x"
            )
        equal = "equal" if queries[10] == queries[100] else "NOT EQUAL"
        self.stdout.write(
            f"SQL queries at page size 10: {queries[10]}, at 100: {queries[100]} ({equal})"
        )
        goal = percentile(page, 0.95) <= 150
        style = self.style.SUCCESS if goal and queries[10] == queries[100] else self.style.ERROR
        self.stdout.write(style(f"Goal p95 ≤ 150 ms for the page: {'met' if goal else 'missed'}"))

    def client(self) -> Client:
        user, created = User.objects.get_or_create(username=USERNAME)
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=Role.KEMENPERIN.value))
        hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
        client.force_login(user)
        return client

    @staticmethod
    def timed(client: Client, requests) -> list[float]:
        times = []
        for path, params, headers in requests:
            started = time.perf_counter()
            response = client.get(path, params, **headers)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}.")
        return times
