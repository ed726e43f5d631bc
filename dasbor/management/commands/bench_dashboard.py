"""`python manage.py bench_dashboard`: the dashboard's speed figures (docs/performance.md).

Goal (dashboard issue): with 100,000 IKM, 10,000 MoUs and 50,000 akad kredit, the dashboard
page's server time p95 ≤ 50 ms and at least 20x faster than computing the same figures live;
the totals job ≤ 30 s.

It tops the data up to the requested sizes, idempotently (what is there is counted and only
the difference is created, with ``bulk_create`` in batches, no history rows, ``is_demo`` set
where the model has it): IKM through ``generate_synthetic``; ``--buyers`` buyer organisations
("Pembeli Sintetis 01 (benchmark)", APM, tier 1, tier 2, yayasan) and ``--lenders`` lender
organisations ("Pemberi Kredit Sintetis 01 (benchmark)", bank, multifinance, BPR) with their
profiles; a few Link & Match events; ``--mous`` MoUs (numbers ``SYN-MOU-…``, mostly active or
signed over the last four years) with 1-5 IKM each and purchase orders under the signed ones;
``--akad`` akad kredit (application numbers ``SYN-APP-…``, every status, most against an MoU
their borrower is in) with tranches for the disbursed, repaying and paid-off ones.

Then, after ``VACUUM ANALYZE``, it measures in one run:

1. the totals job, ``dasbor.services.refresh("manual")`` (median of ``--job-runs``), and the
   share of the program scope (``compute(Scope())`` timed alone) against the slices;
2. the figures computed live, ``compute(Scope())`` (median and p95 of ``--live-runs``);
3. the page ``GET /dasbor/`` and ``GET /api/v1/dashboard/summary/`` through Django's test
   client, signed in as a KADIN user (``bench.kadin``), ``--requests`` times after 3 warm-ups
   (server time: middleware, queries, rendering; no network);
4. a baseline from the same run (``GET /api/v1/me/``) and the ratios against the goals.

``--profile N`` also lists the N slowest SQL statements of the program's figures and of the
largest buyer's and lender's slices, with the function of ``dasbor/figures.py`` that ran them.
``--delete`` removes what this command created (not the IKM: ``generate_synthetic --delete``).
Run it on a database of its own; never on production.
"""

import datetime
import math
import random
import secrets
import statistics
import time
import traceback
import uuid
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.services import user_create
from dasbor.figures import Scope, compute
from dasbor.models import Snapshot, SnapshotFigures
from dasbor.services import refresh, slice_organisations
from ikm.management.commands.bench_directory import percentile
from ikm.models import IKM
from kemitraan.models import (
    BuyerProfile,
    Delivery,
    LinkMatchEvent,
    MoU,
    MouParticipant,
    MouSupport,
    MouWitness,
    Payment,
    PurchaseOrder,
)
from pembiayaan.models import AkadKredit, Collateral, CreditScheme, Disbursement, LenderProfile

USERNAME = "bench.kadin"
BUYER_NAME = "Pembeli Sintetis {:02d} (benchmark)"
BUYER_REGEX = r"^Pembeli Sintetis [0-9]+ \(benchmark\)$"
LENDER_NAME = "Pemberi Kredit Sintetis {:02d} (benchmark)"
LENDER_REGEX = r"^Pemberi Kredit Sintetis [0-9]+ \(benchmark\)$"
EVENT_NAME = "[sintetis] Link & Match {:02d} (benchmark)"
EVENTS = 6
MOU_PREFIX = "SYN-MOU-"
PO_PREFIX = "SYN-PO-"
AKAD_PREFIX = "SYN-APP-"
AKAD_NUMBER = "SYN/AK/{:07d}"
BATCH = 2000
DAYS = 4 * 365  # signing and application dates over the last four years

PAGE_URL = "/dasbor/"
SUMMARY_URL = "/api/v1/dashboard/summary/"
BASELINE_URL = "/api/v1/me/"
WARM_UPS = 3
GOAL_PAGE_P95_MS = 50
GOAL_RATIO = 20
GOAL_JOB_S = 30

BUYER_KINDS = [("apm", 25), ("tier1", 35), ("tier2", 30), ("yayasan", 10)]
LENDER_KINDS = [("bank", 50), ("multifinance", 25), ("bpr", 25)]
BUYER_PROVINCES = ["31", "32", "33", "35", "36", "21"]
CITIES = ["Jakarta", "Bekasi", "Surabaya", "Semarang", "Tangerang", "Bandung"]
MOU_STATUSES = [("active", 45), ("signed", 25), ("expired", 12), ("terminated", 5), ("draft", 13)]
PATTERNS = [("rantai_pasok", 40), ("subkontrak", 30), ("inti_plasma", 15)]
PATTERNS += [("perdagangan_umum", 10), ("distribusi_keagenan", 5)]
AKAD_STATUSES = [("pipeline", 15), ("approved", 10), ("signed", 10), ("disbursed", 20)]
AKAD_STATUSES += [("repaying", 25), ("paid_off", 8), ("rejected", 7), ("cancelled", 5)]
SCHEME_WEIGHTS = {
    "kur-super-mikro": 10, "kur-mikro": 25, "kur-kecil": 20, "kmk": 20, "ki": 10,
    "leasing": 10, "modal-ventura": 5,
}  # fmt: skip
# Plafon range (Rp) and tenor range (months) per scheme kind, within the scheme's own limits.
KIND_TERMS = {
    "kur": ((1_000_000, 500_000_000), (12, 60)),
    "kmk": ((100_000_000, 10_000_000_000), (12, 36)),
    "ki": ((200_000_000, 20_000_000_000), (36, 120)),
    "leasing": ((100_000_000, 5_000_000_000), (12, 60)),
    "venture": ((200_000_000, 5_000_000_000), (24, 60)),
}
COLLECTIBILITY = [(1, 85), (2, 8), (3, 3), (4, 2), (5, 2)]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _log_uniform(rng: random.Random, low: float, high: float) -> int:
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:9.2f} s "


def _raw_delete(cursor, model, column: str, ids) -> int:
    """``DELETE`` without Django's collector: no per-row signals, no history rows."""
    sql, params = ids.query.sql_with_params()
    cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({sql})", params)
    return cursor.rowcount


class Command(BaseCommand):
    help = "Benchmark the dashboard (page, API, live figures, totals job) on synthetic data."

    def add_arguments(self, parser):
        parser.add_argument("--ikm", type=int, default=100_000, help="IKM in the registry.")
        parser.add_argument("--mous", type=int, default=10_000, help="Synthetic MoUs.")
        parser.add_argument("--akad", type=int, default=50_000, help="Synthetic akad kredit.")
        parser.add_argument("--buyers", type=int, default=40, help="Synthetic buyers.")
        parser.add_argument("--lenders", type=int, default=12, help="Synthetic lenders.")
        parser.add_argument("--requests", type=int, default=200, help="Timed requests per URL.")
        parser.add_argument("--job-runs", type=int, default=3, help="Runs of the totals job.")
        parser.add_argument("--live-runs", type=int, default=5, help="Live computations.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (repeatable).")
        parser.add_argument(
            "--profile", type=int, default=0, metavar="N", help="List the N slowest queries."
        )
        parser.add_argument("--delete", action="store_true", help="Remove the synthetic data.")

    def handle(self, *args, **o):
        if not settings.DEBUG and not settings.DEMO_DATA_ALLOWED:
            raise CommandError("bench_dashboard writes synthetic data: not on this server.")
        if o["delete"]:
            self.delete()
            return
        if o["requests"] < 5 or o["job_runs"] < 1 or o["live_runs"] < 1:
            raise CommandError("--requests must be at least 5, --job-runs and --live-runs 1.")
        started = time.monotonic()
        self.top_up(o)
        self.stdout.write(f"Data generation (top-up): {time.monotonic() - started:.1f} s")
        self.stdout.write(self.sizes())
        if connection.vendor == "postgresql":  # as autovacuum would leave it, before timing
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"VACUUM ANALYZE: {time.monotonic() - started:.1f} s")
        with override_settings(DEBUG=False):
            self.measure(o)
        if o["profile"]:
            self.profile(o["profile"])
        if self.missing:
            raise CommandError(f"Not measured: {', '.join(self.missing)}.")

    # -- data ------------------------------------------------------------------------

    def sizes(self) -> str:
        return (
            f"Database ({connection.vendor}): {IKM.objects.count():,} IKM; "
            f"{MoU.objects.count():,} MoUs with {MouParticipant.objects.count():,} participants "
            f"and {PurchaseOrder.objects.count():,} purchase orders; "
            f"{AkadKredit.objects.count():,} akad with "
            f"{Disbursement.objects.count():,} tranches; "
            f"{BuyerProfile.objects.count()} buyers, {LenderProfile.objects.count()} lenders"
        )

    def top_up(self, o) -> None:
        seed, today = o["seed"], timezone.localdate()
        missing = o["ikm"] - IKM.objects.count()
        if missing > 0:
            self.stdout.write(f"Creating {missing:,} synthetic IKM...")
            call_command("generate_synthetic", ikm=missing, seed=seed, stdout=self.stdout)
        with transaction.atomic():
            buyers = self.organisations(o["buyers"], BUYER_NAME, BUYER_REGEX, BUYER_KINDS, seed)
            lenders = self.organisations(
                o["lenders"], LENDER_NAME, LENDER_REGEX, LENDER_KINDS, seed
            )
            self.profiles(buyers, lenders, seed)
            self.events(buyers[0], today)
        mous = MoU.objects.filter(number__startswith=MOU_PREFIX)
        existing = mous.count()
        if o["mous"] > existing:
            count = o["mous"] - existing
            self.stdout.write(f"Creating {count:,} synthetic MoUs (participants, POs)...")
            last = mous.order_by("-number").values_list("number", flat=True).first()
            first = int(last[len(MOU_PREFIX) :]) + 1 if last else 1
            self.make_mous(count, first, random.Random(seed * 1_000_003 + existing), today)
        akad = AkadKredit.objects.filter(application_number__startswith=AKAD_PREFIX)
        existing = akad.count()
        if o["akad"] > existing:
            count = o["akad"] - existing
            self.stdout.write(f"Creating {count:,} synthetic akad kredit (tranches)...")
            last = akad.order_by("-application_number").values_list("application_number", flat=True)
            first = int(last.first()[len(AKAD_PREFIX) :]) + 1 if existing else 1
            self.make_akad(count, first, random.Random(seed * 2_000_003 + existing), today)

    def organisations(self, target, name, regex, kinds, seed) -> list[Organisation]:
        have = set(Organisation.objects.filter(name__regex=regex).values_list("name", flat=True))
        rng = random.Random(seed + len(have))
        new = [
            Organisation(name=name.format(n), kind=_weighted(rng, kinds), is_demo=True)
            for n in range(1, target + 1)
            if name.format(n) not in have
        ]
        Organisation.objects.bulk_create(new)
        return list(Organisation.objects.filter(name__regex=regex).order_by("name"))

    def profiles(self, buyers, lenders, seed) -> None:
        rng = random.Random(seed)
        BuyerProfile.objects.bulk_create(
            [
                BuyerProfile(
                    organisation=org,
                    group_name="Grup Sintetis",
                    province_id=rng.choice(BUYER_PROVINCES),
                    description="Pembeli sintetis untuk benchmark dasbor.",
                )
                for org in buyers
                if not BuyerProfile.objects.filter(organisation=org).exists()
            ]
        )
        LenderProfile.objects.bulk_create(
            [
                LenderProfile(organisation=org, short_name=f"SYN-L{org.name.split()[3]}")
                for org in lenders
                if not LenderProfile.objects.filter(organisation=org).exists()
            ]
        )

    def events(self, organiser, today) -> None:
        have = set(
            LinkMatchEvent.objects.filter(name__endswith="(benchmark)").values_list(
                "name", flat=True
            )
        )
        new = []
        for k in range(EVENTS):
            start = today - _days(DAYS) + _days(k * DAYS // EVENTS + 30)
            if EVENT_NAME.format(k + 1) not in have:
                new.append(
                    LinkMatchEvent(
                        name=EVENT_NAME.format(k + 1),
                        kind=LinkMatchEvent.Kind.BUSINESS_MATCHING,
                        sector="Komponen otomotif",
                        start_date=start,
                        end_date=start + _days(2),
                        city=CITIES[k % len(CITIES)],
                        organiser=organiser,
                        is_demo=True,
                    )
                )
        LinkMatchEvent.objects.bulk_create(new)

    def make_mous(self, count: int, first: int, rng: random.Random, today) -> None:
        buyers = list(
            BuyerProfile.objects.filter(organisation__name__regex=BUYER_REGEX)
            .order_by("organisation__name")
            .values_list("pk", flat=True)
        )
        buyer_weights = [1 / (i + 1) ** 0.7 for i in range(len(buyers))]  # a few large buyers
        events = list(
            LinkMatchEvent.objects.filter(name__endswith="(benchmark)")
            .order_by("start_date")
            .values_list("pk", "end_date")
        )
        ikm_ids = list(
            IKM.objects.filter(
                is_active=True, verification_status__in=("verified", "submitted")
            ).values_list("pk", flat=True)
        )
        if len(ikm_ids) < 5:
            raise CommandError("Fewer than 5 registered IKM: raise --ikm.")
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            mous, members = [], []
            for offset in range(size):
                mou = self.make_mou(
                    rng, first + done + offset, buyers, buyer_weights, events, today
                )
                mous.append(mou)
                k = _weighted(rng, [(1, 25), (2, 30), (3, 20), (4, 15), (5, 10)])
                amounts = [rng.randint(12, 3000) * 10_000_000 for _ in range(k)]
                members.append(list(zip(rng.sample(ikm_ids, k), amounts, strict=True)))
            with transaction.atomic():
                MoU.objects.bulk_create(mous)
                participants = [
                    MouParticipant(
                        mou_id=mou.pk,
                        ikm_id=ikm,
                        committed_market_access=amount,
                        committed_parts="Komponen sesuai lampiran (sintetis)",
                    )
                    for mou, rows in zip(mous, members, strict=True)
                    for ikm, amount in rows
                ]
                MouParticipant.objects.bulk_create(participants, batch_size=5000)
                by_mou = {mou.pk: mou for mou in mous}
                orders = []
                for participant in participants:
                    orders += self.make_orders(rng, by_mou[participant.mou_id], participant, today)
                PurchaseOrder.objects.bulk_create(orders, batch_size=5000)
            done += size

    @staticmethod
    def make_mou(rng, n, buyers, buyer_weights, events, today) -> MoU:
        status = _weighted(rng, MOU_STATUSES)
        signing = None
        if status == "draft":
            valid_from = today + _days(rng.randint(-60, 90))
            valid_until = valid_from + _days(365 * rng.randint(1, 5))
        elif status == "expired":
            signing = today - _days(rng.randint(400, DAYS))
            valid_from = signing + _days(rng.randint(0, 30))
            valid_until = valid_from + _days(rng.randint(180, (today - valid_from).days - 1))
        else:
            signing = today - _days(rng.randint(0, DAYS))
            valid_from = signing + _days(rng.randint(0, 30))
            if status == "terminated":
                valid_until = valid_from + _days(365 * rng.randint(1, 5))
            else:  # signed or active: still running
                valid_until = max(valid_from + _days(365), today + _days(rng.randint(30, 1500)))
        event = None
        if signing and events and rng.random() < 0.35:
            before = [pk for pk, end in events if end <= signing]
            event = before[-1] if before else None
        changed = signing if status not in ("expired", "terminated") else min(valid_until, today)
        return MoU(
            number=f"{MOU_PREFIX}{n:06d}",
            title=f"[sintetis] Kemitraan pasokan komponen otomotif {n}",
            buyer_id=rng.choices(buyers, weights=buyer_weights)[0],
            event_id=event,
            purpose="Pasokan komponen (data sintetis untuk benchmark).",
            signing_date=signing,
            signing_place=rng.choice(CITIES) if signing else "",
            valid_from=valid_from,
            valid_until=valid_until,
            partnership_pattern=_weighted(rng, PATTERNS),
            status=status,
            status_changed_at=_noon(changed) if changed else None,
            termination_reason=(
                "Pembeli menghentikan kemitraan (sintetis)." if status == "terminated" else ""
            ),
            is_demo=True,
        )

    @staticmethod
    def make_orders(rng, mou, participant, today) -> list[PurchaseOrder]:
        """0-4 orders for 40 % of the participants of signed MoUs, within the MoU's term."""
        if mou.signing_date is None or rng.random() >= 0.4:
            return []
        last = min(today, mou.valid_until)
        if mou.valid_from > last:
            return []
        span = (last - mou.valid_from).days
        return [
            PurchaseOrder(
                participant_id=participant.pk,
                buyer_id=mou.buyer_id,
                number=f"{PO_PREFIX}{mou.number[len(MOU_PREFIX) :]}-{participant.ikm_id}-{j}",
                order_date=mou.valid_from + _days(rng.randint(0, span)),
                value=max(
                    1_000,
                    int(participant.committed_market_access * rng.uniform(0.02, 0.25))
                    // 1000
                    * 1000,
                ),
                payment_terms_days=rng.choice([30, 45, 60, 90]),
                description="Komponen (sintetis)",
                is_demo=True,
            )
            for j in range(1, rng.randint(1, 4) + 1)
        ]

    def make_akad(self, count: int, first: int, rng: random.Random, today) -> None:
        lenders = list(
            LenderProfile.objects.filter(organisation__name__regex=LENDER_REGEX)
            .order_by("organisation__name")
            .values_list("pk", flat=True)
        )
        if not lenders:
            raise CommandError("No synthetic lender: --lenders must be at least 1.")
        lender_weights = [1 / (i + 1) ** 0.5 for i in range(len(lenders))]
        schemes = [
            (s, SCHEME_WEIGHTS.get(s.code, 5)) for s in CreditScheme.objects.filter(is_active=True)
        ]
        if not schemes:
            raise CommandError("No active credit scheme: run migrate first.")
        # (MoU, IKM, signing date) of every participant of a signed synthetic MoU.
        pairs = list(
            MouParticipant.objects.filter(
                mou__number__startswith=MOU_PREFIX, mou__signing_date__isnull=False
            ).values_list("mou_id", "ikm_id", "mou__signing_date")
        )
        ikm_ids = list(
            IKM.objects.filter(
                is_active=True, verification_status__in=("verified", "submitted")
            ).values_list("pk", flat=True)
        )
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            rows = [
                self.make_one_akad(
                    rng, first + done + offset, lenders, lender_weights, schemes, pairs,
                    ikm_ids, today,
                )
                for offset in range(size)
            ]  # fmt: skip
            with transaction.atomic():
                akad = AkadKredit.objects.bulk_create([a for a, _tranches in rows])
                Disbursement.objects.bulk_create(
                    [
                        Disbursement(
                            akad_id=a.pk,
                            disbursed_on=day,
                            amount=amount,
                            note="Pencairan (sintetis)",
                            is_demo=True,
                        )
                        for a, (_a, tranches) in zip(akad, rows, strict=True)
                        for day, amount in tranches
                    ],
                    batch_size=5000,
                )
            done += size

    @staticmethod
    def make_one_akad(rng, n, lenders, lender_weights, schemes, pairs, ikm_ids, today):
        """An akad with consistent dates (applied ≤ approved ≤ signed ≤ tranches ≤ closed ≤
        today) and terms within its scheme; its tranches as (date, amount), Σ ≤ plafon."""

        def step(day, low, high):
            return min(day + _days(rng.randint(low, high)), today)

        status = _weighted(rng, AKAD_STATUSES)
        if pairs and rng.random() < 0.85:
            mou_id, borrower_id, signing = rng.choice(pairs)
            earliest = max(signing, today - _days(DAYS))
        else:
            mou_id, borrower_id, earliest = None, rng.choice(ikm_ids), today - _days(DAYS)
        span = (today - earliest).days
        if status in AkadKredit.PIPELINE_STATUSES:  # open applications are recent
            span = min(span, 180)
            applied = today - _days(rng.randint(0, span))
        else:
            applied = earliest + _days(rng.randint(0, span))

        scheme = rng.choices([s for s, _w in schemes], weights=[w for _s, w in schemes])[0]
        (low, high), (tenor_low, tenor_high) = KIND_TERMS.get(scheme.kind, KIND_TERMS["kmk"])
        low = max(low, scheme.min_plafon or 1)
        high = min(high, scheme.max_plafon or high)
        plafon = _log_uniform(rng, low, high) // 100_000 * 100_000
        plafon = min(max(plafon, low), high)
        kur = scheme.kind == CreditScheme.Kind.KUR
        tenor = rng.randint(tenor_low, tenor_high)
        if kur or scheme.max_rate is not None:
            rate = scheme.max_rate if scheme.max_rate is not None else Decimal("6.00")
        else:
            rate = Decimal(rng.randint(800, 1600)) / 100

        approved = signed = closed = None
        number, reason = "", ""
        approved_statuses = ("approved", *AkadKredit.SIGNED_STATUSES)
        if status in approved_statuses or (status == "cancelled" and rng.random() < 0.5):
            approved = step(applied, 3, 45)
        if status in AkadKredit.SIGNED_STATUSES:
            signed = step(approved, 1, 30)
            number = AKAD_NUMBER.format(n)
        if status == "rejected":
            closed = step(applied, 5, 60)
            reason = "Kelayakan usaha belum memenuhi (sintetis)."
        elif status == "cancelled":
            closed = step(approved or applied, 1, 60)
            reason = "Dibatalkan oleh pemohon (sintetis)."

        tranches = []
        collectibility = as_of = None
        if status in ("disbursed", "repaying", "paid_off"):
            k = rng.randint(1, 3)
            share = 1.0 if status == "paid_off" else rng.uniform(0.5, 1.0)
            total = max(k, int(plafon * share) // 1000 * 1000)
            weights = [rng.uniform(1, 3) for _ in range(k)]
            amounts = [int(total * w / sum(weights)) for w in weights[:-1]]
            amounts.append(total - sum(amounts))
            day = signed
            for amount in amounts:
                day = step(day, 0, 90)
                tranches.append((day, amount))
            if status == "paid_off":
                closed = step(day, 90, 720)
            else:
                collectibility = _weighted(rng, COLLECTIBILITY)
                as_of = step(day, 0, 180)
        last = closed or as_of or signed or approved or applied
        akad = AkadKredit(
            lender_id=rng.choices(lenders, weights=lender_weights)[0],
            borrower_id=borrower_id,
            scheme=scheme,
            mou_id=mou_id,
            application_number=f"{AKAD_PREFIX}{n:07d}",
            akad_number=number,
            plafon=plafon,
            tenor_months=tenor,
            interest_rate=rate,
            rate_type="effective" if kur or rng.random() < 0.7 else "flat",
            provision_fee=0 if kur else plafon // 100,
            admin_fee=rng.choice([0, 250_000, 500_000]),
            grace_period_months=0 if rng.random() < 0.8 else rng.choice([3, 6]),
            guarantor=rng.choice(["askrindo", "jamkrindo"]) if kur else "",
            guarantee_coverage=Decimal("70.00") if kur else None,
            purpose="Modal kerja pesanan dalam MoU (sintetis)",
            collectibility=collectibility,
            collectibility_as_of=as_of,
            status=status,
            status_changed_at=_noon(last),
            applied_on=applied,
            approved_on=approved,
            signed_on=signed,
            closed_on=closed,
            status_reason=reason,
            is_demo=True,
        )
        return akad, tranches

    def delete(self) -> None:
        akad = AkadKredit.objects.filter(application_number__startswith=AKAD_PREFIX).values("pk")
        mous = MoU.objects.filter(number__startswith=MOU_PREFIX).values("pk")
        orders = PurchaseOrder.objects.filter(participant__mou__in=mous).values("pk")
        orgs = Organisation.objects.filter(name__regex=rf"({BUYER_REGEX})|({LENDER_REGEX})").values(
            "pk"
        )
        akad_po = AkadKredit.purchase_orders.through
        counts = {}
        with transaction.atomic(), connection.cursor() as cursor:
            counts["tranches"] = _raw_delete(cursor, Disbursement, "akad_id", akad)
            _raw_delete(cursor, Collateral, "akad_id", akad)
            _raw_delete(cursor, akad_po, "akadkredit_id", akad)
            _raw_delete(cursor, akad_po, "purchaseorder_id", orders)
            counts["akad"] = _raw_delete(cursor, AkadKredit, "id", akad)
            _raw_delete(cursor, Delivery, "purchase_order_id", orders)
            _raw_delete(cursor, Payment, "purchase_order_id", orders)
            counts["purchase orders"] = _raw_delete(cursor, PurchaseOrder, "id", orders)
            counts["participants"] = _raw_delete(cursor, MouParticipant, "mou_id", mous)
            _raw_delete(cursor, MouSupport, "mou_id", mous)
            _raw_delete(cursor, MouWitness, "mou_id", mous)
            counts["MoUs"] = _raw_delete(cursor, MoU, "id", mous)
            events = LinkMatchEvent.objects.filter(name__endswith="(benchmark)", is_demo=True)
            counts["events"] = _raw_delete(cursor, LinkMatchEvent, "id", events.values("pk"))
            _raw_delete(cursor, SnapshotFigures, "organisation_id", orgs)
            _raw_delete(cursor, BuyerProfile, "organisation_id", orgs)
            _raw_delete(cursor, LenderProfile, "organisation_id", orgs)
            counts["organisations"] = _raw_delete(cursor, Organisation, "id", orgs)
        self.stdout.write(
            "Deleted " + ", ".join(f"{n:,} {what}" for what, n in counts.items()) + "."
        )
        self.stdout.write("The synthetic IKM stay: generate_synthetic --delete removes them.")

    # -- measurements ----------------------------------------------------------------

    def client(self) -> Client:
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            user = user_create(
                username=USERNAME,
                role=Role.KADIN.value,
                password=secrets.token_urlsafe(24),
                validate=False,
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
        hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
        client.force_login(user)
        return client

    def get_times(self, client: Client, path: str, count: int) -> list[float] | None:
        """Server times (s) of ``count`` GETs after the warm-ups; None when the URL is not
        there (yet)."""
        try:
            resolve(path)
        except Resolver404:
            return None
        times = []
        for n in range(WARM_UPS + count):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"GET {path} answered {response.status_code}, not 200.")
            if n >= WARM_UPS:
                times.append(elapsed)
        return times

    def measure(self, o) -> None:
        self.missing = []
        # 1. The totals job, and the program's scope alone (which also warms the caches).
        scopes = 1 + slice_organisations().count()
        started = time.perf_counter()
        compute(Scope())
        program = time.perf_counter() - started
        job = []
        for _ in range(o["job_runs"]):
            started = time.perf_counter()
            snapshot = refresh(Snapshot.Trigger.MANUAL)
            job.append(time.perf_counter() - started)
            if snapshot is None:
                raise CommandError("Another totals job holds the lock: try again later.")
        # 2. The same figures, live.
        live = []
        for _ in range(o["live_runs"]):
            started = time.perf_counter()
            compute(Scope())
            live.append(time.perf_counter() - started)
        # 3. and 4. The page, the API and the baseline.
        client = self.client()
        baseline = self.get_times(client, BASELINE_URL, o["requests"])
        page = self.get_times(client, PAGE_URL, o["requests"])
        # The first view after each new snapshot renders the page's body (it is cached per
        # snapshot, scope, role and language afterwards): measured with a new key each time.
        from dasbor.views import OverviewView

        with mock.patch.object(OverviewView, "fragment_key", lambda view: uuid.uuid4().hex):
            cold = self.get_times(client, PAGE_URL, max(o["requests"] // 4, 20))
        summary = self.get_times(client, SUMMARY_URL, o["requests"])
        for path, times in ((PAGE_URL, page), (SUMMARY_URL, summary)):
            if times is None:
                self.missing.append(f"GET {path} (no such URL yet)")

        job_median, live_median = statistics.median(job), statistics.median(live)
        base = statistics.median(baseline)
        self.stdout.write("")
        self.stdout.write(f"{'What':52} {'median':>12} {'p95':>12}  runs  xbaseline  goal")
        self.stdout.write(
            f"{f'totals job: refresh(), {scopes} scopes':52} {_s(job_median)} {'':12} {len(job):5}"
        )
        slices = max(job_median - program, 0.0)
        self.stdout.write(
            f"{'  of which program scope, compute(Scope()) once':52} {_s(program)} "
            f"{'':12} {1:5}  ({100 * program / job_median:.0f} % of the job)"
        )
        self.stdout.write(
            f"{f'  of which {scopes - 1} slices (and storing): per slice':52} "
            f"{_s(slices / max(scopes - 1, 1))} {'':12} {'':5}  "
            f"({100 * slices / job_median:.0f} % of the job)"
        )
        self.stdout.write(
            f"{'live: compute(Scope())':52} {_ms(live_median)} {_ms(percentile(live, 0.95))} "
            f"{len(live):5}  {live_median / base:8.0f}x"
        )
        for label, times in (
            (f"page: GET {PAGE_URL}", page),
            ("  the same, first view after a snapshot (no goal)", cold),
            (f"API: GET {SUMMARY_URL}", summary),
            (f"baseline: GET {BASELINE_URL}", baseline),
        ):
            if times is None:
                self.stdout.write(f"{label:52} {'not there yet':>12}")
                continue
            median = statistics.median(times)
            self.stdout.write(
                f"{label:52} {_ms(median)} {_ms(percentile(times, 0.95))} {len(times):5}  "
                f"{median / base:8.1f}x"
            )
        self.stdout.write("")
        self.goal(
            f"totals job median {job_median:.2f} s (goal ≤ {GOAL_JOB_S} s)",
            job_median <= GOAL_JOB_S,
        )
        for label, times in (("page", page), ("summary API", summary)):
            if times is None:
                self.stdout.write(self.style.ERROR(f"{label}: not measured (no such URL yet)"))
                continue
            p95, median = percentile(times, 0.95), statistics.median(times)
            self.goal(
                f"{label} p95 {p95 * 1000:.1f} ms (goal ≤ {GOAL_PAGE_P95_MS} ms)",
                p95 * 1000 <= GOAL_PAGE_P95_MS,
            )
            self.goal(
                f"{label}: live median / {label} median = {live_median / median:.1f}x "
                f"(goal ≥ {GOAL_RATIO}x)",
                live_median / median >= GOAL_RATIO,
            )

    def goal(self, text: str, met: bool) -> None:
        style = self.style.SUCCESS if met else self.style.ERROR
        self.stdout.write(style(f"{text}: {'goal met' if met else 'goal NOT met'}"))

    # -- profile ---------------------------------------------------------------------

    def profile(self, top: int) -> None:
        """The slowest statements of the program's figures and of the largest slices."""
        buyer = (
            Organisation.objects.filter(buyer_profile__isnull=False)
            .annotate(n=Count("buyer_profile__mous"))
            .order_by("-n")
            .first()
        )
        lender = (
            Organisation.objects.filter(lender_profile__isnull=False)
            .annotate(n=Count("lender_profile__akad"))
            .order_by("-n")
            .first()
        )
        scopes = [("program", Scope())]
        if buyer is not None:
            scopes.append((f"buyer {buyer.name} ({buyer.n} MoUs)", Scope.for_organisation(buyer)))
        if lender is not None:
            scopes.append(
                (f"lender {lender.name} ({lender.n} akad)", Scope.for_organisation(lender))
            )
        for label, scope in scopes:
            log = []

            def record(execute, sql, params, many, context, log=log):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    elapsed = time.perf_counter() - started
                    where = [
                        f"{frame.name}:{frame.lineno}"
                        for frame in traceback.extract_stack()
                        if frame.filename.endswith("dasbor/figures.py")
                    ]
                    text = connection.ops.last_executed_query(context["cursor"], sql, params)
                    log.append((elapsed, " < ".join(reversed(where[-2:])), text))

            with connection.execute_wrapper(record):
                started = time.perf_counter()
                compute(scope)
                total = time.perf_counter() - started
            self.stdout.write("")
            self.stdout.write(
                f"Profile, {label}: {total * 1000:.0f} ms, {len(log)} queries "
                f"({sum(t for t, _w, _s in log) * 1000:.0f} ms in SQL); slowest {top}:"
            )
            for elapsed, where, sql in sorted(log, reverse=True)[:top]:
                self.stdout.write(f"  {elapsed * 1000:8.1f} ms  {where}")
                self.stdout.write(f"      {sql}")
