"""Create (or delete) synthetic IKM for benchmarks: ``generate_synthetic --ikm 100000 --seed 1``.

The records look like the registry's: real regencies (weighted toward Java's industrial
regencies), KBLI codes and processes from the reference tables, Indonesian product and
material texts composed from vocabularies per process, certificates for about a third of
them. Every name, number and contact is invented: NIB range 97… (demo data uses 9120…),
e-mail on the reserved ``.example`` domain, ``is_demo`` set. They are written with
``bulk_create`` in batches (no history records); on PostgreSQL the search trigger fills
``search_vector`` as the rows are inserted. ``--delete`` removes every synthetic IKM.
"""

import datetime
import math
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from ikm.models import (
    IKM,
    Certificate,
    CertificationType,
    ContactReveal,
    Kbli,
    ProcessCapability,
    Regency,
)

NIB_PREFIX = "97"
BATCH_SIZE = 2000

# Industrial regencies and cities of Java (and Batam, Medan) with relative weights; every
# other regency gets weight 1 so that the whole country appears.
INDUSTRIAL_REGENCIES = {
    "32.16": 60, "32.15": 45, "36.03": 40, "32.01": 35, "35.15": 35, "35.25": 30, "32.75": 25,
    "36.71": 25, "31.75": 25, "31.72": 20, "33.10": 20, "35.78": 20, "32.04": 20, "32.73": 15,
    "32.14": 15, "36.04": 15, "36.72": 12, "33.74": 15, "33.22": 10, "33.76": 12, "33.28": 12,
    "35.14": 15, "35.16": 12, "35.07": 10, "33.19": 10, "33.20": 8, "34.04": 8, "34.02": 8,
    "33.72": 8, "32.17": 10, "32.76": 10, "36.74": 10, "21.71": 15, "12.71": 10, "33.24": 8,
    "33.09": 6, "32.09": 6, "32.13": 6, "32.02": 6,
}  # fmt: skip

# Per process: KBLI codes, words for names, product phrases, materials.
PROFILES = {
    "pemesinan": (
        ["25920", "30912", "29300"],
        ["Presisi", "Teknik", "Bubut", "Mekanik"],
        ["poros roda belakang", "as kick starter", "bushing lengan ayun", "pin piston",
         "gear sprocket", "flange as roda", "baut dan mur khusus", "spacer roda",
         "poros transmisi", "komponen bubut presisi", "jasa pembubutan CNC",
         "pembubutan dan frais komponen mesin", "nipple rem", "komponen hasil bubutan"],
        ["baja S45C", "baja SCM440", "besi as ST41", "aluminium 6061", "kuningan",
         "stainless SUS304", "baja SCr420"],
    ),
    "stamping": (
        ["25910", "29300", "30912"],
        ["Press", "Plat", "Stamping", "Logam"],
        ["bracket knalpot", "dudukan mesin", "plat penguat pintu mobil", "cross member",
         "engsel pintu", "klem selang", "ring plat", "stay footstep",
         "komponen stamping sasis mobil", "jasa pengepresan plat", "dudukan plat nomor",
         "breket spion", "reinforcement sasis"],
        ["plat baja SPCC", "plat baja SPHC", "JSH440", "plat galvanis", "plat strip",
         "SAPH440"],
    ),
    "pengecoran": (
        ["24310", "24320"],
        ["Cor", "Logam", "Pengecoran", "Foundry"],
        ["tromol rem besi cor", "velg cor sepeda motor", "rumah filter", "tutup blok mesin",
         "pemberat balance weight", "handel rem aluminium cor", "pengecoran aluminium",
         "komponen dicor presisi", "coran besi kelabu", "rumah pompa oli", "dudukan pegas"],
        ["besi cor FC200", "besi cor nodular FCD450", "aluminium ingot ADC12", "pasir silika",
         "resin furan", "skrap baja", "aluminium AC4C"],
    ),
    "tempa": (
        ["25910", "29300"],
        ["Tempa", "Forging", "Baja"],
        ["crankshaft sepeda motor", "kunci roda", "tie rod end", "knuckle arm tempa",
         "penempaan panas komponen kemudi", "flange tempa"],
        ["baja batangan S45C", "SCM440", "SCr440", "baja karbon"],
    ),
    "injeksi-plastik": (
        ["22291", "30912", "29300"],
        ["Plastik", "Polimer", "Injeksi"],
        ["cover body samping", "spakbor depan", "tutup aki", "panel dek sepeda motor",
         "grille radiator", "klip interior", "rumah lampu belakang", "garnish lampu",
         "komponen plastik injeksi"],
        ["PP", "ABS", "PC-ABS", "PMMA", "POM", "masterbatch warna", "PP talc"],
    ),
    "cetak-karet": (
        ["22192"],
        ["Karet", "Rubber", "Seal"],
        ["grommet kabel", "seal karet tutup tangki", "karet peredam dudukan mesin",
         "boot karet kopling", "karet pedal", "grip handle", "seal as roda",
         "karet cetak teknik"],
        ["karet alam RSS", "EPDM", "NBR", "SBR", "carbon black", "compound karet"],
    ),
    "pengelasan-fabrikasi": (
        ["25920", "29200"],
        ["Las", "Fabrikasi", "Konstruksi", "Baja"],
        ["rangka jok", "knalpot racing", "rak bagasi", "pengelasan rangka sasis",
         "fabrikasi bak truk", "las MIG komponen sasis", "begel jok", "rangka kursi mobil",
         "jasa las dan fabrikasi"],
        ["pipa baja STKM", "plat hitam", "kawat las ER70S-6", "hollow galvanis",
         "pipa stainless SUS304"],
    ),
    "pengecatan": (
        ["25920"],
        ["Coating", "Warna", "Cat"],
        ["pengecatan powder coating", "cat velg", "pelapisan cat komponen rangka",
         "pengecatan komponen sepeda motor"],
        ["cat powder epoxy-polyester", "thinner", "cat dasar primer", "dempul"],
    ),
    "pelapisan-logam": (
        ["25920"],
        ["Plating", "Krom", "Galvanis"],
        ["pelapisan krom", "electroplating nikel", "galvanis celup panas",
         "pelapisan seng baut"],
        ["nikel", "krom", "seng", "asam sulfat"],
    ),
    "perlakuan-panas": (
        ["25920"],
        ["Heat", "Termal", "Teknik"],
        ["pengerasan gear", "carburizing poros", "induction hardening",
         "perlakuan panas komponen transmisi"],
        ["baja SCM420H", "gas nitrogen", "oli quenching"],
    ),
    "perakitan": (
        ["29300", "30912"],
        ["Rakit", "Assembly", "Komponen"],
        ["perakitan rem cakram", "assy pedal rem", "komponen rakitan suspensi",
         "rakitan handel kopling"],
        ["komponen stamping", "baut", "pegas", "karet"],
    ),
    "wire-harness": (
        ["27320", "27900"],
        ["Kabel", "Elektrik", "Harness"],
        ["kabel body", "wire harness sepeda motor", "kabel lampu", "sub-harness klakson"],
        ["kabel AVSS", "terminal kuningan", "konektor PBT", "selang corrugated",
         "isolasi PVC"],
    ),
    "jahit-jok": (
        ["29300", "30912"],
        ["Jok", "Trim", "Interior"],
        ["sarung jok sepeda motor", "jok custom", "busa jok cetak", "trim pintu",
         "karpet dasar mobil", "cover jok mobil"],
        ["kulit sintetis", "busa PU", "benang nilon", "kain tricot"],
    ),
    "pembuatan-cetakan": (
        ["25920", "25910"],
        ["Mould", "Dies", "Cetakan", "Presisi"],
        ["cetakan injeksi plastik", "dies stamping progresif", "mould karet",
         "pembuatan cetakan presisi", "jig dan fixture"],
        ["baja perkakas SKD11", "SKD61", "NAK80", "P20"],
    ),
    "komposit": (
        ["29200"],
        ["Fiber", "Komposit", "Glass"],
        ["bodi fiberglass", "spoiler", "panel komposit", "kap mesin fiber"],
        ["resin polyester", "serat kaca woven roving", "gelcoat", "serat karbon"],
    ),
    "karoseri": (
        ["29200"],
        ["Karoseri", "Body", "Bus"],
        ["karoseri bus", "bak truk", "box pendingin", "karoseri ambulans", "dump truck"],
        ["plat aluminium 5052", "hollow galvanis", "panel sandwich PU", "fiberglass"],
    ),
    "elektronik": (
        ["27900", "30912"],
        ["Elektronik", "Digital", "Mandiri"],
        ["regulator rectifier", "relay lampu sein", "modul CDI sepeda motor",
         "komponen elektronik kendaraan"],
        ["PCB FR4", "komponen SMD", "housing ABS", "resin epoxy"],
    ),
}  # fmt: skip

NAME_WORDS = [
    "Jaya", "Makmur", "Sentosa", "Abadi", "Mandiri", "Sejahtera", "Karya", "Mitra", "Sinar",
    "Cahaya", "Sumber", "Maju", "Bersama", "Utama", "Perkasa", "Gemilang", "Agung", "Mulia",
    "Sakti", "Putra", "Indah", "Lestari", "Prima", "Nusantara", "Buana", "Harapan",
]  # fmt: skip
VEHICLES = ["sepeda motor", "mobil", "truk", "bus", "kendaraan niaga", "traktor"]
FIRST_NAMES = ["Agus", "Budi", "Dewi", "Rina", "Slamet", "Siti", "Hendra", "Wahyu", "Yuni"]
LAST_NAMES = ["Santoso", "Wibowo", "Lestari", "Hidayat", "Kusuma", "Pratama", "Saputra"]
CAPACITY_UNITS = ["pcs", "pcs", "pcs", "set", "unit", "kg", "ton"]
LEGAL_FORMS = [("cv", "CV", 40), ("pt", "PT", 25), ("ud", "UD", 15), ("perorangan", "", 15)]
LEGAL_FORMS += [("koperasi", "Koperasi", 3), ("firma", "Fa", 2)]
STATUSES = [("verified", 70), ("submitted", 14), ("draft", 8), ("rejected", 5), ("inactive", 3)]
CERT_TYPES = [("ISO9001", 50), ("SNI", 15), ("TKDN", 15), ("ISO14001", 8), ("IATF16949", 5)]
CERT_TYPES += [("ISO45001", 4), ("SMK3", 3)]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _log_uniform(rng: random.Random, low: float, high: float) -> int:
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


class Command(BaseCommand):
    help = "Create synthetic IKM for benchmarks (NIB 97…), or delete them with --delete."

    def add_arguments(self, parser):
        parser.add_argument("--ikm", type=int, default=1000, help="How many IKM to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (repeatable data).")
        parser.add_argument(
            "--delete", action="store_true", help="Delete every synthetic IKM instead."
        )

    def handle(self, *args, **options):
        if options["delete"]:
            self.delete()
            return
        if options["ikm"] < 1:
            raise CommandError("--ikm must be at least 1.")
        started = time.monotonic()
        created = self.generate(options["ikm"], options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} synthetic IKM in {time.monotonic() - started:.1f} s "
                f"({self.synthetic().count()} synthetic in total)."
            )
        )

    @staticmethod
    def synthetic():
        return IKM.objects.filter(nib__startswith=NIB_PREFIX, is_demo=True)

    def delete(self):
        ids = self.synthetic().values("pk")
        tables = [
            (Certificate._meta.db_table, "ikm_id"),
            (ContactReveal._meta.db_table, "ikm_id"),
            (IKM.kbli.through._meta.db_table, "ikm_id"),
            (IKM.processes.through._meta.db_table, "ikm_id"),
        ]
        sql, params = ids.query.sql_with_params()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for table, column in tables:
                    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({sql})", params)
                cursor.execute(f"DELETE FROM {IKM._meta.db_table} WHERE id IN ({sql})", params)
                deleted = cursor.rowcount
        except IntegrityError as error:
            raise CommandError(
                "Some synthetic IKM are used elsewhere (MoUs, akad, suggestions); "
                f"remove those records first. ({error.__class__.__name__})"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} synthetic IKM."))

    def generate(self, count: int, seed: int) -> int:
        rng = random.Random(seed)
        regencies = list(Regency.objects.values_list("code", "province_id"))
        if not regencies:
            raise CommandError("No regencies: run migrate first.")
        weights = [INDUSTRIAL_REGENCIES.get(code, 1) for code, _province in regencies]
        kbli_codes = set(Kbli.objects.values_list("code", flat=True))
        processes = dict(ProcessCapability.objects.values_list("slug", "pk"))
        cert_types = dict(CertificationType.objects.values_list("code", "pk"))
        profiles = {slug: profile for slug, profile in PROFILES.items() if slug in processes}
        if not profiles:
            raise CommandError("No process capabilities: run migrate first.")
        last = (
            IKM.objects.filter(nib__startswith=NIB_PREFIX).order_by("-nib").values_list("nib")
        ).first()
        next_number = int(last[0][len(NIB_PREFIX) :]) + 1 if last else 1
        if next_number + count >= 10 ** (13 - len(NIB_PREFIX)):
            raise CommandError("The synthetic NIB range is full: run --delete first.")

        today = timezone.localdate()
        now = timezone.now()
        created = 0
        while created < count:
            size = min(BATCH_SIZE, count - created)
            rows = []
            for offset in range(size):
                nib = f"{NIB_PREFIX}{next_number + created + offset:011d}"
                rows.append(self.make_row(rng, nib, regencies, weights, profiles, now))
            with transaction.atomic():
                ikms = IKM.objects.bulk_create([ikm for ikm, _, _ in rows])
                kbli_links, process_links, certificates = [], [], []
                for ikm, (_ikm, (kbli, slugs), certs) in zip(ikms, rows, strict=True):
                    kbli_links += [
                        IKM.kbli.through(ikm_id=ikm.pk, kbli_id=code)
                        for code in kbli
                        if code in kbli_codes
                    ]
                    process_links += [
                        IKM.processes.through(ikm_id=ikm.pk, processcapability_id=processes[slug])
                        for slug in slugs
                    ]
                    certificates += [
                        self.make_certificate(rng, ikm, cert_types[code], today)
                        for code in certs
                        if code in cert_types
                    ]
                IKM.kbli.through.objects.bulk_create(kbli_links, batch_size=5000)
                IKM.processes.through.objects.bulk_create(process_links, batch_size=5000)
                Certificate.objects.bulk_create(certificates, batch_size=5000)
            created += size
            if created % 20000 == 0 or created == count:
                self.stdout.write(f"  {created}/{count}")
        if connection.vendor == "postgresql" and connection.get_autocommit():
            # Fresh statistics for the planner and a visibility map for counts, as
            # autovacuum would give them a little later.
            with connection.cursor() as cursor:
                for model in (IKM, Certificate, IKM.kbli.through, IKM.processes.through):
                    cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        return created

    def make_row(self, rng, nib, regencies, weights, profiles, now):
        regency, province = rng.choices(regencies, weights=weights)[0]
        main = rng.choice(list(profiles))
        slugs = [main]
        if rng.random() < 0.45:
            slugs.append(rng.choice(list(profiles)))
        if rng.random() < 0.15:
            slugs.append(rng.choice(list(profiles)))
        slugs = list(dict.fromkeys(slugs))
        kbli = list(dict.fromkeys(rng.choice(profiles[slug][0]) for slug in slugs))

        legal_form, label, _weight = rng.choices(LEGAL_FORMS, weights=[f[2] for f in LEGAL_FORMS])[
            0
        ]
        words = [rng.choice(profiles[main][1]), rng.choice(NAME_WORDS)]
        if rng.random() < 0.5:
            words.append(rng.choice(NAME_WORDS))
        rng.shuffle(words)
        name = " ".join(dict.fromkeys([label, *words] if label else words)).strip()

        products = []
        for slug in slugs:
            products += rng.sample(profiles[slug][2], k=min(len(profiles[slug][2]), 2))
        if rng.random() < 0.5:
            products.append(f"komponen {rng.choice(VEHICLES)}")
        materials = []
        for slug in slugs:
            materials += rng.sample(profiles[slug][3], k=min(len(profiles[slug][3]), 2))

        band = rng.random()
        if band < 0.6:
            workforce = rng.randint(3, 19)
            investment = _log_uniform(rng, 50_000_000, 2_500_000_000)
        elif band < 0.95:
            workforce = rng.randint(20, 99)
            investment = _log_uniform(rng, 500_000_000, 20_000_000_000)
        else:
            workforce = rng.randint(100, 300)
            investment = _log_uniform(rng, 5_000_000_000, 40_000_000_000)
        revenue = None if rng.random() < 0.2 else int(investment * rng.uniform(1.2, 5))

        status = _weighted(rng, STATUSES)
        is_active = status != "inactive"
        status = "verified" if status == "inactive" else status
        has_contact = rng.random() < 0.6
        contact_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if has_contact else ""
        certs = []
        if rng.random() < 0.35:
            certs = list(
                dict.fromkeys(_weighted(rng, CERT_TYPES) for _ in range(rng.randint(1, 3)))
            )
        ikm = IKM(
            name=name,
            legal_form=legal_form,
            nib=nib,
            npwp=f"{rng.randint(0, 10**15 - 1):016d}" if rng.random() < 0.8 else "",
            year_founded=rng.randint(1975, 2023),
            address=f"Jl. Industri {rng.choice(NAME_WORDS)} No. {rng.randint(1, 250)}",
            province_id=province,
            regency_id=regency,
            workforce=workforce,
            investment_value=investment,
            annual_revenue=revenue,
            tkdn=None if rng.random() < 0.4 else Decimal(rng.randint(2000, 8500)) / 100,
            products=", ".join(products),
            materials=", ".join(materials),
            monthly_capacity=rng.randint(1, 500) * 100 if rng.random() < 0.7 else None,
            capacity_unit=rng.choice(CAPACITY_UNITS),
            verification_status=status,
            submitted_at=now if status != "draft" else None,
            verified_at=now if status in ("verified", "rejected") else None,
            rejection_reason="Data NIB tidak sesuai OSS." if status == "rejected" else "",
            is_active=is_active,
            deactivated_at=None if is_active else now,
            deactivation_reason="" if is_active else "Usaha berhenti beroperasi.",
            contact_name=contact_name,
            contact_phone=f"+62812{rng.randint(0, 9_999_999):07d}" if has_contact else "",
            contact_email=f"info@{slugify(name)[:40]}.example" if has_contact else "",
            is_demo=True,
        )
        return ikm, (kbli, slugs), certs

    @staticmethod
    def make_certificate(rng, ikm, type_id, today):
        kind = rng.random()
        valid_from = valid_until = None
        if kind < 0.75:  # in force
            valid_from = today - datetime.timedelta(days=rng.randint(30, 1000))
            valid_until = today + datetime.timedelta(days=rng.randint(30, 1000))
        elif kind < 0.9:  # expired
            valid_until = today - datetime.timedelta(days=rng.randint(1, 700))
            valid_from = valid_until - datetime.timedelta(days=3 * 365)
        return Certificate(
            ikm_id=ikm.pk,
            certification_type_id=type_id,
            number=f"SYN-{ikm.nib[-8:]}-{rng.randint(100, 999)}",
            issuer="Lembaga sertifikasi (sintetis)",
            valid_from=valid_from,
            valid_until=valid_until,
        )
