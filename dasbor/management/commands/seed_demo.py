"""`python manage.py seed_demo`: the program KADIN reported on 10 Nov 2022. Idempotent.

It lives in dasbor, the app above the three domain apps, because it seeds all three; each
app seeds its own part (``<app>/demo.py``) and this command calls them lowest first, then
computes the dashboard's first snapshot.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_organisations, seed_users
from dasbor.models import Snapshot
from dasbor.services import refresh
from ikm.demo import seed_ikm
from ikm.money import format_rupiah
from kemitraan.demo import (
    seed_buyers,
    seed_demands,
    seed_event,
    seed_mou,
    seed_purchase_orders,
)
from kemitraan.matching.run import recompute_all
from pembiayaan.demo import seed_akad, seed_lenders
from pembiayaan.models import AkadKredit


class Command(BaseCommand):
    help = "Load the demo program of the 2022 Link & Match exhibition (safe to run twice)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo creates users with a published password and is refused under "
                "these settings (DEMO_DATA_ALLOWED is off). For a demo server set "
                "DJANGO_DEMO_DATA_ALLOWED=true."
            )
        with transaction.atomic():
            seed_organisations()
            buyers = seed_buyers()
            lenders = seed_lenders()
            users = seed_users()
            seed_ikm(verifier=users["staf.kemenperin"])
            seed_demands(buyers)
            event = seed_event()
            mou = seed_mou(buyer=buyers["ydba"], event=event)
            seed_purchase_orders(mou=mou, actor=users["pengadaan.ydba"])
            seed_akad(lenders=lenders, mou=mou)

        # The demo needs' suggestions, computed here (whatever the Celery setup).
        matched = recompute_all()
        # And the dashboard's figures, so that they are there at the first visit.
        refresh(Snapshot.Trigger.SEED)

        akad = AkadKredit.objects.filter(is_demo=True)
        signed, pipeline = akad.signed(), akad.in_pipeline()
        self.stdout.write(self.style.SUCCESS("Demo program ready:"))
        self.stdout.write(
            f"  MoU {mou.number}: {mou.participants.count()} IKM, "
            f"{format_rupiah(mou.market_access, short=True)} per year"
        )
        self.stdout.write(
            f"  {signed.count()} signed akad: "
            f"{format_rupiah(sum(signed.values_list('plafon', flat=True)), short=True)}; "
            f"{pipeline.count()} in the pipeline: "
            f"{format_rupiah(sum(pipeline.values_list('plafon', flat=True)), short=True)}"
        )
        self.stdout.write(f"  {matched.needs} open needs matched")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, _org, label in DEMO_USERS:
            self.stdout.write(f"  {username:<18} {label}")
        self.stdout.write(f"  {'admin':<18} Django admin (superuser)")
