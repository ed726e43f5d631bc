"""Reference data: KBLI codes, process capabilities and certification types.

Editable afterwards by Kemenperin staff (admin); this migration only adds what is missing.
KBLI titles follow KBLI 2020; codes marked "verified" in docs/data-sources.md were checked
against DOMAIN.md, the rest are the usual codes of automotive IKM outside divisions 29/30.
"""

from django.db import migrations

KBLI = [
    (
        "22192",
        "Industri barang dari karet untuk keperluan industri",
        "Rubber goods for industrial use",
    ),
    (
        "22291",
        "Industri barang dan peralatan teknik/industri dari plastik",
        "Technical/industrial plastic goods",
    ),
    ("24310", "Industri pengecoran besi dan baja", "Casting of iron and steel"),
    ("24320", "Industri pengecoran logam bukan besi dan baja", "Casting of non-ferrous metals"),
    (
        "25910",
        "Industri penempaan, pengepresan, pencetakan dan pembentukan logam; metalurgi bubuk",
        "Forging, pressing, stamping and roll-forming of metal; powder metallurgy",
    ),
    (
        "25920",
        "Jasa industri untuk berbagai pengerjaan khusus logam dan barang dari logam",
        "Treatment and coating of metals; machining",
    ),
    (
        "27320",
        "Industri kabel listrik dan elektronik lainnya",
        "Other electronic and electric wires and cables",
    ),
    ("27900", "Industri peralatan listrik lainnya", "Other electrical equipment"),
    (
        "29100",
        "Industri kendaraan bermotor roda empat atau lebih",
        "Motor vehicles (four or more wheels)",
    ),
    (
        "29200",
        "Industri karoseri kendaraan bermotor roda empat atau lebih dan industri trailer dan semi trailer",
        "Bodies (coachwork) for motor vehicles; trailers and semi-trailers",
    ),
    (
        "29300",
        "Industri suku cadang dan aksesori kendaraan bermotor roda empat atau lebih",
        "Parts and accessories for motor vehicles (four or more wheels)",
    ),
    ("30111", "Industri kapal dan perahu", "Building of ships and boats"),
    ("30200", "Industri lokomotif dan gerbong kereta", "Railway locomotives and rolling stock"),
    (
        "30300",
        "Industri pesawat terbang dan perlengkapannya",
        "Air and spacecraft and related machinery",
    ),
    ("30911", "Industri sepeda motor roda dua dan tiga", "Motorcycles (two and three wheels)"),
    (
        "30912",
        "Industri komponen dan perlengkapan sepeda motor roda dua dan tiga",
        "Parts and accessories for motorcycles",
    ),
]

PROCESSES = [
    ("pemesinan", "Pemesinan (CNC)", "Machining (CNC)"),
    ("stamping", "Stamping / press", "Stamping / pressing"),
    ("pengecoran", "Pengecoran logam", "Metal casting"),
    ("tempa", "Tempa", "Forging"),
    ("injeksi-plastik", "Injeksi plastik", "Plastic injection moulding"),
    ("cetak-karet", "Cetak karet", "Rubber moulding"),
    ("pengelasan-fabrikasi", "Pengelasan dan fabrikasi", "Welding and fabrication"),
    ("pengecatan", "Pengecatan dan powder coating", "Painting and powder coating"),
    ("pelapisan-logam", "Pelapisan logam (electroplating)", "Electroplating"),
    ("perlakuan-panas", "Perlakuan panas", "Heat treatment"),
    ("perakitan", "Perakitan", "Assembly"),
    ("wire-harness", "Wire harness", "Wiring harness"),
    ("jahit-jok", "Jahit jok dan trim", "Seat and trim sewing"),
    ("pembuatan-cetakan", "Pembuatan cetakan (mould & dies)", "Mould and die making"),
    ("komposit", "Fiberglass dan komposit", "Fiberglass and composites"),
    ("karoseri", "Karoseri", "Body building (karoseri)"),
    ("elektronik", "Perakitan elektronik", "Electronics assembly"),
]

CERTIFICATION_TYPES = [
    ("ISO9001", "ISO 9001 — Sistem manajemen mutu"),
    ("IATF16949", "IATF 16949 — Sistem manajemen mutu otomotif"),
    ("ISO14001", "ISO 14001 — Sistem manajemen lingkungan"),
    ("ISO45001", "ISO 45001 — Sistem manajemen K3"),
    ("SNI", "SNI — Standar Nasional Indonesia"),
    ("SMK3", "SMK3 — Sistem Manajemen Keselamatan dan Kesehatan Kerja"),
    ("TKDN", "Sertifikat TKDN — Tingkat Komponen Dalam Negeri"),
]


def load(apps, schema_editor):
    Kbli = apps.get_model("ikm", "Kbli")
    ProcessCapability = apps.get_model("ikm", "ProcessCapability")
    CertificationType = apps.get_model("ikm", "CertificationType")
    for code, title, title_en in KBLI:
        Kbli.objects.get_or_create(code=code, defaults={"title": title, "title_en": title_en})
    for slug, name, name_en in PROCESSES:
        ProcessCapability.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en}
        )
    for code, name in CERTIFICATION_TYPES:
        CertificationType.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("ikm", "0002_load_regions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
