"""The import template's columns, the import's messages, and how a file's header row
maps to the columns."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..parsing import clean_text

FILE_TYPE = _("Only .xlsx or .csv files can be imported.")
FILE_XLS = _(
    "Old .xls workbooks cannot be read: save the file as .xlsx (Excel Workbook) and upload "
    "it again."
)
FILE_UNREADABLE = _("The file cannot be read as an .xlsx workbook or a .csv file.")
FILE_NO_HEADER = _(
    "The file has no header row: the first row must hold the column names of the template."
)
FILE_TOO_LARGE = _("The file is larger than 20 MB; split it into smaller files.")
FILE_TOO_MANY_ROWS = _(
    "The file has %(rows)s rows; at most %(max)s can be imported at once: split it."
)
FILE_ALREADY_RUNNING = _("This file is already being processed.")
COLUMNS_MISSING = _(
    "Required column(s) missing: %(columns)s. Use the column names of the template."
)
COLUMN_REPEATED = _('The column "%(column)s" appears more than once.')
COLUMN_UNKNOWN = _('The column "%(column)s" is not in the template and was ignored.')
DUPLICATE_NIB = _("This NIB already appears in row %(row)s of the file.")
IMPORT_CRASHED = _(
    "The work stopped because of an unexpected error (%(error)s); nothing was written. "
    "Try again, or ask an administrator."
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_COLUMN = "kesalahan"
DATA_SHEET = "IKM"


@dataclass(frozen=True)
class Column:
    """A template column: its header, the IKM field it fills and its instructions."""

    name: str
    field: str  # IKM attribute, or "kbli" / "processes" / "certificates"
    required: bool
    description: str  # Indonesian, for the instructions sheet
    example: str


COLUMNS = (
    Column("nama_usaha", "name", True, "Nama usaha (maks. 200 karakter).", "CV Logam Presisi"),
    Column(
        "nib",
        "nib",
        True,
        "Nomor Induk Berusaha dari OSS, 13 digit. Format kolom sebagai Teks agar angka 0 di "
        "depan tidak hilang. Baris dengan NIB yang sudah terdaftar memperbarui data IKM itu.",
        "9120001234567",
    ),
    Column(
        "bentuk_usaha",
        "legal_form",
        False,
        "PT, CV, UD, Firma (Fa), Koperasi, Perorangan atau Lainnya. Kosong = Perorangan.",
        "CV",
    ),
    Column(
        "npwp",
        "npwp",
        False,
        "15 atau 16 digit, boleh dengan tanda baca (01.234.567.8-901.000). Format sebagai Teks.",
        "0012345678901000",
    ),
    Column(
        "tahun_berdiri",
        "year_founded",
        False,
        "Tahun, 4 digit (atau tanggal: yang diambil tahunnya). Tidak boleh di masa depan.",
        "2008",
    ),
    Column("alamat", "address", False, "Alamat lengkap.", "Jl. Industri No. 5, Cikarang"),
    Column(
        "provinsi",
        "province_id",
        True,
        'Kode (32) atau nama provinsi ("Jawa Barat", "DKI Jakarta", "DI Yogyakarta").',
        "Jawa Barat",
    ),
    Column(
        "kabupaten_kota",
        "regency_id",
        True,
        'Kode (32.16) atau nama dengan awalan: "Kabupaten Bekasi", "Kab. Bekasi", '
        '"Kota Bekasi". Nama tanpa awalan ("Bekasi") ditolak bila ada kabupaten dan kota '
        "bernama sama. Harus terletak di provinsi yang ditulis.",
        "Kab. Bekasi",
    ),
    Column(
        "kbli",
        "kbli",
        True,
        "Satu atau lebih kode KBLI 2020 (5 digit), dipisah koma atau titik koma. Lihat "
        "lembar Referensi.",
        "29300, 25910",
    ),
    Column(
        "proses",
        "processes",
        True,
        "Satu atau lebih kemampuan proses, dipisah koma atau titik koma: nama Indonesia, "
        "nama Inggris atau kode (pemesinan, stamping, injeksi plastik, wire harness...). "
        "Lihat lembar Referensi.",
        "stamping; pengelasan",
    ),
    Column("produk", "products", True, "Produk yang dibuat.", "Bracket knalpot, dudukan mesin"),
    Column("bahan", "materials", False, "Bahan baku utama.", "Plat baja SPCC"),
    Column(
        "sertifikasi",
        "certificates",
        False,
        "Sertifikat yang dimiliki, dipisah koma: ISO 9001, IATF 16949, ISO 14001, ISO 45001, "
        "SNI, SMK3, TKDN. Dicatat tanpa tanggal (tanggal dilengkapi kemudian). Impor hanya "
        "menambah sertifikat, tidak pernah menghapus.",
        "ISO 9001:2015, TKDN",
    ),
    Column(
        "kapasitas_per_bulan",
        "monthly_capacity",
        False,
        "Kapasitas produksi per bulan, bilangan bulat.",
        "20000",
    ),
    Column("satuan", "capacity_unit", False, "Satuan kapasitas (pcs, set, kg...).", "pcs"),
    Column(
        "jumlah_tenaga_kerja",
        "workforce",
        True,
        "Jumlah tenaga kerja, bilangan bulat.",
        "18",
    ),
    Column(
        "nilai_investasi",
        "investment_value",
        True,
        "Nilai investasi di luar tanah dan bangunan, dalam rupiah: 1500000000, "
        '1.500.000.000, "Rp 1,5 miliar", "1,5 M" (M = miliar), "250 juta", "250jt", '
        '"750 rb".',
        "Rp 850 juta",
    ),
    Column(
        "omzet_tahunan",
        "annual_revenue",
        False,
        "Omzet per tahun dalam rupiah, dengan format yang sama.",
        "1,8 M",
    ),
    Column(
        "tkdn_persen",
        "tkdn",
        False,
        "Nilai TKDN dalam persen, 0-100: 45,5 atau 45,5%.",
        "45,5",
    ),
    Column("nama_kontak", "contact_name", False, "Nama narahubung.", "Budi Santoso"),
    Column(
        "telepon",
        "contact_phone",
        False,
        "Nomor telepon: 08..., 62... atau +62... (disimpan sebagai +62...).",
        "0812-3456-7890",
    ),
    Column("email", "contact_email", False, "Alamat e-mail narahubung.", "budi@contoh.example"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)


class ImportFileError(ValidationError):
    """The whole file cannot be imported (unreadable, a required column missing...)."""

    def __init__(self, message):
        super().__init__(message)
        self.text = str(message)


def header_key(header: str, aliases: dict[str, str] | None = None) -> str:
    """Header matching: case-insensitive, trimmed, a trailing "*" dropped, spaces as "_";
    then ``aliases`` (another spelling → the template's column name)."""
    key = clean_text(header).lower().rstrip("*").strip()
    key = "_".join(key.replace("-", " ").split())
    return (aliases or {}).get(key, key)


def map_columns(
    headers: list[str],
    *,
    known=None,
    required=None,
    aliases: dict[str, str] | None = None,
) -> tuple[dict[str, int], list[str]]:
    """Template column → index in the row, and the warnings for ignored columns.
    Raises :class:`ImportFileError` when a required column is missing or one repeats.

    ``known``, ``required`` and ``aliases`` default to the IKM template's; another
    import (purchase orders) passes its own."""
    known = COLUMNS_BY_NAME if known is None else known
    required = REQUIRED_COLUMNS if required is None else required
    index: dict[str, int] = {}
    warnings = []
    for position, header in enumerate(headers):
        key = header_key(header, aliases)
        if not key or key == ERROR_COLUMN:
            continue  # an empty header, or the error workbook's own column
        if key not in known:
            warnings.append(str(COLUMN_UNKNOWN % {"column": header}))
            continue
        if key in index:
            raise ImportFileError(COLUMN_REPEATED % {"column": key})
        index[key] = position
    if not index:
        raise ImportFileError(FILE_NO_HEADER)
    missing = [name for name in required if name not in index]
    if missing:
        raise ImportFileError(COLUMNS_MISSING % {"columns": ", ".join(missing)})
    return index, warnings
