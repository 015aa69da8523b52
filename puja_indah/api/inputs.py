"""Fields of the API's JSON bodies that clean and check text the way the web forms' filters and
validators do (NUL dropped, `strip`, `collapse`, `max_length`, the web-address checks), so a
value saved through the API is the value the same typing in the form would have saved. Their
messages are the forms' own msgids, already translated."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from puja_indah.core.forms import without_nul


def max_length(size: int) -> Callable[[str], None]:
    def check(value: str) -> None:
        if len(value) > size:
            raise ValidationError(_("Use at most %(max)d characters.", max=size))

    return check


def web_address(*, require_tld: bool = True) -> Callable[[str], None]:
    """Empty, or an http(s) address with a host (and, like WTForms' URL(), a dotted one)."""

    def check(value: str) -> None:
        if not value:
            return
        if not value.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Start the address with https:// or http://."))
        host = urlsplit(value).hostname or ""
        if not host or (require_tld and "." not in host.strip(".")) or " " in value:
            raise ValidationError(_("Enter a valid web address."))

    return check


class Text(fields.String):
    """Free text, trimmed at both ends (the forms' `strip` filter), at most `size` characters."""

    def __init__(self, size: int, **kwargs: Any) -> None:
        validators = [max_length(size), *kwargs.pop("validators", [])]
        metadata = {"maxLength": size, **kwargs.pop("metadata", {})}
        super().__init__(validate=validators, metadata=metadata, **kwargs)

    def _clean(self, value: str) -> str:
        return value.strip()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return self._clean(without_nul(text))


class Line(Text):
    """One line (a name, a title): inner runs of whitespace collapsed (the `collapse` filter)."""

    def _clean(self, value: str) -> str:
        return " ".join(value.split())


class WebAddress(Text):
    """An http(s) address or the empty string."""

    def __init__(self, size: int = 500, *, require_tld: bool = True, **kwargs: Any) -> None:
        super().__init__(size, validators=[web_address(require_tld=require_tld)], **kwargs)


# NUMERIC(18, 2): up to 16 digits before the point, at most two after; never negative.
RUPIAH_PATTERN = r"^[0-9]{1,16}(\.[0-9]{1,2})?$"


class Rupiah(fields.Decimal):
    """A rupiah amount as an exact decimal string ("1500000.50"), never a JSON number: a float
    cannot hold every sen. Documented as a string with its pattern."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "format": "decimal",
            "pattern": RUPIAH_PATTERN,
            "example": "1500000.50",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(as_string=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not re.fullmatch(RUPIAH_PATTERN, value):
            raise ValidationError(_('Enter the amount in rupiah as text, e.g. "1500000.50".'))
        return super()._deserialize(value, attr, data, **kwargs)
