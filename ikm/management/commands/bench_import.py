"""Benchmark of the IKM import: python manage.py bench_import --rows 10000 [--runs 3].

Generates a valid workbook of synthetic IKM (NIB range 98…, names "[bench] …", written in
the messy ways spreadsheets hold them) in a temporary directory, then times against the
current database: reading the file, the dry run (all rows new), the import (all created),
importing the same file again (all unchanged, nothing written) and a file that changes
every row. Prints the median of the runs. The synthetic IKM, their links, certificates
and history rows are deleted before and after every run; the command refuses to run
when an IKM that is not synthetic holds a NIB of the range.
"""

import random
import statistics
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from openpyxl import Workbook

from ikm.importing import COLUMN_NAMES, ikm_import_apply, ikm_import_preview, read_table
from ikm.models import IKM, Certificate, ImportJob, Regency

NIB_BASE = 9_800_000_000_000
NAME_PREFIX = "[bench] "
REGENCY_SAMPLE = ["32.16", "32.75", "32.04", "31.74", "36.03", "33.74", "35.78", "34.71"]
PROCESS_WAYS = [
    "stamping",
    "Pemesinan (CNC)",
    "machining",
    "injeksi plastik",
    "wire harness",
    "pengecoran; tempa",
    "welding, painting",
    "Perakitan",
]
MONEY_WAYS = [
    lambda n: n,
    lambda n: f"{n:,}".replace(",", "."),
    lambda n: f"Rp {n / 10**9:.1f} miliar".replace(".", ","),
    lambda n: f"{n // 10**6} jt",
    lambda n: str(n),
]


def _row(i: int, regencies: list[Regency], *, variant: int = 0) -> list:
    rnd = random.Random(i)
    regency = regencies[i % len(regencies)]
    investment = rnd.randrange(100, 20_000) * 10**6 + variant * 10**6
    values = {
        "nama_usaha": f"{NAME_PREFIX}CV Uji {i:05d}",
        "nib": str(NIB_BASE + i) if i % 3 else NIB_BASE + i,
        "bentuk_usaha": ["CV", "PT", "UD", "", "Koperasi"][i % 5],
        "npwp": f"01.{i % 1000:03d}.{rnd.randrange(1000):03d}.8-901.000" if i % 2 else "",
        "tahun_berdiri": 1990 + i % 30,
        "alamat": f"Jl. Industri No. {i % 200}",
        "provinsi": regency.province_id if i % 2 else str(regency.province),
        "kabupaten_kota": regency.code if i % 4 == 0 else str(regency),
        "kbli": "29300, 25910" if i % 2 else 29300,
        "proses": PROCESS_WAYS[(i + variant) % len(PROCESS_WAYS)],
        "produk": "bracket, dudukan mesin",
        "bahan": "plat baja SPCC",
        "sertifikasi": ["", "ISO 9001:2015", "ISO9001, TKDN", "IATF 16949"][i % 4],
        "kapasitas_per_bulan": 1000 + i % 5000,
        "satuan": "pcs",
        "jumlah_tenaga_kerja": 5 + i % 60,
        "nilai_investasi": MONEY_WAYS[i % len(MONEY_WAYS)](investment),
        "omzet_tahunan": "1,8 M" if i % 3 else None,
        "tkdn_persen": "45,5" if i % 2 else 60,
        "nama_kontak": f"Kontak {i}",
        "telepon": f"0812{i:08d}",
        "email": f"ikm{i}@bench.example",
    }
    return [values[name] for name in COLUMN_NAMES]


def _write_workbook(path: Path, rows: int, regencies, *, variant: int = 0) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("IKM")
    sheet.append(list(COLUMN_NAMES))
    for i in range(rows):
        sheet.append(_row(i, regencies, variant=variant))
    workbook.save(path)


def _synthetic():
    return IKM.objects.filter(nib__startswith="98", name__startswith=NAME_PREFIX)


def _cleanup() -> int:
    """Delete the synthetic IKM with their links, certificates and history, without
    writing deletion history (raw deletes: these records never existed for anyone)."""
    ids = list(_synthetic().values_list("id", flat=True))
    historical = [
        apps.get_model("ikm", "HistoricalIKM_kbli"),
        apps.get_model("ikm", "HistoricalIKM_processes"),
    ]
    with transaction.atomic():
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for model in historical:
                model.objects.filter(ikm_id__in=chunk).delete()
            IKM.history.filter(id__in=chunk).delete()
            Certificate.history.filter(ikm_id__in=chunk).delete()
            certificates = Certificate.objects.filter(ikm_id__in=chunk)
            certificates._raw_delete(certificates.db)
            IKM.kbli.through.objects.filter(ikm_id__in=chunk).delete()
            IKM.processes.through.objects.filter(ikm_id__in=chunk).delete()
            ikm = IKM.objects.filter(id__in=chunk)
            ikm._raw_delete(ikm.db)
    return len(ids)


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


class Command(BaseCommand):
    help = "Time the IKM import on synthetic rows (NIB 98…), deleting them afterwards."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--runs", type=int, default=3, help="Runs; the median is shown.")

    def handle(self, *args, rows, runs, **options):
        if not 1 <= rows <= 20_000:
            raise CommandError("--rows must be between 1 and 20000.")
        nibs = [str(NIB_BASE + i) for i in range(rows)]
        foreign = IKM.objects.filter(nib__in=nibs).exclude(name__startswith=NAME_PREFIX)
        if foreign.exists():
            raise CommandError(
                "Refusing: IKM that are not synthetic use NIBs of the benchmark range 98…."
            )
        regencies = list(Regency.objects.filter(code__in=REGENCY_SAMPLE).select_related("province"))
        removed = _cleanup()
        if removed:
            self.stdout.write(f"Removed {removed} synthetic IKM left by an earlier run.")

        timings: dict[str, list[float]] = {}
        with tempfile.TemporaryDirectory() as directory:
            first = Path(directory) / "bench.xlsx"
            changed = Path(directory) / "bench-changed.xlsx"
            seconds, _ = _timed(lambda: _write_workbook(first, rows, regencies))
            _write_workbook(changed, rows, regencies, variant=1)
            self.stdout.write(
                f"Generated {rows} rows in {seconds:.1f} s ({first.stat().st_size // 1024} KiB)"
            )
            try:
                for run in range(1, runs + 1):
                    phases = {
                        "read file": lambda: read_table(first, first.name),
                        "dry run (all new)": lambda: self._job(first, dry_run=True),
                        "import (create all)": lambda: self._job(first),
                        "import again (unchanged)": lambda: self._job(first),
                        "import changes (update all)": lambda: self._job(changed),
                    }
                    for phase, function in phases.items():
                        seconds, job = _timed(function)
                        timings.setdefault(phase, []).append(seconds)
                        counts = getattr(job, "counts", None)
                        self.stdout.write(
                            f"run {run}: {phase:<28} {seconds:6.2f} s  {counts or ''}"
                        )
                    _cleanup()
            finally:
                _cleanup()
        self.stdout.write(f"\nMedian of {runs} run(s), {rows} rows:")
        for phase, values in timings.items():
            median = statistics.median(values)
            self.stdout.write(f"  {phase:<28} {median:6.2f} s  ({rows / median:,.0f} rows/s)")

    def _job(self, path: Path, *, dry_run: bool = False) -> ImportJob:
        job = ImportJob(file_name=path.name, file_sha256="bench")  # in memory, not stored
        if dry_run:
            ikm_import_preview(job=job, source=path)
        else:
            ikm_import_apply(job=job, source=path)
        if job.status == ImportJob.Status.FAILED or job.counts.get("invalid"):
            raise CommandError(
                f"The benchmark file did not import cleanly: {job.error_message or job.counts}"
            )
        return job
