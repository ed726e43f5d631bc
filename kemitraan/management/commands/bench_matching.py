"""`python manage.py bench_matching --ikm 100000 --demands 10000`: matching speed figures.

Tops the registry up to ``--ikm`` synthetic IKM (``generate_synthetic``) and the open needs
up to ``--demands`` synthetic needs (buyer "Pembeli Sintetis", texts composed from the same
vocabularies as the synthetic IKM, with the other fields varied), then prints:

- the snapshot build (load + tokenise + arrays) time;
- the full recompute of every open need, from no stored suggestion and then again with
  nothing changed: wall time and peak memory (resident set, summed over the worker
  processes), with ``--workers`` processes taking chunks as Celery workers would (each
  builds its own snapshot);
- one new need against every IKM (median; engine only, and with its reasons and writes);
- one changed IKM against every open need (median of ``ikm_rescore``);
- the reference implementation's time per pair on a sample of needs, the engine's time
  per pair in the full recompute, their ratio, and top-20 agreement on the sample.

``--delete`` removes the synthetic needs (and their suggestions). Never run on production.
"""

import multiprocessing
import random
import resource
import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Organisation
from ikm.management.commands.generate_synthetic import NIB_PREFIX, PROFILES, VEHICLES
from ikm.models import IKM, CertificationType, Kbli, ProcessCapability, Regency

from ...matching import run
from ...matching.loading import need_records
from ...matching.reference import rank
from ...models import BuyerProfile, Demand, MatchSuggestion

BUYER_NAME = "Pembeli Sintetis (benchmark)"
TITLE_PREFIX = "[sintetis] "
PROSE = (
    "Kami membutuhkan pemasok {product} dari {material} untuk {vehicle}. Pemasok harus "
    "mampu menjaga mutu dan pengiriman rutin setiap bulan ke pabrik kami."
)
TERSE = "{product} {material} {qty}rb pcs/bln utk {vehicle}"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _chunk_worker(ranges):
    """A worker process: its own connection and snapshot, then its share of the chunks."""
    connections.close_all()
    run.forget_snapshot()
    started = time.monotonic()
    total = run.StoreResult()
    for first, last in ranges:
        total.add(run.recompute_range(first, last))
    return total.as_dict(), time.monotonic() - started, _peak_mb()


class Command(BaseCommand):
    help = "Benchmark the matching engine on synthetic data (prints figures)."

    def add_arguments(self, parser):
        parser.add_argument("--ikm", type=int, default=100_000)
        parser.add_argument("--demands", type=int, default=10_000)
        parser.add_argument("--workers", type=int, default=2, help="Processes (default 2).")
        parser.add_argument("--samples", type=int, default=15, help="Runs per median.")
        parser.add_argument("--reference-needs", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--delete", action="store_true")

    def handle(self, *args, **o):
        if not settings.DEBUG and not settings.DEMO_DATA_ALLOWED:
            raise CommandError("bench_matching writes synthetic data: not on this server.")
        if o["delete"]:
            deleted, _ = Demand.objects.filter(buyer__organisation__name=BUYER_NAME).delete()
            self.stdout.write(f"Deleted {deleted} synthetic needs and suggestions.")
            return
        self.top_up(o["ikm"], o["demands"], o["seed"])
        ikm_count = IKM.objects.count()
        open_count = Demand.objects.filter(status="open").count()
        self.stdout.write(f"Registry: {ikm_count} IKM; {open_count} open needs.")

        started = time.monotonic()
        matcher = run.current_matcher(force=True)
        self.line("snapshot build (load, tokenise, arrays)", time.monotonic() - started, "s")

        # From nothing stored (every row written), then again (nothing changed).
        MatchSuggestion.objects.filter(demand__status="open", status="suggested").delete()
        if connection.vendor == "postgresql":  # as autovacuum would, before timing
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {MatchSuggestion._meta.db_table}")
        self.full_recompute(o["workers"], label="full recompute, from empty")
        self.full_recompute(o["workers"], label="full recompute again, nothing changed")
        matcher = run.current_matcher()
        self.new_need(matcher, o["samples"], o["seed"])
        self.changed_ikm(matcher, o["samples"], o["seed"])
        self.reference(matcher, o["reference_needs"], o["seed"])

    def line(self, label, value, unit):
        self.stdout.write(f"  {label:<58} {value:>10.3f} {unit}")

    # -- data ------------------------------------------------------------------------

    def top_up(self, ikm_target: int, demand_target: int, seed: int) -> None:
        missing = ikm_target - IKM.objects.count()
        if missing > 0:
            self.stdout.write(f"Creating {missing} synthetic IKM...")
            call_command("generate_synthetic", ikm=missing, seed=seed, stdout=self.stdout)
        existing = Demand.objects.filter(buyer__organisation__name=BUYER_NAME).count()
        if demand_target - existing > 0:
            self.stdout.write(f"Creating {demand_target - existing} synthetic needs...")
            self.make_demands(demand_target - existing, seed + existing)

    def make_demands(self, count: int, seed: int) -> None:
        rng = random.Random(seed)
        org, _ = Organisation.objects.get_or_create(name=BUYER_NAME, defaults={"kind": "apm"})
        buyer, _ = BuyerProfile.objects.get_or_create(organisation=org)
        regencies = list(Regency.objects.values_list("code", "province_id"))
        kbli = set(Kbli.objects.values_list("code", flat=True))
        processes = dict(ProcessCapability.objects.values_list("slug", "pk"))
        certs = dict(CertificationType.objects.values_list("code", "pk"))
        profiles = {slug: p for slug, p in PROFILES.items() if slug in processes}
        now = timezone.now()
        links = {"kbli": [], "processes": [], "required": [], "preferred": []}
        with transaction.atomic():
            demands = []
            shapes = []
            for _ in range(count):
                slug = rng.choice(list(profiles))
                codes, _words, products, materials = profiles[slug]
                text = (PROSE if rng.random() < 0.5 else TERSE).format(
                    product=rng.choice(products),
                    material=rng.choice(materials),
                    vehicle=rng.choice(VEHICLES),
                    qty=rng.choice([5, 10, 25, 60]),
                )
                where = rng.random()
                regency, province = rng.choice(regencies)
                demands.append(
                    Demand(
                        buyer=buyer,
                        title=f"{TITLE_PREFIX}{rng.choice(products)}"[:200],
                        description=text,
                        quantity_per_month=rng.choice([None, 1000, 5000, 20000, 60000]),
                        unit="pcs",
                        regency_id=regency if where < 0.3 else None,
                        province_id=province if 0.3 <= where < 0.6 else None,
                        min_tkdn=rng.choice([None, None, None, 25, 40]),
                        verified_only=rng.random() < 0.2,
                        status="open",
                        is_demo=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
                shapes.append((slug, codes))
            Demand.objects.bulk_create(demands, batch_size=2000)
            for demand, (slug, codes) in zip(demands, shapes, strict=True):
                if rng.random() < 0.7:
                    links["processes"].append(
                        Demand.processes.through(
                            demand_id=demand.pk, processcapability_id=processes[slug]
                        )
                    )
                if rng.random() < 0.6:
                    code = rng.choice(codes)
                    if code in kbli:
                        links["kbli"].append(Demand.kbli.through(demand_id=demand.pk, kbli_id=code))
                if rng.random() < 0.25:
                    links["required"].append(
                        Demand.required_certifications.through(
                            demand_id=demand.pk, certificationtype_id=certs["ISO9001"]
                        )
                    )
                if rng.random() < 0.4:
                    links["preferred"].append(
                        Demand.preferred_certifications.through(
                            demand_id=demand.pk,
                            certificationtype_id=certs[rng.choice(["IATF16949", "ISO14001"])],
                        )
                    )
            Demand.processes.through.objects.bulk_create(links["processes"], batch_size=5000)
            Demand.kbli.through.objects.bulk_create(links["kbli"], batch_size=5000)
            Demand.required_certifications.through.objects.bulk_create(links["required"])
            Demand.preferred_certifications.through.objects.bulk_create(links["preferred"])

    # -- measurements ----------------------------------------------------------------

    def full_recompute(self, workers: int, label: str = "full recompute") -> None:
        ranges = run.open_demand_ranges(settings.MATCHING_CHUNK_SIZE)
        shares = [ranges[i::workers] for i in range(workers)]
        connections.close_all()
        started = time.monotonic()
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, maxtasksperchild=1) as pool:
            outcomes = pool.map(_chunk_worker, shares)
        wall = time.monotonic() - started
        total = run.StoreResult()
        for counts, _seconds, _peak in outcomes:
            total.add(run.StoreResult(**counts))
        peak = sum(p for _c, _s, p in outcomes)
        self.line(f"{label}: wall time, {workers} processes", wall, "s")
        self.line(f"{label}: peak memory, all processes", peak, "MB")
        self.stdout.write(f"    {total.as_dict()}")
        self.full_wall = getattr(self, "full_wall", wall)

    def new_need(self, matcher, samples: int, seed: int) -> None:
        rng = random.Random(seed)
        ids = list(Demand.objects.filter(status="open").values_list("pk", flat=True))
        engine, stored = [], []
        for pk in rng.sample(ids, min(samples, len(ids))):
            need = need_records(Demand.objects.filter(pk=pk))[0]
            started = time.perf_counter()
            matcher.top([need], run.SUGGESTIONS_PER_NEED)
            engine.append(time.perf_counter() - started)
            started = time.perf_counter()
            run.demand_match(pk, matcher=matcher)
            stored.append(time.perf_counter() - started)
        self.line("one need vs all IKM: engine, median", statistics.median(engine) * 1000, "ms")
        self.line(
            "one need vs all IKM: load, score, reasons, write, median",
            statistics.median(stored) * 1000,
            "ms",
        )

    def changed_ikm(self, matcher, samples: int, seed: int) -> None:
        rng = random.Random(seed + 1)
        ids = list(
            IKM.objects.filter(nib__startswith=NIB_PREFIX, is_active=True).values_list(
                "pk", flat=True
            )[:50_000]
        )
        run.ikm_rescore(ids[0], matcher=matcher)  # warm the open needs' cache
        times = []
        for pk in rng.sample(ids, min(samples, len(ids))):
            started = time.perf_counter()
            run.ikm_rescore(pk, matcher=matcher)
            times.append(time.perf_counter() - started)
        self.line(
            "one changed IKM vs all open needs, median", statistics.median(times) * 1000, "ms"
        )

    def reference(self, matcher, count: int, seed: int) -> None:
        rng = random.Random(seed + 2)
        ids = list(Demand.objects.filter(status="open").values_list("pk", flat=True))
        needs = need_records(Demand.objects.filter(pk__in=rng.sample(ids, min(count, len(ids)))))
        started = time.perf_counter()
        expected = {
            n.id: rank(n, matcher.ikms, matcher.index, matcher.weights, matcher.today, 20)
            for n in needs
        }
        reference_seconds = time.perf_counter() - started
        pairs = len(needs) * len(matcher.ikms)
        per_pair_reference = reference_seconds / pairs
        got = matcher.top(needs, 20)
        agree = sum(
            [pk for pk, _ in expected[n.id]] == [s.ikm_id for s in got[n.id]] for n in needs
        )
        open_count = Demand.objects.filter(status="open").count()
        per_pair_engine = self.full_wall / max(open_count * len(matcher.ikms), 1)
        self.line(
            f"reference: {len(needs)} needs x {len(matcher.ikms)} IKM", reference_seconds, "s"
        )
        self.line("reference per pair", per_pair_reference * 1e6, "us")
        self.line("engine per pair (full recompute, wall)", per_pair_engine * 1e6, "us")
        self.line(
            "speed-up (reference / engine, per pair)", per_pair_reference / per_pair_engine, "x"
        )
        self.line("top-20 agreement on the sample", 100.0 * agree / max(len(needs), 1), "%")
