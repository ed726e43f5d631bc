"""A hand-labelled evaluation set for the matching engine: suppliers, needs and grades.

Pure data, no Django: the records are what :mod:`.loading` would build from the database.
A supplier's ``text`` is its products, its materials and the (Indonesian) names of its
process capabilities, as the loader joins them.

The suppliers are written the way IKM fill in the registration form (their own words,
Indonesian with English trade terms); the needs the way buyers post them: about half are
full RFQ prose, half terse shorthand with abbreviations, English loan words and
misspellings, deliberately in other words than the suppliers use where a synonym exists.

Grades (need id → IKM id → relevance), given by hand as a procurement officer would,
before any tuning of the vocabulary; an IKM not listed is 0, and the deliberate decoys of
a need are listed with 0 to document them:

* 3 — could supply this need now: the part (or the same kind of part) in the right
  material and process, and it passes the need's hard requirements.
* 2 — a good fit with one gap: a neighbouring part of the same family, another vehicle
  class, a missing part of the process chain (no coating, no mould shop, no heat
  treatment), far below the volume, or far from a preferred region.
* 1 — related: shares the process and material but makes non-automotive goods, or makes
  the product family with a substantial gap (other material, only one step of the job).
* 0 — unrelated, including suppliers that only share words with the need ("exhaust fan",
  "kabel listrik rumah", "lampu hias", "spring bed", "cetakan kue"), and every supplier
  the need's hard filters keep out (required certificate missing or expired, inactive,
  rejected, dismissed by the buyer, not verified when only verified ones are wanted, TKDN
  below the minimum): the engine must not suggest them at all.

The decoys are deliberate: the right process in the wrong material (steel shafts, cast
iron drums for an aluminium casting), the right supplier far from a preferred region, the
same words in a household or furniture product, a perfect supplier whose required
certificate expired, inactive, rejected and unverified suppliers.
"""

import datetime

from .records import Certificate, IkmRecord, NeedRecord

TODAY = datetime.date(2026, 11, 29)

# The process capabilities (ikm/migrations/0003_load_reference_data.py), by slug.
PROCESS_NAMES = {
    "pemesinan": "Pemesinan (CNC)",
    "stamping": "Stamping / press",
    "pengecoran": "Pengecoran logam",
    "tempa": "Tempa",
    "injeksi-plastik": "Injeksi plastik",
    "cetak-karet": "Cetak karet",
    "pengelasan-fabrikasi": "Pengelasan dan fabrikasi",
    "pengecatan": "Pengecatan dan powder coating",
    "pelapisan-logam": "Pelapisan logam (electroplating)",
    "perlakuan-panas": "Perlakuan panas",
    "perakitan": "Perakitan",
    "wire-harness": "Wire harness",
    "jahit-jok": "Jahit jok dan trim",
    "pembuatan-cetakan": "Pembuatan cetakan (mould & dies)",
    "komposit": "Fiberglass dan komposit",
    "karoseri": "Karoseri",
    "elektronik": "Perakitan elektronik",
}

# The island group of each province used here (ikm/migrations/0002_load_regions.py).
ISLAND_GROUPS = {
    "12": "sumatera",
    "21": "sumatera",
    "31": "jawa",
    "32": "jawa",
    "33": "jawa",
    "34": "jawa",
    "35": "jawa",
    "36": "jawa",
    "73": "sulawesi",
}

# Points (latitude, longitude) of a few regencies, for suppliers and delivery points.
POINTS = {
    "32.16": (-6.31, 107.15),  # Kab. Bekasi (Cikarang)
    "32.15": (-6.31, 107.29),  # Kab. Karawang
    "32.14": (-6.55, 107.44),  # Kab. Purwakarta
    "33.10": (-7.69, 110.64),  # Kab. Klaten (Ceper)
    "33.03": (-7.39, 109.36),  # Kab. Purbalingga
    "33.08": (-7.59, 110.22),  # Kab. Magelang
    "33.71": (-7.48, 110.22),  # Kota Magelang
    "35.15": (-7.45, 112.71),  # Kab. Sidoarjo
    "35.78": (-7.26, 112.75),  # Kota Surabaya
    "35.25": (-7.16, 112.65),  # Kab. Gresik
    "12.71": (3.59, 98.67),  # Kota Medan
    "73.71": (-5.14, 119.42),  # Kota Makassar
}


def _certs(*items):
    """Certificates as (code,) or (code, valid_until); a date in the past is expired."""
    out = []
    for item in items:
        code, until = (item, None) if isinstance(item, str) else item
        out.append(Certificate(code, datetime.date(2024, 1, 1), until))
    return tuple(out)


def _ikm(
    id,
    name,
    products,
    materials,
    processes=(),
    *,
    kbli=(),
    certificates=(),
    capacity=None,
    unit="pcs",
    regency,
    point=False,
    status="verified",
    active=True,
    tkdn=None,
    mou=0,
):
    province = regency[:2]
    names = [PROCESS_NAMES[slug] for slug in processes]
    latitude, longitude = POINTS[regency] if point else (None, None)
    return IkmRecord(
        id=id,
        name=name,
        text=". ".join(part for part in (products, materials, ", ".join(names)) if part),
        processes=frozenset(processes),
        kbli=frozenset(kbli),
        certificates=certificates,
        monthly_capacity=capacity,
        capacity_unit=unit if capacity is not None else "",
        regency=regency,
        province=province,
        island_group=ISLAND_GROUPS[province],
        latitude=latitude,
        longitude=longitude,
        is_active=active,
        status=status,
        tkdn=tkdn,
        mou_count=mou,
    )


def _need(id, text, *, terse, regency="", province="", point=None, **fields):
    if regency:
        province = regency[:2]
    latitude, longitude = point or (None, None)
    need = NeedRecord(
        id=id,
        text=text,
        regency=regency,
        province=province,
        island_group=ISLAND_GROUPS[province] if province else "",
        latitude=latitude,
        longitude=longitude,
        **{
            key: frozenset(value) if isinstance(value, (set, tuple, list)) else value
            for key, value in fields.items()
        },
    )
    _TERSE[id] = terse
    return need


_TERSE: dict[int, bool] = {}  # need id → written as terse shorthand (else as prose)

IKMS: list[IkmRecord] = [
    # --- Casting ---------------------------------------------------------------------
    _ikm(
        101,
        "CV Logam Jaya Ceper",
        "Brake drum dan hub roda belakang sepeda motor, cover kopling",
        "Aluminium alloy ADC12 dan AC4C, ingot aluminium",
        ("pengecoran", "pemesinan"),
        kbli=("24320", "30912"),
        certificates=_certs(("ISO9001", datetime.date(2027, 6, 30))),
        capacity=45000,
        regency="33.10",
        point=True,
        tkdn=62,
        mou=2,
    ),
    _ikm(
        102,
        "PT Presisi Alumindo Cast",
        "Komponen die casting aluminium untuk mesin motor dan mobil: crankcase, "
        "cylinder head cover, housing transmisi, bracket mesin",
        "Aluminium ADC12, A356",
        ("pengecoran", "pemesinan", "pembuatan-cetakan"),
        kbli=("24320", "29300"),
        certificates=_certs(("IATF16949", datetime.date(2028, 1, 31)), "ISO14001"),
        capacity=120000,
        regency="32.16",
        point=True,
        tkdn=55,
        mou=3,
    ),
    _ikm(
        103,
        "UD Sinar Cor Batur",
        "Coran besi: tromol truk dan bus, pulley, manhole, pemberat forklift",
        "Besi cor FC200 dan FCD450, pasir silika",
        ("pengecoran",),
        kbli=("24310",),
        capacity=60,
        unit="ton",
        regency="33.10",
        tkdn=70,
        mou=1,
    ),
    _ikm(
        105,
        "CV Gravity Alumunium Sidoarjo",
        "Pengecoran alumunium gravity dan sand casting: rumah pompa, impeller, komponen "
        "mesin pertanian",
        "Alumunium sekrap, ingot",
        ("pengecoran",),
        kbli=("24320",),
        capacity=8000,
        regency="35.15",
        tkdn=50,
    ),
    _ikm(
        106,
        "UD Wajan Cor Mojokerto",
        "Wajan, panci dan kuali aluminium cor, peralatan dapur",
        "Aluminium bekas, pasir cetak",
        ("pengecoran",),
        capacity=20000,
        regency="35.16",
        status="submitted",
    ),
    # --- Machining, heat treatment, gears -------------------------------------------
    _ikm(
        104,
        "CV Bubut Maju Tegal",
        "Pembubutan as roda, poros, pin, bushing dan baut khusus sesuai gambar",
        "Baja S45C, SCM440, as besi, kuningan",
        ("pemesinan",),
        kbli=("25920",),
        capacity=6000,
        regency="33.28",
        tkdn=40,
        mou=1,
    ),
    _ikm(
        160,
        "PT Presisi Mekanika Purwakarta",
        "Komponen CNC presisi: shaft, roda gigi transmisi, flange, bushing untuk pompa dan "
        "mesin industri",
        "Baja karbon S45C, baja paduan SCM415, SUJ2",
        ("pemesinan", "perlakuan-panas"),
        kbli=("25920", "29300"),
        certificates=_certs(("ISO9001", datetime.date(2027, 12, 31))),
        capacity=20000,
        regency="32.14",
        point=True,
        tkdn=50,
        mou=2,
    ),
    _ikm(
        161,
        "CV Teknik Bubut Makassar",
        "Bubut, frais dan skrap: as, poros, pin, mur baut khusus, perbaikan komponen kapal",
        "Baja ST37, S45C, kuningan",
        ("pemesinan", "pengelasan-fabrikasi"),
        kbli=("25920",),
        capacity=3000,
        regency="73.71",
        point=True,
        tkdn=40,
    ),
    _ikm(
        162,
        "PT Panas Logam Bekasi",
        "Jasa perlakuan panas: hardening, tempering, carburizing, nitriding dan pengerasan "
        "induksi untuk komponen otomotif",
        "Baja karbon, baja paduan",
        ("perlakuan-panas",),
        kbli=("25920",),
        certificates=_certs("ISO9001"),
        capacity=200,
        unit="ton",
        regency="32.16",
        tkdn=45,
        mou=2,
    ),
    _ikm(
        163,
        "CV Alu CNC Bandung",
        "CNC milling dan turning aluminium: housing, manifold, heatsink, braket kamera dan drone",
        "Aluminium 6061 dan 7075, POM",
        ("pemesinan",),
        kbli=("25920",),
        capacity=4000,
        regency="32.73",
        tkdn=35,
    ),
    _ikm(
        164,
        "CV Bubut Karya Cikarang",
        "Pembubutan shaft, poros dan bushing untuk mesin industri",
        "Baja S45C",
        ("pemesinan", "perlakuan-panas"),
        kbli=("25920",),
        certificates=_certs("ISO9001"),
        capacity=10000,
        regency="32.16",
        active=False,
        tkdn=45,
        mou=1,
    ),
    _ikm(
        250,
        "PT Gear Presisi Bekasi",
        "Sprocket depan dan belakang sepeda motor, roda gigi transmisi, chain kit",
        "Baja S45C, SCM415",
        ("stamping", "pemesinan", "perlakuan-panas"),
        kbli=("30912",),
        certificates=_certs("IATF16949", "ISO9001"),
        capacity=50000,
        unit="set",
        regency="32.16",
        tkdn=50,
        mou=3,
    ),
    _ikm(
        251,
        "CV Gir Klaten",
        "Gir motor aftermarket dan gir racing, gir set bebek dan matic",
        "Baja S45C, aluminium 7075",
        ("pemesinan",),
        kbli=("30912",),
        capacity=4000,
        unit="set",
        regency="33.10",
        tkdn=55,
    ),
    _ikm(
        252,
        "UD Roda Gigi Tani Klaten",
        "Roda gigi dan poros untuk mesin pertanian, gearbox industri",
        "Baja S45C, besi cor",
        ("pemesinan",),
        kbli=("25920",),
        capacity=2000,
        regency="33.10",
        tkdn=60,
    ),
    # --- Exhaust and welding --------------------------------------------------------
    _ikm(
        110,
        "CV Knalpot Purbalingga Jaya",
        "Knalpot standar dan racing sepeda motor bebek, matic dan sport; leher knalpot, "
        "tabung silencer",
        "Pipa baja, plat stainless SUS304, glasswool",
        ("pengelasan-fabrikasi", "pengecatan"),
        kbli=("30912",),
        capacity=6000,
        unit="unit",
        regency="33.03",
        point=True,
        tkdn=75,
        mou=2,
    ),
    _ikm(
        111,
        "UD Exhaust Mandiri",
        "Pipa knalpot mobil, resonator, tail pipe, catalytic converter housing",
        "Pipa baja aluminized, stainless",
        ("pengelasan-fabrikasi",),
        kbli=("29300",),
        capacity=1500,
        unit="unit",
        regency="33.03",
        tkdn=60,
    ),
    _ikm(
        112,
        "PT Ventindo Udara",
        "Exhaust fan, blower sentrifugal dan ducting ventilasi untuk pabrik dan gudang",
        "Plat galvanis, plat stainless",
        ("pengelasan-fabrikasi", "perakitan"),
        kbli=("27900",),
        capacity=800,
        unit="unit",
        regency="32.16",
        tkdn=35,
    ),
    _ikm(
        113,
        "CV Las Sejahtera",
        "Fabrikasi pagar, railing tangga, kanopi dan teralis dari pipa besi dan hollow",
        "Pipa besi, besi hollow, plat",
        ("pengelasan-fabrikasi", "pengecatan"),
        kbli=("25920",),
        capacity=2000,
        unit="meter",
        regency="32.01",
        tkdn=30,
    ),
    # --- Wiring and electrical ------------------------------------------------------
    _ikm(
        120,
        "PT Harness Karya Bekasi",
        "Wiring harness sepeda motor dan mobil, sub harness lampu dan ECU",
        "Kabel AVSS dan CAVS, terminal kuningan, konektor, corrugated tube, PVC tape",
        ("wire-harness", "perakitan"),
        kbli=("27320", "30912"),
        certificates=_certs("IATF16949", "ISO9001"),
        capacity=30000,
        unit="set",
        regency="32.16",
        point=True,
        tkdn=48,
        mou=3,
    ),
    _ikm(
        121,
        "CV Kabelindo Tangerang",
        "Wire harness untuk aksesoris mobil: kabel lampu kabut, kabel alarm, kabel audio; "
        "crimping terminal",
        "Kabel NYAF, terminal, isolasi",
        ("wire-harness",),
        kbli=("27320",),
        capacity=10000,
        unit="set",
        regency="36.71",
        tkdn=35,
    ),
    _ikm(
        122,
        "UD Sumber Kabel Listrik",
        "Kabel listrik rumah NYA, NYM dan kabel serabut, stop kontak, steker",
        "Tembaga, PVC",
        (),
        kbli=("27320",),
        capacity=50000,
        unit="meter",
        regency="36.03",
        tkdn=40,
    ),
    _ikm(
        123,
        "CV Elektro Motor Sidoarjo",
        "CDI, regulator rectifier, flasher dan modul lampu sepeda motor; perakitan PCB",
        "PCB FR4, komponen SMD, resin epoxy",
        ("elektronik", "perakitan"),
        kbli=("27900", "30912"),
        capacity=20000,
        unit="unit",
        regency="35.15",
        tkdn=30,
        mou=1,
    ),
    _ikm(
        124,
        "CV Harness Abadi",
        "Wiring harness motor bebek dan matic, kabel speedometer",
        "Kabel, terminal, konektor",
        ("wire-harness",),
        kbli=("30912",),
        capacity=8000,
        unit="set",
        regency="32.16",
        status="rejected",
        tkdn=40,
    ),
    # --- Stamping, coating, dies ----------------------------------------------------
    _ikm(
        130,
        "CV Presindo Karawang",
        "Part press body mobil: braket, reinforcement, clamp, plat penguat",
        "Plat baja SPHC dan SAPH440, tebal 1,2-4,5 mm",
        ("stamping", "pembuatan-cetakan", "pengelasan-fabrikasi"),
        kbli=("25910", "29300"),
        certificates=_certs("IATF16949"),
        capacity=150000,
        regency="32.15",
        point=True,
        tkdn=52,
        mou=3,
    ),
    _ikm(
        131,
        "PT Mitra Press Cikarang",
        "Pengepresan komponen logam: braket, dudukan, penguat sasis; lini e-coating (ED) "
        "dan powder coating",
        "Plat SPCC, SECC, plat galvanis",
        ("stamping", "pengecatan"),
        kbli=("25910",),
        certificates=_certs("ISO9001"),
        capacity=80000,
        regency="32.16",
        tkdn=45,
        mou=2,
    ),
    _ikm(
        132,
        "UD Rak Besi Kudus",
        "Braket rak dinding, engsel pintu, gantungan baju dan perlengkapan furnitur besi",
        "Plat besi, strip besi",
        ("stamping", "pelapisan-logam"),
        kbli=("25910",),
        capacity=100000,
        regency="33.19",
        tkdn=40,
    ),
    _ikm(
        133,
        "CV Warna Coating Bekasi",
        "Jasa powder coating dan cat oven untuk velg, rangka sepeda, panel listrik",
        "Cat powder epoxy polyester",
        ("pengecatan",),
        kbli=("25920",),
        capacity=20000,
        regency="32.75",
        tkdn=30,
        mou=1,
    ),
    _ikm(
        173,
        "CV Mold & Dies Bekasi",
        "Pembuatan mold injeksi plastik, dies press progresif dan jig fixture; perbaikan mold",
        "Baja SKD11, SKD61, NAK80, S50C",
        ("pembuatan-cetakan", "pemesinan"),
        kbli=("25920",),
        certificates=_certs("ISO9001"),
        capacity=15,
        unit="set",
        regency="32.75",
        tkdn=45,
        mou=1,
    ),
    _ikm(
        270,
        "UD Loyang Bakery Bandung",
        "Cetakan kue, loyang dan peralatan bakery",
        "Aluminium, stainless, plat timah",
        ("stamping",),
        capacity=10000,
        regency="32.73",
        tkdn=60,
    ),
    _ikm(
        271,
        "PT Tooling Presisi Karawang",
        "Tool and die shop: progressive dies, transfer dies, jig dan checking fixture untuk "
        "komponen press otomotif",
        "SKD11, DC53, SS400",
        ("pembuatan-cetakan", "pemesinan"),
        kbli=("25920", "29300"),
        certificates=_certs("ISO9001"),
        capacity=6,
        unit="set",
        regency="32.15",
        point=True,
        tkdn=40,
        mou=2,
    ),
    # --- Seats and trim -------------------------------------------------------------
    _ikm(
        140,
        "CV Jok Trim Sidoarjo",
        "Jahit jok mobil dan motor untuk karoseri dan APM: cover seat, door trim, karpet dasar",
        "Kulit sintetis, vinyl, busa PU, benang nilon",
        ("jahit-jok",),
        kbli=("29300",),
        capacity=4000,
        unit="set",
        regency="35.15",
        tkdn=65,
        mou=2,
    ),
    _ikm(
        141,
        "UD Sarung Jok Bandung",
        "Sarung jok sepeda motor, jok custom dan busa jok",
        "Kulit imitasi (oscar), busa",
        ("jahit-jok",),
        kbli=("30912",),
        capacity=15000,
        regency="32.04",
        tkdn=50,
    ),
    _ikm(
        142,
        "CV Mebel Sofa Jepara",
        "Jok sofa, kursi tamu dan pelapis (upholstery) furnitur rumah",
        "Kain, kulit sintetis, busa, kayu jati",
        ("jahit-jok",),
        capacity=600,
        unit="unit",
        regency="33.20",
    ),
    _ikm(
        143,
        "UD Kayu Trim Interior",
        "List profil kayu, trim interior rumah, kusen dan panel dinding",
        "Kayu jati, kayu mahoni, MDF",
        (),
        capacity=5000,
        unit="meter",
        regency="33.20",
        tkdn=80,
    ),
    _ikm(
        144,
        "CV Rangka Jok Presisi",
        "Rangka jok (seat frame) dan rel jok mobil, sandaran kepala",
        "Pipa baja, plat SPCC",
        ("pengelasan-fabrikasi", "stamping"),
        kbli=("29300",),
        capacity=5000,
        unit="set",
        regency="32.16",
        tkdn=55,
        mou=1,
    ),
    # --- Rubber ---------------------------------------------------------------------
    _ikm(
        150,
        "PT Karet Presisi Bekasi",
        "Rubber part otomotif: grommet, seal pintu, o-ring, bushing karet, dust boot",
        "EPDM, NBR, karet alam, silikon",
        ("cetak-karet", "pembuatan-cetakan"),
        kbli=("22192",),
        certificates=_certs(("IATF16949", datetime.date(2027, 9, 30)), "ISO14001"),
        capacity=200000,
        regency="32.16",
        point=True,
        tkdn=58,
        mou=3,
    ),
    _ikm(
        151,
        "CV Rubberindo Bogor",
        "Komponen karet kendaraan: engine mounting, bushing suspensi, karet stabilizer, seal",
        "NBR, EPDM, SBR",
        ("cetak-karet",),
        kbli=("22192",),
        certificates=_certs(("IATF16949", datetime.date(2026, 3, 31)), "ISO9001"),
        capacity=100000,
        regency="32.01",
        tkdn=50,
        mou=2,
    ),
    _ikm(
        152,
        "PT Elastomer Karawang",
        "Engine mounting, bushing suspensi, karet peredam dan boot steering untuk APM",
        "Karet alam, EPDM, insert plat baja",
        ("cetak-karet", "pembuatan-cetakan"),
        kbli=("22192", "29300"),
        certificates=_certs("IATF16949"),
        capacity=80000,
        regency="32.15",
        tkdn=45,
        mou=1,
    ),
    _ikm(
        153,
        "UD Karet Sandal Tangerang",
        "Sandal karet, keset dan karpet karet untuk rumah tangga",
        "Karet sintetis, karet daur ulang",
        ("cetak-karet",),
        capacity=40000,
        unit="pasang",
        regency="36.03",
        tkdn=60,
    ),
    _ikm(
        154,
        "CV Karet Teknik Medan",
        "Seal, grommet, o-ring dan bushing karet untuk kendaraan dan alat berat",
        "NBR, EPDM, karet alam",
        ("cetak-karet",),
        kbli=("22192",),
        certificates=_certs("IATF16949"),
        capacity=60000,
        regency="12.71",
        point=True,
        tkdn=50,
    ),
    _ikm(
        155,
        "UD Gasket Jaya",
        "Gasket mesin, packing tutup kepala silinder, seal kertas dan karet lembaran potong",
        "Karet lembaran, kertas gasket, grafit",
        ("cetak-karet",),
        kbli=("22192",),
        certificates=_certs("ISO9001"),
        capacity=30000,
        regency="35.78",
        tkdn=40,
    ),
    # --- Plastic injection ----------------------------------------------------------
    _ikm(
        170,
        "PT Plasindo Karawang",
        "Injection molding komponen interior dan eksterior mobil: garnish, console box, "
        "trim pilar, grille",
        "PP, PP talc, ABS, PC/ABS",
        ("injeksi-plastik", "pembuatan-cetakan"),
        kbli=("22291", "29300"),
        certificates=_certs("IATF16949"),
        capacity=250000,
        regency="32.15",
        point=True,
        tkdn=55,
        mou=3,
    ),
    _ikm(
        171,
        "CV Plastik Mandiri Tangerang",
        "Part plastik injeksi sepeda motor: cover body, spakbor, tutup aki, kotak sekring",
        "PP, ABS, HDPE",
        ("injeksi-plastik",),
        kbli=("22291",),
        capacity=60000,
        regency="36.71",
        status="submitted",
        tkdn=40,
    ),
    _ikm(
        172,
        "UD Plastik Rumah Tangga Tangerang",
        "Ember, gayung, toples, kursi plastik dan peralatan rumah tangga",
        "PP, HDPE, plastik daur ulang",
        ("injeksi-plastik",),
        capacity=300000,
        regency="36.03",
    ),
    _ikm(
        174,
        "PT Injeksi Presisi Bekasi",
        "Komponen plastik injeksi untuk APM: panel dashboard, cover pilar, klip, grommet "
        "plastik, kap lampu",
        "PP, ABS, PA66, POM",
        ("injeksi-plastik", "perakitan"),
        kbli=("22291", "29300"),
        certificates=_certs("ISO9001"),
        capacity=150000,
        regency="32.16",
        tkdn=45,
        mou=2,
    ),
    # --- Body builders and composites -----------------------------------------------
    _ikm(
        180,
        "CV Karoseri Malang",
        "Karoseri kendaraan niaga: dump truck, box besi dan aluminium, bak kayu, wing box, mixer",
        "Plat bordes, baja UNP dan CNP, aluminium",
        ("karoseri", "pengelasan-fabrikasi", "pengecatan"),
        kbli=("29200",),
        certificates=_certs("ISO9001"),
        capacity=60,
        unit="unit",
        regency="35.07",
        tkdn=60,
        mou=2,
    ),
    _ikm(
        181,
        "PT Body Builder Bekasi",
        "Body builder: box aluminium, box pendingin (refrigerated), towing, mobil toko",
        "Panel aluminium, sandwich panel PU, baja hollow",
        ("karoseri", "pengelasan-fabrikasi"),
        kbli=("29200",),
        certificates=_certs("ISO9001"),
        capacity=40,
        unit="unit",
        regency="32.16",
        tkdn=55,
        mou=1,
    ),
    _ikm(
        182,
        "CV Karoseri Bus Magelang",
        "Karoseri bus pariwisata, bus medium, minibus dan ambulans",
        "Pipa hollow galvanis, plat aluminium, kaca",
        ("karoseri", "pengelasan-fabrikasi", "pengecatan"),
        kbli=("29200",),
        capacity=15,
        unit="unit",
        regency="33.08",
        tkdn=55,
        mou=1,
    ),
    _ikm(
        183,
        "CV Baja Konstruksi Gresik",
        "Konstruksi baja WF, rangka atap, gudang, kanopi dan tangga besi",
        "Baja WF, H-beam, plat",
        ("pengelasan-fabrikasi", "pengecatan"),
        kbli=("25920",),
        capacity=300,
        unit="ton",
        regency="35.25",
        tkdn=60,
    ),
    _ikm(
        184,
        "PT Trailer Nusantara Gresik",
        "Semi trailer, flatbed, bak dump hidrolik dan perpanjangan sasis truk",
        "Baja high tensile, plat bordes",
        ("karoseri", "pengelasan-fabrikasi", "pengecatan"),
        kbli=("29200",),
        certificates=_certs("ISO9001"),
        capacity=25,
        unit="unit",
        regency="35.25",
        point=True,
        tkdn=50,
        mou=1,
    ),
    _ikm(
        230,
        "CV Fiber Magelang",
        "Komponen fiberglass kendaraan: bemper, dasbor, panel atap dan masker depan bus",
        "Resin polyester, serat kaca (mat dan roving), gelcoat",
        ("komposit",),
        kbli=("29200",),
        capacity=80,
        unit="set",
        regency="33.71",
        point=True,
        tkdn=70,
        mou=2,
    ),
    _ikm(
        231,
        "UD Komposit Klaten",
        "Body kit mobil, spoiler, fairing dan cover body motor dari FRP",
        "Resin, chopped strand mat, gelcoat, dempul",
        ("komposit", "pengecatan"),
        kbli=("29300",),
        capacity=300,
        regency="33.10",
        tkdn=60,
    ),
    _ikm(
        232,
        "CV Kapal Fiber Batam",
        "Kapal fiberglass, speedboat, perahu nelayan dan ponton",
        "Resin, serat kaca, gelcoat",
        ("komposit",),
        kbli=("30111",),
        capacity=6,
        unit="unit",
        regency="21.71",
        tkdn=55,
        mou=1,
    ),
    _ikm(
        233,
        "UD Tangki Fiber Semarang",
        "Tangki air fiberglass, toren, septic tank dan bak mandi",
        "Resin, fiberglass",
        ("komposit",),
        capacity=400,
        unit="unit",
        regency="33.74",
        tkdn=60,
    ),
    # --- Brakes ---------------------------------------------------------------------
    _ikm(
        190,
        "CV Kampas Rem Sukoharjo",
        "Kampas rem tromol dan kampas cakram sepeda motor, kanvas kopling",
        "Resin phenolic, serat non-asbes, plat besi backing",
        ("stamping", "perakitan"),
        kbli=("30912",),
        certificates=_certs("ISO9001"),
        capacity=80000,
        unit="set",
        regency="33.11",
        tkdn=70,
        mou=1,
    ),
    _ikm(
        191,
        "PT Friksi Indo Tangerang",
        "Brake lining dan brake block truk dan bus, kampas kopling kendaraan niaga",
        "Resin, serat bebas asbes, backing plate",
        ("stamping", "perakitan"),
        kbli=("29300",),
        certificates=_certs("ISO9001"),
        capacity=30000,
        unit="set",
        regency="36.03",
        tkdn=60,
        mou=2,
    ),
    _ikm(
        192,
        "UD Terpal Kanvas Solo",
        "Terpal truk, tenda, kanvas penutup bak dan karung",
        "Kanvas katun, terpal PVC",
        (),
        capacity=3000,
        regency="33.72",
        tkdn=70,
    ),
    # --- Plating --------------------------------------------------------------------
    _ikm(
        200,
        "CV Galvano Sidoarjo",
        "Jasa electroplating untuk part otomotif: zinc plating (trivalent), nikel dan krom, "
        "anodizing",
        "Baja, kuningan, aluminium",
        ("pelapisan-logam",),
        kbli=("25920",),
        certificates=_certs("ISO9001", ("ISO14001", datetime.date(2027, 4, 30))),
        capacity=40,
        unit="ton",
        regency="35.15",
        point=True,
        tkdn=60,
        mou=2,
    ),
    _ikm(
        201,
        "UD Krom Surabaya",
        "Chrome plating velg, knalpot, handle dan aksesoris motor; krom dekoratif",
        "Nikel, krom",
        ("pelapisan-logam",),
        kbli=("25920",),
        capacity=5000,
        regency="35.78",
        point=True,
        tkdn=45,
    ),
    _ikm(
        202,
        "UD Sepuh Perhiasan Kotagede",
        "Sepuh emas dan perak untuk perhiasan, cincin, souvenir dan piala",
        "Emas, perak, kuningan",
        ("pelapisan-logam",),
        capacity=2000,
        regency="34.71",
    ),
    # --- Fasteners and forging ------------------------------------------------------
    _ikm(
        210,
        "PT Fastener Tangerang",
        "Baut, mur, ring dan sekrup standar JIS/DIN: cold forging, rolling ulir, perlakuan "
        "panas dan zinc plating",
        "Kawat baja SWCH10A, SWCH45K, SCM435",
        ("tempa", "perlakuan-panas", "pelapisan-logam"),
        kbli=("25910", "29300"),
        certificates=_certs("ISO9001", "IATF16949"),
        capacity=2_000_000,
        regency="36.03",
        tkdn=55,
        mou=3,
    ),
    _ikm(
        211,
        "CV Baut Mur Tegal",
        "Baut dan mur bubut custom, baut roda truk, mur roda, baut tanam",
        "Baja S45C, baja ST60",
        ("pemesinan",),
        kbli=("25920",),
        capacity=30000,
        regency="33.28",
        tkdn=50,
    ),
    _ikm(
        212,
        "UD Baut Furnitur Jepara",
        "Baut furnitur, mur sambungan, dowel dan engsel lemari",
        "Kawat besi, plat besi, kuningan",
        ("stamping", "tempa"),
        kbli=("25910",),
        capacity=500000,
        regency="33.20",
        tkdn=45,
    ),
    _ikm(
        213,
        "UD Pandai Besi Pasuruan",
        "Tempa pisau, parang, cangkul, sabit dan alat pertanian",
        "Baja per bekas, besi",
        ("tempa", "perlakuan-panas"),
        capacity=5000,
        regency="35.14",
        tkdn=90,
    ),
    # --- Lamps and mirrors ----------------------------------------------------------
    _ikm(
        220,
        "CV Aksesoris Motor Bekasi",
        "Kaca spion sepeda motor, lampu sein, lampu stop dan reflektor aftermarket",
        "ABS, PC, kaca cermin, kabel",
        ("injeksi-plastik", "perakitan"),
        kbli=("30912",),
        capacity=40000,
        regency="32.75",
        tkdn=45,
        mou=1,
    ),
    _ikm(
        221,
        "PT Lampu Otomotif Tangerang",
        "Head lamp, tail lamp dan lampu kabut mobil, reflektor",
        "PC, PMMA, ABS, LED",
        ("injeksi-plastik", "perakitan", "elektronik"),
        kbli=("29300",),
        certificates=_certs("ISO9001"),
        capacity=20000,
        regency="36.71",
        tkdn=40,
        mou=2,
    ),
    _ikm(
        222,
        "CV Lampu Hias Cirebon",
        "Lampu hias, lampu gantung dan lampion dari rotan dan bambu",
        "Rotan, bambu, kabel, fitting",
        ("perakitan",),
        capacity=2000,
        regency="32.09",
        tkdn=85,
    ),
    _ikm(
        223,
        "UD Cermin Kaca Surabaya",
        "Cermin hias, kaca patri dan kaca bevel untuk interior rumah dan hotel",
        "Kaca float, cermin",
        (),
        capacity=3000,
        regency="35.78",
        tkdn=50,
    ),
    # --- Springs --------------------------------------------------------------------
    _ikm(
        240,
        "CV Pegas Daun Surabaya",
        "Per daun truk dan pick up, U-bolt, shackle dan repair per",
        "Baja pegas SUP9, SUP11",
        ("tempa", "perlakuan-panas"),
        kbli=("29300",),
        certificates=_certs("SNI"),
        capacity=3000,
        unit="set",
        regency="35.78",
        tkdn=70,
        mou=1,
    ),
    _ikm(
        241,
        "UD Spring Bekasi",
        "Per keong (pegas spiral), pegas tekan, pegas tarik dan pegas torsi untuk mesin dan "
        "kendaraan",
        "Kawat pegas SWP, stainless",
        ("perlakuan-panas",),
        kbli=("25920",),
        capacity=50000,
        regency="32.16",
        tkdn=50,
        mou=1,
    ),
    _ikm(
        242,
        "CV Kasur Spring Bed Pasuruan",
        "Kasur spring bed, per kasur, sofa bed",
        "Kawat per, busa, kain",
        (),
        capacity=1500,
        regency="35.75",
        tkdn=60,
    ),
    # --- Wheels ---------------------------------------------------------------------
    _ikm(
        260,
        "PT Velg Cor Sidoarjo",
        "Pelek racing sepeda motor dan mobil ring 14-17 dari aluminium cor",
        "Aluminium A356",
        ("pengecoran", "pemesinan", "pengecatan"),
        kbli=("30912", "29300"),
        certificates=_certs("SNI", "ISO9001"),
        capacity=30000,
        regency="35.15",
        tkdn=60,
        mou=2,
    ),
    _ikm(
        261,
        "CV Pelek Jari Tangerang",
        "Pelek jari-jari sepeda motor (velg ruji) dan pelek sepeda, roll forming",
        "Plat baja, strip aluminium",
        ("stamping", "pelapisan-logam"),
        kbli=("30912",),
        capacity=20000,
        regency="36.03",
        tkdn=55,
        mou=1,
    ),
    _ikm(
        262,
        "UD Roda Troli Bogor",
        "Roda troli, roda etalase, caster furnitur dan roda gerobak",
        "Karet, nilon, plat besi",
        ("injeksi-plastik", "perakitan"),
        capacity=40000,
        regency="32.01",
        tkdn=50,
    ),
]

NEEDS: list[NeedRecord] = [
    # --- Terse shorthand --------------------------------------------------------------
    _need(
        1,
        "Tromol rem alumunium 60rb pcs/bln, ADC12",
        terse=True,
        quantity_per_month=60000,
        unit="pcs",
    ),
    _need(
        2,
        "Muffler assy motor 110cc, 3rb unit/bln",
        terse=True,
        quantity_per_month=3000,
        unit="unit",
        excluded={113},
    ),
    _need(
        3,
        "Kabel bodi motor bebek (main harness), 5rb set/bln",
        terse=True,
        quantity_per_month=5000,
        unit="set",
    ),
    _need(
        4,
        "Bracket SPCC t2.3 stamping + ED coating, 20rb pcs/bln",
        terse=True,
        processes={"stamping", "pengecatan"},
        quantity_per_month=20000,
        unit="pcs",
    ),
    _need(5, "Seat cover jok mobil MPV, bahan MB", terse=True),
    _need(10, "Brake shoe & disc pad motor, non asbestos", terse=True),
    _need(
        12,
        "Bolt & nut M10 grade 8.8 zinc, 200rb pcs/bln",
        terse=True,
        kbli={"25910"},
        quantity_per_month=200000,
        unit="pcs",
    ),
    _need(13, "Mirror + turn signal lamp motor, aftermarket", terse=True, province="32"),
    _need(
        15,
        "Leaf spring + coil spring truk/pickup, 2rb set/bln",
        terse=True,
        quantity_per_month=2000,
        unit="set",
    ),
    _need(17, "Rim alloy 17 inch motor sport (cast wheel)", terse=True),
    # --- Procurement prose ------------------------------------------------------------
    _need(
        6,
        "Komponen karet anti-getar mobil penumpang. Pengadaan komponen karet untuk sistem "
        "suspensi dan mesin mobil penumpang. Part yang dibutuhkan: bushing stabilizer, "
        "engine mounting, grommet kabel dan seal pintu, material EPDM dan NBR sesuai "
        "drawing. Pemasok wajib memiliki sertifikat IATF 16949 yang masih berlaku dan "
        "sanggup membuat serta merawat mold sendiri. Volume awal 50.000 pcs per bulan, "
        "dikirim ke plant kami di Cikarang, Kabupaten Bekasi.",
        terse=False,
        processes={"cetak-karet"},
        kbli={"22192"},
        required_certifications={"IATF16949"},
        quantity_per_month=50000,
        unit="pcs",
        regency="32.16",
    ),
    _need(
        7,
        "Poros dan bushing gearbox manual. PT Transmisi Prima (Tier-1 APM roda empat) "
        "membuka pengadaan poros (shaft) dan bushing untuk gearbox manual. Material baja "
        "S45C dan SCM420, proses bubut CNC dan gerinda, kemudian induction hardening "
        "50-55 HRC. Toleransi diameter h6, kekasaran Ra 0,8. Diutamakan pemasok di Jawa "
        "Barat yang memiliki ISO 9001. Volume sekitar 8.000 pcs per bulan.",
        terse=False,
        processes={"pemesinan", "perlakuan-panas"},
        kbli={"25920"},
        preferred_certifications={"ISO9001"},
        quantity_per_month=8000,
        unit="pcs",
        province="32",
    ),
    _need(
        8,
        "Part interior plastik injeksi. Kebutuhan part interior mobil dari plastik "
        "injeksi: garnish pilar, cover konsol tengah dan klip panel pintu. Material PP "
        "talc dan ABS, warna hitam dengan tekstur grain. Pemasok diharapkan mampu membuat "
        "mold baru atau merawat mold milik kami. Hanya pemasok terverifikasi dengan TKDN "
        "minimal 30%. Pengiriman ke Karawang, volume 30.000 pcs per bulan.",
        terse=False,
        processes={"injeksi-plastik", "pembuatan-cetakan"},
        kbli={"22291"},
        verified_only=True,
        min_tkdn=30,
        quantity_per_month=30000,
        unit="pcs",
        regency="32.15",
    ),
    _need(
        9,
        "Bak dump truck dan box besi. Kami dealer truk di Surabaya membutuhkan mitra "
        "karoseri untuk pembuatan bak dump truck dengan hidrolik dan box besi untuk truk "
        "engkel dan tronton. Rangka dari baja UNP, lantai plat bordes 4 mm, finishing cat "
        "dasar epoxy dan cat akhir. Perkiraan 40 unit per bulan, diutamakan karoseri di "
        "Jawa Timur.",
        terse=False,
        processes={"karoseri", "pengelasan-fabrikasi"},
        kbli={"29200"},
        quantity_per_month=40,
        unit="unit",
        province="35",
    ),
    _need(
        11,
        "Jasa zinc plating dan nikel krom. Dicari mitra jasa pelapisan logam untuk baut, "
        "mur, braket dan komponen rem. Dibutuhkan zinc plating trivalent (bebas krom "
        "heksavalen) dengan ketahanan salt spray 72 jam, serta nikel-krom untuk sebagian "
        "part dekoratif. Barang diambil dan diantar ke pabrik kami di Sidoarjo; volume "
        "sekitar 20 ton per bulan. Diutamakan yang memiliki ISO 14001 dan IPAL.",
        terse=False,
        processes={"pelapisan-logam"},
        preferred_certifications={"ISO14001"},
        quantity_per_month=20000,
        unit="kg",
        regency="35.15",
        point=(-7.44, 112.70),
    ),
    _need(
        14,
        "Panel FRP bus. Karoseri bus kami di Magelang membutuhkan pemasok panel FRP untuk "
        "bus medium dan big bus: front mask, rear bumper, cover dashboard dan panel atap. "
        "Proses hand lay-up atau vacuum infusion, finishing gelcoat putih siap cat. Mohon "
        "sertakan kapasitas cetakan. Kebutuhan awal 60 set per bulan.",
        terse=False,
        processes={"komposit"},
        kbli={"29200"},
        quantity_per_month=60,
        unit="set",
        regency="33.08",
        point=(-7.60, 110.21),
    ),
    _need(
        16,
        "Gear set sepeda motor aftermarket. Pengadaan gear set (gir depan dan gir "
        "belakang) untuk sepeda motor bebek dan sport sebagai suku cadang aftermarket. "
        "Material baja S45C dengan pengerasan gigi (induction hardening), finishing zinc "
        "atau black oxide. Kemasan set berisi gir depan, gir belakang dan rantai. "
        "Kapasitas minimal 10.000 set per bulan.",
        terse=False,
        processes={"pemesinan", "perlakuan-panas"},
        kbli={"30912"},
        quantity_per_month=10000,
        unit="set",
    ),
    _need(
        18,
        "Pembuatan dies progresif braket sasis. Kami membutuhkan pembuatan dies progresif "
        "dan dies tandem untuk 6 part braket sasis (material SAPH440 t3,2). Lingkup: "
        "desain, machining, heat treatment, try out di mesin press 200 ton milik kami dan "
        "perbaikan hingga part OK. Tenggat 4 bulan sejak PO. Try out di plant Karawang.",
        terse=False,
        processes={"pembuatan-cetakan"},
        preferred_certifications={"ISO9001"},
        point=(-6.30, 107.29),
    ),
]

PROSE: frozenset[int] = frozenset(i for i, terse in _TERSE.items() if not terse)
TERSE: frozenset[int] = frozenset(i for i, terse in _TERSE.items() if terse)

GRADES: dict[int, dict[int, int]] = {
    # Aluminium brake drums: the drum/hub die-caster, then aluminium die-casting and
    # wheel casting; cast-iron truck drums and sand-cast aluminium are only related.
    # Kampas rem (190) and steel shafts (104) share words or processes only.
    1: {101: 3, 102: 2, 260: 2, 103: 1, 105: 1, 106: 1, 190: 0, 104: 0},
    # Motorcycle muffler: the knalpot maker; car exhaust pipes are a gap. The railing
    # welder (113) was dismissed by the buyer; an exhaust fan (112) is not an exhaust.
    2: {110: 3, 111: 2, 113: 0, 112: 0, 201: 0},
    # Motorcycle main harness: the harness maker; car-accessory harnesses a gap; PCB
    # electrics related. 124 is rejected, 122 makes household cable.
    3: {120: 3, 121: 2, 123: 1, 124: 0, 122: 0},
    # SPCC bracket, stamped and ED coated: the press shop with an ED line; a press shop
    # without coating a gap; furniture-bracket stamping, a coating shop, other stampers
    # (seat frames, sprockets) and the tool shop related.
    4: {131: 3, 130: 2, 132: 1, 133: 1, 144: 1, 212: 1, 250: 1, 173: 1},
    # Car seat covers: the car trimmer; motorcycle seat covers a gap; sofa upholstery and
    # the seat-frame maker related. Wood trim (143) shares only the word.
    5: {140: 3, 141: 2, 142: 1, 144: 1, 143: 0},
    # Rubber anti-vibration parts, IATF 16949 required, Bekasi: 151's IATF expired,
    # 153 and 155 have none (filtered, 0). Medan is far from Bekasi.
    6: {150: 3, 152: 3, 154: 2, 151: 0, 153: 0, 155: 0},
    # Gearbox shafts, S45C, induction hardened, West Java preferred: 164 is inactive.
    7: {160: 3, 104: 2, 250: 2, 161: 1, 162: 1, 163: 1, 211: 1, 252: 1, 164: 0},
    # Interior injection parts, verified and TKDN >= 30 only, Karawang: 171 is not
    # verified, 172 has no TKDN (filtered). 174 has no mould shop; lamp and moto-accessory
    # moulders are a gap or related; trolley wheels are injection for another trade.
    8: {170: 3, 174: 2, 221: 2, 220: 1, 173: 1, 262: 1, 171: 0, 172: 0},
    # Dump bodies and steel boxes, East Java preferred.
    9: {180: 3, 184: 3, 181: 2, 182: 1, 183: 0},
    # Motorcycle brake shoes and pads: the lining maker; truck linings a gap; brake-drum
    # makers related. Canvas tarpaulins (192) share a word.
    10: {190: 3, 191: 2, 101: 1, 103: 1, 192: 0},
    # Zinc and nickel-chrome plating near Sidoarjo: the plating shop; decorative chrome a
    # gap; the fastener maker's in-house plating and powder coating related. Gold plating
    # of jewellery (202) is not this trade.
    11: {200: 3, 201: 2, 210: 1, 133: 1, 202: 0},
    # Bolts and nuts 8.8, high volume: the cold-forging fastener maker; a lathe shop a
    # gap; furniture bolts and job-shop lathes related. Hand forging (213) is not.
    12: {210: 3, 211: 2, 212: 1, 161: 1, 104: 1, 213: 0},
    # Motorcycle mirrors and turn signals, West Java: the accessory maker; car lamps a
    # gap; the moto plastic parts maker and the moto electrics related. Decorative lamps
    # and mirrors (222, 223) share the words only.
    13: {220: 3, 221: 2, 171: 1, 123: 1, 222: 0, 223: 0},
    # FRP bus panels near Magelang: the bus FRP maker; car/moto FRP a gap; boats, tanks and
    # the bus body builder related.
    14: {230: 3, 231: 2, 232: 1, 233: 1, 182: 1},
    # Leaf and coil springs for trucks: the leaf-spring maker; coil springs a gap.
    # Mattress springs (242) and knife forging from spring steel (213) are not.
    15: {240: 3, 241: 2, 242: 0, 213: 0},
    # Motorcycle sprocket sets: the sprocket maker; the small sprocket shop (no heat
    # treatment, small volume) and the transmission gear maker a gap; farm gears related.
    16: {250: 3, 251: 2, 160: 2, 252: 1},
    # Cast alloy motorcycle wheels: the wheel caster; spoke rims a gap; chrome and powder
    # coating of wheels, aluminium casting of other parts related.
    17: {260: 3, 261: 2, 201: 1, 133: 1, 105: 1, 101: 1, 102: 1, 262: 0},
    # Progressive and tandem press dies: the two tool shops; the press shop with its own
    # die making a gap; other press shops and mould shops of die casting, injection and
    # rubber related. Cake moulds (270) share the word "cetakan".
    18: {271: 3, 173: 3, 130: 2, 131: 1, 102: 1, 170: 1, 150: 1, 152: 1, 270: 0},
}
