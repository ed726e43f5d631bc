"""A random but reproducible corpus of needs and suppliers that exercises every branch of
the score: for the reference-versus-engine agreement tests."""

import datetime
import random

from kemitraan.matching.records import Certificate, IkmRecord, NeedRecord

TODAY = datetime.date(2026, 11, 29)
WORDS = [
    "tromol",
    "rem",
    "aluminium",
    "knalpot",
    "baja",
    "stainless",
    "poros",
    "bushing",
    "flange",
    "bracket",
    "plat",
    "spcc",
    "kabel",
    "bodi",
    "wiring",
    "harness",
    "jok",
    "kulit",
    "sintetis",
    "karet",
    "seal",
    "gasket",
    "velg",
    "cor",
    "machining",
    "bubut",
    "las",
    "stamping",
    "cat",
    "powder",
    "coating",
    "plating",
    "krom",
    "baut",
    "mur",
    "pegas",
    "komponen",
    "motor",
    "mobil",
    "pengecoran",
    "pemesinan",
    "rangka",
    "spion",
    "lampu",
    "filter",
    "selang",
    "busi",
    "gear",
    "sprocket",
]
PROCESSES = ["pemesinan", "stamping", "pengecoran", "tempa", "injeksi-plastik", "perakitan"]
CERTS = ["ISO9001", "IATF16949", "ISO14001", "SNI", "TKDN"]
KBLI = ["24320", "24310", "25910", "25920", "29300", "30912", "27320", "22192"]
# regency, province, island group
REGIONS = [
    ("32.15", "32", "jawa"),
    ("32.16", "32", "jawa"),
    ("31.72", "31", "jawa"),
    ("35.15", "35", "jawa"),
    ("12.71", "12", "sumatera"),
    ("73.71", "73", "sulawesi"),
]
POINTS = {"32.15": (-6.30, 107.30), "32.16": (-6.30, 107.15), "31.72": (-6.13, 106.88)}
UNITS = ["pcs", "unit", "kg", "ton", "set", "meter", ""]


def _maybe(rng, value, p=0.7):
    return value if rng.random() < p else None


def make_corpus(seed: int, n_ikm: int = 300, n_needs: int = 40):
    rng = random.Random(seed)
    ikms = []
    for pk in range(1, n_ikm + 1):
        regency, province, island = rng.choice(REGIONS)
        point = POINTS.get(regency) if rng.random() < 0.5 else None
        jitter = (rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2))
        certificates = tuple(
            Certificate(
                code,
                _maybe(rng, TODAY - datetime.timedelta(days=rng.randint(-30, 900)), 0.5),
                _maybe(rng, TODAY + datetime.timedelta(days=rng.randint(-200, 900)), 0.6),
            )
            for code in rng.sample(CERTS, rng.randint(0, 3))
        )
        ikms.append(
            IkmRecord(
                id=pk * 3,  # ids need not be dense
                text=" ".join(rng.choices(WORDS, k=rng.randint(0, 12))),
                processes=frozenset(rng.sample(PROCESSES, rng.randint(0, 3))),
                kbli=frozenset(rng.sample(KBLI, rng.randint(0, 2))),
                certificates=certificates,
                monthly_capacity=_maybe(rng, float(rng.randint(1, 100_000))),
                capacity_unit=rng.choice(UNITS),
                regency=regency,
                province=province,
                island_group=island,
                latitude=point[0] + jitter[0] if point else None,
                longitude=point[1] + jitter[1] if point else None,
                is_active=rng.random() < 0.95,
                status=rng.choice(["verified"] * 6 + ["submitted"] * 3 + ["draft", "rejected"]),
                tkdn=_maybe(rng, round(rng.uniform(0, 100), 2)),
                mou_count=rng.choice([0, 0, 0, 1, 2, 5]),
            )
        )
    needs = []
    for pk in range(1, n_needs + 1):
        regency, province, island = rng.choice(REGIONS)
        where = rng.choice(["regency", "province", "none", "point", "regency+point"])
        point = POINTS.get("32.15") if "point" in where else None
        needs.append(
            NeedRecord(
                id=pk,
                text=" ".join(rng.choices(WORDS, k=rng.choice([0, 3, 8, 20]))),
                processes=frozenset(rng.sample(PROCESSES, rng.randint(0, 2))),
                kbli=frozenset(rng.sample(KBLI, rng.randint(0, 2))),
                required_certifications=frozenset(rng.sample(CERTS, rng.choice([0, 0, 0, 1, 2]))),
                preferred_certifications=frozenset(rng.sample(CERTS, rng.randint(0, 2))),
                quantity_per_month=_maybe(rng, float(rng.randint(100, 80_000))),
                unit=rng.choice(UNITS),
                regency=regency if where.startswith("regency") else "",
                province=province if where in ("regency", "province", "regency+point") else "",
                island_group=island if where in ("regency", "province", "regency+point") else "",
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                min_tkdn=_maybe(rng, float(rng.randint(10, 60)), 0.3),
                verified_only=rng.random() < 0.3,
                excluded=frozenset(rng.sample([i.id for i in ikms], rng.choice([0, 0, 3]))),
            )
        )
    return ikms, needs
