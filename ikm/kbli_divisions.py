"""KBLI 2020 divisions (golongan pokok, the first two digits of a code) of manufacturing
(section C, 10 to 33): their official Indonesian titles, and the divisions in use by the IKM.

Used by the lists' ``sector`` filter and by the dashboard: a division is labelled
"29 — Industri Kendaraan Bermotor, Trailer dan Semi Trailer".
"""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr

from .models import IKM, Kbli

DIVISIONS = {
    "10": "Industri Makanan",
    "11": "Industri Minuman",
    "12": "Industri Pengolahan Tembakau",
    "13": "Industri Tekstil",
    "14": "Industri Pakaian Jadi",
    "15": "Industri Kulit, Barang dari Kulit dan Alas Kaki",
    "16": (
        "Industri Kayu, Barang dari Kayu dan Gabus (Tidak Termasuk Furnitur) dan Barang "
        "Anyaman dari Bambu, Rotan dan Sejenisnya"
    ),
    "17": "Industri Kertas dan Barang dari Kertas",
    "18": "Industri Pencetakan dan Reproduksi Media Rekaman",
    "19": "Industri Produk dari Batu Bara dan Pengilangan Minyak Bumi",
    "20": "Industri Bahan Kimia dan Barang dari Bahan Kimia",
    "21": "Industri Farmasi, Produk Obat Kimia dan Obat Tradisional",
    "22": "Industri Karet, Barang dari Karet dan Plastik",
    "23": "Industri Barang Galian Bukan Logam",
    "24": "Industri Logam Dasar",
    "25": "Industri Barang Logam, Bukan Mesin dan Peralatannya",
    "26": "Industri Komputer, Barang Elektronik dan Optik",
    "27": "Industri Peralatan Listrik",
    "28": "Industri Mesin dan Perlengkapan YTDL",
    "29": "Industri Kendaraan Bermotor, Trailer dan Semi Trailer",
    "30": "Industri Alat Angkutan Lainnya",
    "31": "Industri Furnitur",
    "32": "Industri Pengolahan Lainnya",
    "33": "Jasa Reparasi dan Pemasangan Mesin dan Peralatan",
}


def division_label(code: str) -> str:
    """ "29 — <official title>"; a division outside manufacturing: "Golongan pokok 46"."""
    title = DIVISIONS.get(code)
    return f"{code} \N{EM DASH} {title}" if title else f"Golongan pokok {code}"


def divisions_in_use() -> list[str]:
    """The divisions of the KBLI codes the IKM hold (one query over the KBLI table, probing
    the links' index per code: the links themselves are many)."""
    held = IKM.kbli.through.objects.filter(kbli_id=OuterRef("pk"))
    return list(
        Kbli.objects.filter(Exists(held))
        .annotate(division=Substr("code", 1, 2))
        .order_by("division")
        .values_list("division", flat=True)
        .distinct()
    )


def division_choices() -> list[tuple[str, str]]:
    """(code, label) of the divisions in use, for a ``sector`` filter."""
    return [(code, division_label(code)) for code in divisions_in_use()]
