"""Demo buyers, procurement needs, the YDBA MoU and the Link & Match event of 1 Nov 2022.

Yayasan Dharma Bhakti Astra is the real signatory of the MoU; the other three buyers, their
needs and all NIB (range 8120...) are invented.
"""

BUYERS: list[dict] = [
    {
        "key": "ydba",
        "name": "Yayasan Dharma Bhakti Astra",
        "kind": "yayasan",
        "group_name": "Astra",
        "brands": "",
        "regency": "31.72",
        "address": "Kawasan Sunter II, Jakarta Utara",
        "description": (
            "Yayasan milik Grup Astra yang membina usaha mikro, kecil dan menengah, termasuk IKM "
            "pemasok komponen otomotif, melalui pelatihan, pendampingan dan akses pasar ke rantai "
            "pasok Grup Astra."
        ),
        "nib": "8120000000011",
    },
    {
        "key": "apm",
        "name": "PT Garuda Motor Indonesia",
        "kind": "apm",
        "group_name": "Garuda Otomotif",
        "brands": "Garuda, GMX",
        "regency": "32.15",
        "address": "Jl. Surya Utama Kav. 21, Kawasan Industri Surya Cipta, Telukjambe Timur",
        "description": (
            "Agen pemegang merek sepeda motor (fiktif, untuk demo) dengan pabrik perakitan di "
            "Karawang; kapasitas sekitar 600 ribu unit per tahun untuk pasar domestik dan ekspor."
        ),
        "nib": "8120000000028",
    },
    {
        "key": "tier1",
        "name": "PT Mitra Komponen Otomotif",
        "kind": "tier1",
        "group_name": "Mitra Komponen",
        "brands": "",
        "regency": "32.16",
        "address": "Jl. Industri Selatan 5 Blok GG No. 3, Kawasan Jababeka, Cikarang Selatan",
        "description": (
            "Pemasok Tier-1 (fiktif, untuk demo) untuk sistem kelistrikan, interior dan komponen "
            "karet bagi APM roda dua dan roda empat."
        ),
        "nib": "8120000000035",
    },
    {
        "key": "tier2",
        "name": "PT Sinar Presisi Teknik",
        "kind": "tier2",
        "group_name": "",
        "brands": "",
        "regency": "36.03",
        "address": "Jl. Raya Cikupa-Pasar Kemis Km 4 No. 12, Desa Talaga, Cikupa",
        "description": (
            "Pemasok Tier-2 (fiktif, untuk demo) untuk komponen pemesinan dan stamping yang "
            "dirakit oleh pemasok Tier-1; membeli jasa pemesinan dan finishing dari IKM."
        ),
        "nib": "8120000000042",
    },
]

DEMANDS: list[dict] = [
    {
        "buyer": "apm",
        "title": "Tromol rem aluminium sepeda motor",
        "description": "tromol rem alumunium 60rb pcs/bln, ADC12, sdh machining. kirim plant Krw",
        "kbli": ["24320", "30912"],
        "processes": ["pengecoran", "pemesinan"],
        "required_certifications": ["ISO9001"],
        "preferred_certifications": ["IATF16949"],
        "quantity_per_month": 60000,
        "unit": "pcs",
        "annual_value": 52_200_000_000,
        "regency": None,
        "province": None,
        "min_tkdn": "40.00",
        "verified_only": True,
    },
    {
        "buyer": "apm",
        "title": "Bracket dan stay stamping untuk rangka sepeda motor",
        "description": (
            "PT Garuda Motor Indonesia membutuhkan pemasok komponen stamping untuk model skutik "
            "baru: bracket lampu depan, stay spakbor belakang dan dudukan footstep, total sekitar "
            "45.000 pcs per bulan. Material plat baja SPHC 2,0-3,2 mm, termasuk pengelasan titik "
            "dan pengecatan dasar (ED coating dapat disubkontrakkan). Pemasok wajib memiliki "
            "sistem mutu ISO 9001; sertifikat ISO 14001 menjadi nilai tambah. Pemasok di Jawa "
            "Barat diutamakan karena pengiriman harian (milk run) ke pabrik Karawang. Kontrak "
            "awal 12 bulan dengan evaluasi mutu per triwulan."
        ),
        "kbli": ["25910", "30912"],
        "processes": ["stamping", "pengelasan-fabrikasi", "pengecatan"],
        "required_certifications": ["ISO9001"],
        "preferred_certifications": ["ISO14001"],
        "quantity_per_month": 45000,
        "unit": "pcs",
        "annual_value": 9_990_000_000,
        "regency": None,
        "province": "32",
        "min_tkdn": None,
        "verified_only": True,
    },
    {
        "buyer": "tier1",
        "title": "Wire harness lampu belakang",
        "description": "wire harness lampu blkg 25rb set/bln, IATF wajib, lokasi Kab. Bekasi",
        "kbli": ["27320"],
        "processes": ["wire-harness"],
        "required_certifications": ["IATF16949"],
        "preferred_certifications": [],
        "quantity_per_month": 25000,
        "unit": "set",
        "annual_value": 12_600_000_000,
        "regency": "32.16",
        "province": "32",
        "min_tkdn": None,
        "verified_only": True,
    },
    {
        "buyer": "tier1",
        "title": "Komponen karet: grommet, seal dan karet peredam",
        "description": (
            "Kebutuhan rutin komponen karet cetak untuk perakitan sistem kelistrikan dan "
            "interior: grommet kabel, seal konektor dan karet peredam getaran, sekitar 120.000 "
            "pcs per bulan dalam 14 nomor part. Compound NBR dan EPDM sesuai gambar teknik "
            "pembeli; cetakan dapat disediakan pembeli untuk part tertentu. ISO 9001 wajib; "
            "IATF 16949 dan ISO 14001 diutamakan. IKM yang belum terverifikasi tetap dapat "
            "mengajukan penawaran dan akan diaudit sebelum uji sampel."
        ),
        "kbli": ["22192"],
        "processes": ["cetak-karet"],
        "required_certifications": ["ISO9001"],
        "preferred_certifications": ["IATF16949", "ISO14001"],
        "quantity_per_month": 120000,
        "unit": "pcs",
        "annual_value": 5_040_000_000,
        "regency": None,
        "province": None,
        "min_tkdn": "25.00",
        "verified_only": False,
    },
    {
        "buyer": "tier2",
        "title": "Jasa pemesinan CNC poros dan bushing",
        "description": (
            "Kami mencari mitra IKM di Kabupaten Tegal untuk pemesinan CNC poros dan bushing "
            "(diameter 12-40 mm, toleransi h7) dari baja S45C dan SCM440, termasuk pengerasan "
            "induksi. Volume sekitar 20.000 pcs per bulan, bahan baku dapat disediakan pembeli "
            "(sistem maklon). Sertifikat ISO 9001 diutamakan tetapi tidak wajib; pendampingan "
            "sistem mutu akan diberikan."
        ),
        "kbli": ["25920", "29300"],
        "processes": ["pemesinan", "perlakuan-panas"],
        "required_certifications": [],
        "preferred_certifications": ["ISO9001"],
        "quantity_per_month": 20000,
        "unit": "pcs",
        "annual_value": 6_600_000_000,
        "regency": "33.28",
        "province": "33",
        "min_tkdn": None,
        "verified_only": True,
    },
    {
        "buyer": "tier2",
        "title": "Powder coating dan zinc plating bracket",
        "description": "powder coating + zinc plating bracket, 80rb pcs/bln, Jabodetabek, @2,75rb",
        "kbli": ["25920"],
        "processes": ["pengecatan", "pelapisan-logam"],
        "required_certifications": [],
        "preferred_certifications": ["ISO14001"],
        "quantity_per_month": 80000,
        "unit": "pcs",
        "annual_value": 2_640_000_000,
        "regency": None,
        "province": None,
        "min_tkdn": None,
        "verified_only": False,
    },
]

MOU: dict = {
    "number": "001/YDBA/MoU/XI/2022",
    "title": (
        "Nota Kesepahaman tentang Kemitraan Inklusif Rantai Pasok antara Yayasan Dharma Bhakti "
        "Astra dan 32 Industri Kecil dan Menengah Alat Angkut"
    ),
    "purpose": (
        "Memberikan kepastian akses pasar bagi 32 IKM alat angkut sebagai pemasok komponen "
        "kendaraan bermotor dengan nilai komitmen sekitar Rp100 miliar per tahun. YDBA melakukan "
        "pendampingan melekat untuk peningkatan mutu, sistem manajemen, sumber daya manusia dan "
        "alih teknologi, serta memfasilitasi akses pembiayaan dari lembaga keuangan. Pelaksanaan "
        "pembelian dituangkan dalam pesanan pembelian (purchase order) atau perjanjian kerja sama "
        "tersendiri."
    ),
    "signing_date": "2022-11-01",
    "signing_place": "Kementerian Perindustrian, Jakarta",
    "valid_from": "2022-11-01",
    "valid_until": "2027-10-31",
    "partnership_pattern": "rantai_pasok",
}

EVENT: dict = {
    "name": "Exhibition Link & Match IKM Alat Angkut dengan Tier APM dan Industri Besar",
    "kind": "exhibition",
    "sector": "Alat angkut (transportasi)",
    "start_date": "2022-11-01",
    "end_date": "2022-11-01",
    "venue": "Kementerian Perindustrian",
    "city": "Jakarta",
    "description": (
        "Pameran dan temu bisnis yang mempertemukan IKM alat angkut dengan pemasok Tier APM dan "
        "industri besar dalam program Kemitraan Inklusif Closed-Loop KADIN Indonesia dan "
        "Kementerian Perindustrian. Pada acara ini ditandatangani nota kesepahaman antara "
        "Yayasan Dharma Bhakti Astra dan 32 IKM dengan akses pasar sekitar Rp100 miliar per "
        "tahun, 10 akad kredit senilai Rp24 miliar dari Bank Mandiri, Bank Sinarmas, SANF, AMV "
        "dan BRI, serta 24 akad lain senilai Rp82 miliar dalam proses."
    ),
}

assert [b["key"] for b in BUYERS] == ["ydba", "apm", "tier1", "tier2"]
assert len(DEMANDS) == 6
assert all(d["buyer"] in {"apm", "tier1", "tier2"} for d in DEMANDS)
assert all(d["annual_value"] > 0 for d in DEMANDS)
assert all(
    d["regency"] is None or d["province"] is None or d["regency"][:2] == d["province"]
    for d in DEMANDS
)
