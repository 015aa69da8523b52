"""The e-minduk service module as the registry sees it (ARCHITECTURE §4, DOMAIN §4).

Disdukcapil's desk registers residents' requests for population documents (KTP-el, KK, akta
kelahiran, akta kematian, pindah-datang) as e-tracking files of the preset "Layanan
administrasi kependudukan" (stages, SLAs, public code, history are the engine's), with the NIK
checked digit by digit (nik.py), and hands completed requests to the national registry operator
in batches (CSV).

NIK policy (core/permissions.py, `can_see_full_nik`): the full NIK is shown to, and the hand-over
CSV downloaded by, the staff who work the desk of the agency holding the request — its officers
and its lead. Everyone else (monitors, reviewers, administrators) sees it masked as
7406••••••••0001. The audit trail records the NIK and phone as "[disembunyikan]"; the public
status page and the submitter's views never carry them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from puja_indah.core.registry import ServiceModule
from puja_indah.modules.eminduk.views import bp
from puja_indah.modules.etracking import engine

PRESETS_FILE = Path(__file__).parent / "data" / "presets.yaml"
engine.add_presets(PRESETS_FILE)


class EmindukModule(ServiceModule):
    code = "eminduk"
    name: ClassVar[Any] = _l("e-Minduk (civil-registration requests)")
    description: ClassVar[Any] = _l(
        "Residents' requests for KTP-el, KK, birth and death certificates and change of address,"
        " tracked through the desk's stages with the NIK checked, and handed over to the"
        " national registry operator in batches."
    )
    requires: ClassVar[tuple[str, ...]] = ("etracking",)
    blueprint: ClassVar[Blueprint | None] = bp
    url_prefix: ClassVar[str | None] = "/m/eminduk"
