"""Kemendagri region data: 38 provinces, 514 regencies/cities, names written properly."""

import pytest

from ikm.models import Province, Regency, region_title

pytestmark = pytest.mark.django_db


def test_counts_and_codes():
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.get(code="32.16").province_id == "32"
    # The four Papua provinces of 2022 are there (localflavor's list lacks them).
    assert set(Province.objects.filter(island_group="papua").values_list("code", flat=True)) >= {
        "93",
        "94",
        "95",
        "96",
    }
    assert not Province.objects.filter(island_group="").exists()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("DKI JAKARTA", "DKI Jakarta"),
        ("KABUPATEN PANGKAJENE DAN KEPULAUAN", "Kabupaten Pangkajene dan Kepulauan"),
        ("KABUPATEN TOLI-TOLI", "Kabupaten Toli-Toli"),
        ("KOTA ADMINISTRASI JAKARTA UTARA", "Kota Administrasi Jakarta Utara"),
    ],
)
def test_region_names_are_written_as_indonesians_write_them(raw, shown):
    assert region_title(raw) == shown


def test_cities_and_regencies():
    assert Regency.objects.get(code="32.75").is_city  # Kota Bekasi
    assert not Regency.objects.get(code="32.16").is_city  # Kabupaten Bekasi
