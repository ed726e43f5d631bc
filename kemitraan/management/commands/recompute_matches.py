"""`python manage.py recompute_matches [--demand ID] [--sync]`: the matching jobs by hand."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kemitraan.matching import run
from kemitraan.models import Demand
from kemitraan.tasks import demand_match_task, matches_recompute_all_task


class Command(BaseCommand):
    help = (
        "Recompute match suggestions: of one need (--demand) or of every open need. "
        "Queued for the Celery workers, or run here with --sync."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demand", type=int, help="Only this need (its id).")
        parser.add_argument(
            "--sync", action="store_true", help="Run in this process instead of the workers."
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=settings.MATCHING_CHUNK_SIZE,
            help="Open needs per chunk task (default: %(default)s).",
        )

    def handle(self, *args, demand=None, sync=False, chunk_size=500, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        if demand is not None and not Demand.objects.filter(pk=demand).exists():
            raise CommandError(f"No procurement need has id {demand}.")
        started = time.monotonic()
        if demand is not None:
            if sync:
                result = run.demand_match(demand)
                if result.skipped:
                    self.stdout.write(f"Need {demand} is not open: its suggestions are kept.")
                    return
                self._report(result, started)
            else:
                demand_match_task.delay(demand)
                self.stdout.write(f"Queued: matching of need {demand}.")
            return
        if sync:
            self._report(run.recompute_all(chunk_size), started)
        else:
            matches_recompute_all_task.delay(chunk_size)
            self.stdout.write("Queued: full recompute of every open need.")

    def _report(self, result, started):
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.needs} need(s) matched in {time.monotonic() - started:.1f} s: "
                f"{result.created} suggestion(s) added, {result.updated} updated, "
                f"{result.deleted} removed, {result.unchanged} unchanged."
            )
        )
