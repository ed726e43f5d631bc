"""Load the 38 provinces and 514 regencies/cities (Kemendagri codes).

Source: idn-area-data 3.1.2 by fityannugroho, under the Open Database License 1.0
(ikm/data/regions/LICENSE-ODbL.md; attribution in docs/data-sources.md).
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "regions"

# Island groups by province code, for location scoring ("same island group").
ISLAND_GROUPS = {
    "sumatera": {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21"},
    "jawa": {"31", "32", "33", "34", "35", "36"},
    "bali_nusa_tenggara": {"51", "52", "53"},
    "kalimantan": {"61", "62", "63", "64", "65"},
    "sulawesi": {"71", "72", "73", "74", "75", "76"},
    "maluku": {"81", "82"},
    "papua": {"91", "92", "93", "94", "95", "96", "97"},
}


def island_group(code):
    for group, codes in ISLAND_GROUPS.items():
        if code in codes:
            return group
    raise ValueError(f"Province {code} has no island group")


def load(apps, schema_editor):
    Province = apps.get_model("ikm", "Province")
    Regency = apps.get_model("ikm", "Regency")
    with open(DATA / "provinces.csv", encoding="utf-8", newline="") as f:
        provinces = [
            Province(code=row["code"], name=row["name"], island_group=island_group(row["code"]))
            for row in csv.DictReader(f)
        ]
    Province.objects.bulk_create(provinces, ignore_conflicts=True)
    with open(DATA / "regencies.csv", encoding="utf-8", newline="") as f:
        regencies = [
            Regency(code=row["code"], province_id=row["province_code"], name=row["name"])
            for row in csv.DictReader(f)
        ]
    Regency.objects.bulk_create(regencies, ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("ikm", "Regency").objects.all().delete()
    apps.get_model("ikm", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("ikm", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
