"""Names and words of the generated world. Every name says it is an example ("Contoh", "contoh"),
so nothing generated can pass for a real region, agency, innovation or document."""

from __future__ import annotations

import random

# Two-digit province codes that Kemendagri does not use (the real ones are 11–19, 31–36, 51–53,
# 61–65, 71–76, 81–82, 91–97): a generated region can never take a real region's code.
UNUSED_PROVINCE_CODES = (
    *range(20, 31),
    *range(37, 51),
    *range(54, 61),
    *range(66, 71),
    *range(77, 81),
    *range(83, 91),
    98,
    99,
)

# (code, short name, name, parent code): the usual OPD of a region; units (UPTD) name a parent.
AGENCY_TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("BKD", "BKD", "Badan Keuangan Daerah", ""),
    ("DPMPTSP", "DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", ""),
    ("DISDUKCAPIL", "Disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", ""),
    ("DIKBUD", "Dikbud", "Dinas Pendidikan dan Kebudayaan", ""),
    ("DISKOMINFOS", "Diskominfos", "Dinas Komunikasi, Informatika dan Statistik", ""),
    ("DINKES", "Dinkes", "Dinas Kesehatan", ""),
    ("BKPSDM", "BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", ""),
    ("DISTAN", "Distan", "Dinas Pertanian", ""),
    ("DPMD", "DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", ""),
    ("BAPPEDA", "Bappeda", "Badan Perencanaan Pembangunan Daerah", ""),
    ("PUPR", "PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", ""),
    ("DINSOS", "Dinsos", "Dinas Sosial", ""),
    ("DISHUB", "Dishub", "Dinas Perhubungan", ""),
    ("DLH", "DLH", "Dinas Lingkungan Hidup", ""),
    ("RSUD", "RSUD", "Rumah Sakit Umum Daerah", ""),
    ("SATPOLPP", "Satpol PP", "Satuan Polisi Pamong Praja", ""),
    ("DISPAR", "Dispar", "Dinas Pariwisata", ""),
    ("PERKIM", "Perkim", "Dinas Perumahan dan Kawasan Permukiman", ""),
    ("DISNAKER", "Disnaker", "Dinas Tenaga Kerja", ""),
    ("DKP", "DKP", "Dinas Kelautan dan Perikanan", ""),
    ("DISPERINDAG", "Disperindag", "Dinas Perindustrian dan Perdagangan", ""),
    ("DINKOP", "Dinkop UKM", "Dinas Koperasi dan Usaha Kecil Menengah", ""),
    ("DP3A", "DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", ""),
    ("DALDUKKB", "Dalduk KB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", ""),
    ("DISPORA", "Dispora", "Dinas Pemuda dan Olahraga", ""),
    ("DISPUSIP", "Dispusip", "Dinas Perpustakaan dan Kearsipan", ""),
    ("DKPP", "DKPP", "Dinas Ketahanan Pangan", ""),
    ("BPBD", "BPBD", "Badan Penanggulangan Bencana Daerah", ""),
    ("KESBANGPOL", "Kesbangpol", "Badan Kesatuan Bangsa dan Politik", ""),
    ("INSPEKTORAT", "Inspektorat", "Inspektorat Daerah", ""),
    ("BAPENDA", "Bapenda", "Badan Pendapatan Daerah", ""),
    ("SETDA", "Setda", "Sekretariat Daerah", ""),
    ("PKM-1", "PKM Contoh I", "UPTD Puskesmas Contoh I", "DINKES"),
    ("PKM-2", "PKM Contoh II", "UPTD Puskesmas Contoh II", "DINKES"),
    ("SETWAN", "Setwan", "Sekretariat DPRD", ""),
    ("DAMKAR", "Damkar", "Dinas Pemadam Kebakaran dan Penyelamatan", ""),
)

# The desk agencies of the e-tracking presets.
DESK_PRESETS = {"BKD": "bkd_spm", "DPMPTSP": "dpmptsp_permit"}
# The coordinating agency is not appointed to implement an innovation of its own.
COORDINATOR = "DISKOMINFOS"

ACCOUNT_DOMAIN = "contoh.pujaindah.id"
FILE_NUMBER_PREFIX = "CONTOH/"
INNOVATION_PREFIX = "Inovasi Contoh "
# Links of generated documents point to the domain reserved for examples (RFC 2606).
EXAMPLE_LINK = "https://example.org/puja-indah-contoh/"
GENERATED_NOTE = "Data contoh buatan generator skala PUJA INDAH, bukan data nyata."

_PREFIXES = (
    "Layanan",
    "Sistem Informasi",
    "Aplikasi",
    "Gerakan",
    "Program",
    "Pojok",
    "Klinik",
    "Sekolah",
    "Rumah",
    "Jemput Bola",
    "Kartu",
    "Portal",
    "Dasbor",
    "Pusat",
    "Gerai",
)
_TOPICS = (
    "Pajak Daerah",
    "Perizinan Usaha",
    "Kesehatan Ibu dan Anak",
    "Gizi Balita",
    "Air Bersih",
    "Administrasi Kependudukan",
    "Arsip Digital",
    "Pengaduan Warga",
    "Pertanian Organik",
    "Nelayan Sejahtera",
    "UMKM Naik Kelas",
    "Literasi Anak",
    "Sanitasi Desa",
    "Pangan Lokal",
    "Pencairan Anggaran",
    "Kepegawaian",
    "Transportasi Desa",
    "Bank Sampah",
    "Tanggap Bencana",
    "Pariwisata Desa",
    "Data Statistik",
    "Keuangan Desa",
    "Imunisasi",
    "Layanan Lansia",
    "Ketertiban Umum",
)
_SUFFIXES = (
    "Terpadu",
    "Daring",
    "Keliling",
    "Cepat",
    "Satu Pintu",
    "Berbasis Desa",
    "Digital",
    "Ramah Anak",
    "Mandiri",
    "Bersama",
)
# Filler words for the long texts (rancang bangun, goals, benefits): readable Indonesian words in
# random order, so the texts have realistic length and search has words to find.
_WORD_TEXT = (
    "layanan masyarakat daerah inovasi pelayanan publik data warga desa kecamatan kabupaten "
    "aplikasi digital proses waktu biaya mudah cepat transparan akuntabel petugas kantor dinas "
    "badan laporan evaluasi pemantauan kegiatan anggaran program sasaran manfaat hasil dampak "
    "peningkatan penurunan antrian berkas dokumen persyaratan formulir pengaduan tindak lanjut "
    "koordinasi kerja sama pemangku kepentingan kader posyandu sekolah guru siswa orang tua "
    "petani nelayan pelaku usaha kecil menengah pasar harga pangan air bersih sanitasi "
    "kesehatan ibu anak gizi imunisasi lansia disabilitas perempuan pemuda olahraga budaya "
    "pariwisata lingkungan sampah daur ulang energi jalan jembatan transportasi informasi "
    "sosialisasi pelatihan pendampingan regulasi peraturan keputusan standar operasional "
    "prosedur indikator kinerja target capaian kualitas kepuasan survei umpan balik"
)
WORDS = tuple(_WORD_TEXT.split())
MILESTONE_TITLES = (
    "Rapat koordinasi",
    "Penyusunan rancangan",
    "Penetapan surat keputusan",
    "Sosialisasi kepada warga",
    "Pelatihan petugas",
    "Uji coba terbatas",
    "Evaluasi uji coba",
    "Penerapan di seluruh kecamatan",
    "Pemantauan dan evaluasi",
    "Laporan capaian",
)
DOCUMENT_KINDS = (
    "Surat keputusan penetapan inovasi",
    "Surat tugas tim pelaksana",
    "Dokumen anggaran",
    "Foto alat kerja",
    "Daftar hadir bimbingan teknis",
    "Kutipan RKPD",
    "Nota kesepahaman",
    "Laporan sosialisasi",
    "Pedoman teknis",
    "Tangkapan layar kanal informasi",
    "SOP layanan",
    "Rekapitulasi pengaduan",
    "Laporan pemantauan dan evaluasi",
    "Video inovasi",
)


def innovation_name(number: int, rng: random.Random) -> str:
    return (
        f"{INNOVATION_PREFIX}{number:05d}: {rng.choice(_PREFIXES)} {rng.choice(_TOPICS)}"
        f" {rng.choice(_SUFFIXES)}"
    )


def words(rng: random.Random, count: int) -> str:
    """`count` filler words as sentences of 8–14 words."""
    chosen = rng.choices(WORDS, k=count)
    out: list[str] = []
    index = 0
    while index < count:
        length = min(rng.randint(8, 14), count - index)
        sentence = chosen[index : index + length]
        out.append(" ".join(sentence).capitalize() + ".")
        index += length
    return " ".join(out)


def region_name(kind: str, number: int) -> str:
    label = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota"}[kind]
    return f"{label} Contoh {number:04d}"


def agency_name(name: str) -> str:
    return f"{name} (contoh)"
