"""The NIK (Nomor Induk Kependudukan), checked without the database (DOMAIN §4).

16 digits: province (1–2), regency/city (3–4), district (5–6), birth date DDMMYY (7–12; women
add 40 to the day), serial (13–16). The region digits are where the NIK was issued, not where the
person lives now.

Century of the birth year: the NIK keeps only YY. We read it as 20YY when that year is not later
than the year of `today` (the registration date), else 19YY. So a date later this year is refused
as "in the future" — on a desk that is a typo far more often than a resident aged 99 born in the
remaining weeks of the year, and the desk can still correct the NIK with the resident.

Everything here is pure: `check` returns a `NikProblem` (a code and its values) or `NikFacts`;
`message` turns a problem into the user's language.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

NIK_LENGTH = 16
MASK_CHAR = "•"

# Kemendagri province codes as of 2025: 38 provinces, the four Papua provinces formed in 2022
# are 93 (Papua Selatan), 94 (Papua Tengah), 95 (Papua Pegunungan), 96 (Papua Barat Daya).
# No province carries 97. NIKs issued before a split keep the old province's code, which is in
# the list anyway (a NIK is never re-numbered when its region is split).
PROVINCE_CODES = frozenset(
    {
        *(f"{n}" for n in range(11, 20)),  # Aceh … Kepulauan Bangka Belitung
        "21",  # Kepulauan Riau
        *(f"{n}" for n in range(31, 37)),  # DKI Jakarta … Banten
        "51",
        "52",
        "53",  # Bali, NTB, NTT
        *(f"{n}" for n in range(61, 66)),  # Kalimantan Barat … Kalimantan Utara
        *(f"{n}" for n in range(71, 77)),  # Sulawesi Utara … Sulawesi Barat
        "81",
        "82",  # Maluku, Maluku Utara
        *(f"{n}" for n in range(91, 97)),  # Papua, Papua Barat, and the four of 2022
    }
)


@dataclass(frozen=True)
class NikProblem:
    """Why a NIK is refused: a stable code (tests, fields) and the values its message shows."""

    code: str
    values: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class NikFacts:
    nik: str
    region: str  # "7406": province and regency/city
    district: str  # "740601"
    birth_date: date
    female: bool


def normalise(raw: str) -> str:
    """Spaces, dots and hyphens people type to group the digits are dropped; nothing else."""
    return "".join(ch for ch in raw if ch not in " \t.-")


def check(raw: str, today: date) -> NikFacts | NikProblem:
    nik = normalise(raw)
    if not nik:
        return NikProblem("empty")
    stray = next((ch for ch in nik if not ("0" <= ch <= "9")), None)
    if stray is not None:
        return NikProblem("not_digits", {"char": stray})
    if len(nik) != NIK_LENGTH:
        return NikProblem("length", {"count": len(nik)})
    if nik[0:2] not in PROVINCE_CODES:
        return NikProblem("province", {"code": nik[0:2]})
    if nik[2:4] == "00":
        return NikProblem("regency")
    if nik[4:6] == "00":
        return NikProblem("district")
    raw_day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = raw_day > 40
    day = raw_day - 40 if female else raw_day
    if not 1 <= day <= 31:  # 00, 32–40 and 72–99
        return NikProblem("day", {"day": nik[6:8]})
    if not 1 <= month <= 12:
        return NikProblem("month", {"month": nik[8:10]})
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    if day > calendar.monthrange(year, month)[1]:
        shown = f"{day:02d}-{month:02d}"
        if month == 2 and day == 29:
            shown = f"{shown}-{year}"  # exists only in leap years: say which year was meant
        return NikProblem("date", {"date": shown})
    born = date(year, month, day)
    if born > today:
        return NikProblem("future", {"date": born.strftime("%d-%m-%Y")})
    if nik[12:16] == "0000":
        return NikProblem("serial")
    return NikFacts(nik=nik, region=nik[0:4], district=nik[0:6], birth_date=born, female=female)


def region_differs(nik: str, region_code: str) -> bool:
    """True when a valid NIK was issued outside the desk's regency ("74.06" → "7406"). A warning
    only: people move, and their NIK keeps the region where it was first issued."""
    wanted = region_code.replace(".", "")
    return len(wanted) == 4 and wanted.isdigit() and nik[0:4] != wanted


def mask(nik: str) -> str:
    """ "7406••••••••0001": region and serial only. Anything that is not a 16-digit NIK is masked
    whole, so a malformed value never leaks more than a well-formed one."""
    if len(nik) == NIK_LENGTH and nik.isascii() and nik.isdigit():
        return nik[:4] + MASK_CHAR * 8 + nik[12:]
    return MASK_CHAR * NIK_LENGTH


def message(problem: NikProblem) -> str:
    """The problem in the user's language (Flask-Babel; English outside a request)."""
    from flask_babel import gettext as _

    v = problem.values
    texts = {
        "empty": lambda: _("Enter the NIK."),
        "not_digits": lambda: _(
            "The NIK may contain digits only (found “%(char)s”).", char=v.get("char", "")
        ),
        "length": lambda: _("The NIK must have 16 digits (you typed %(count)s).", count=v["count"]),
        "province": lambda: _(
            "The province code in the NIK (digits 1–2: %(code)s) is not an Indonesian province.",
            code=v["code"],
        ),
        "regency": lambda: _("The regency/city code in the NIK (digits 3–4) cannot be 00."),
        "district": lambda: _("The district code in the NIK (digits 5–6) cannot be 00."),
        "day": lambda: _(
            "The birth day in the NIK is not valid: %(day)s (digits 7–8 are 01–31, or 41–71 for"
            " women).",
            day=v["day"],
        ),
        "month": lambda: _(
            "The birth month in the NIK is not valid: %(month)s (digits 9–10 are 01–12).",
            month=v["month"],
        ),
        "date": lambda: _("The birth date in the NIK is not valid: %(date)s.", date=v["date"]),
        "future": lambda: _(
            "The birth date in the NIK is in the future: %(date)s.", date=v["date"]
        ),
        "serial": lambda: _("The serial number in the NIK (digits 13–16) cannot be 0000."),
    }
    return str(texts[problem.code]())
