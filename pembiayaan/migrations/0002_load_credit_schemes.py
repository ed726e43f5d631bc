"""Credit schemes as editable reference data.

KUR limits and rates from Permenko 1/2023 (DOMAIN.md): Super Mikro up to Rp10 juta at 3%;
Mikro above Rp10 juta up to Rp100 juta and Kecil above Rp100 juta up to Rp500 juta at 6%
on first access, 7/8/9% on later ones; no extra collateral up to Rp100 juta.
"""

from django.db import migrations

JUTA = 1_000_000

SCHEMES = [
    {
        "code": "kur-super-mikro",
        "name": "KUR Super Mikro",
        "kind": "kur",
        "min_plafon": 1,
        "max_plafon": 10 * JUTA,
        "max_rate": "3.00",
        "repeat_access_rates": [],
        "collateral_free_up_to": 10 * JUTA,
        "regulation": "Permenko Perekonomian 1/2023",
    },
    {
        "code": "kur-mikro",
        "name": "KUR Mikro",
        "kind": "kur",
        "min_plafon": 10 * JUTA + 1,
        "max_plafon": 100 * JUTA,
        "max_rate": "6.00",
        "repeat_access_rates": [7, 8, 9],
        "collateral_free_up_to": 100 * JUTA,
        "regulation": "Permenko Perekonomian 1/2023",
    },
    {
        "code": "kur-kecil",
        "name": "KUR Kecil",
        "kind": "kur",
        "min_plafon": 100 * JUTA + 1,
        "max_plafon": 500 * JUTA,
        "max_rate": "6.00",
        "repeat_access_rates": [7, 8, 9],
        "collateral_free_up_to": 100 * JUTA,
        "regulation": "Permenko Perekonomian 1/2023",
    },
    {"code": "kmk", "name": "Kredit Modal Kerja (KMK)", "kind": "kmk"},
    {"code": "ki", "name": "Kredit Investasi (KI)", "kind": "ki"},
    {"code": "leasing", "name": "Pembiayaan sewa guna usaha (leasing)", "kind": "leasing"},
    {"code": "modal-ventura", "name": "Pembiayaan modal ventura", "kind": "venture"},
]


def load(apps, schema_editor):
    CreditScheme = apps.get_model("pembiayaan", "CreditScheme")
    for scheme in SCHEMES:
        values = dict(scheme)
        CreditScheme.objects.get_or_create(code=values.pop("code"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("pembiayaan", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
