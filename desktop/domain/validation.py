"""Shared input rules with messages a clinician understands.

Services validate every value before it reaches the database: the database's own limits
(PostgreSQL VARCHAR lengths, NUL bytes refused by PostgreSQL text, non-UTF-8 text) would otherwise
surface as driver errors. Collect several field problems with :class:`FieldErrors` so a form can show
them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from desktop.domain.dto import MAX_PAGE_SIZE
from desktop.domain.enums import BLOOD_TYPES, RecordStatus
from desktop.domain.errors import ValidationError

EMAIL_MAX = 320
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
#: Control characters are refused except tab / newline in multi-line fields (notes).
_ALLOWED_CONTROL_MULTILINE = {"\n", "\t", "\r"}
MIN_YEAR, MAX_YEAR = 1900, 2100


class FieldErrors:
    """Collects per-field messages; :meth:`raise_if_any` raises one ValidationError listing them."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def check(self, field: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run ``func``; a ValidationError it raises is recorded under ``field`` and None returned."""
        try:
            return func(*args, **kwargs)
        except ValidationError as error:
            self.add(field, error.message)
            return None

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(" ".join(self.fields.values()), self.fields)


def normalise_email(value: object) -> str:
    """Trimmed, lower-cased e-mail; raises ValidationError when it does not look like one."""
    if not isinstance(value, str):
        raise ValidationError("Enter an e-mail address.", {"email": "Enter an e-mail address."})
    email = value.strip().lower()
    if not email:
        raise ValidationError("Enter an e-mail address.", {"email": "Enter an e-mail address."})
    if len(email) > EMAIL_MAX or not _EMAIL.match(email) or not _is_clean(email, multiline=False):
        message = "This does not look like an e-mail address (for example name@clinic.org)."
        raise ValidationError(message, {"email": message})
    return email


def text(
    value: object, label: str, *, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    """Trimmed text no longer than ``max_length`` characters, without control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text.")
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationError(f"{label} is required.")
    if len(cleaned) > max_length:
        raise ValidationError(
            f"{label} is too long: at most {max_length} characters (this has {len(cleaned)})."
        )
    if not _is_clean(cleaned, multiline=multiline):
        raise ValidationError(
            f"{label} contains characters that cannot be stored (control or invalid characters)."
        )
    return cleaned


def storable(value: object) -> str:
    """``value`` as text any database accepts (control characters and lone surrogates removed): for
    values that are looked up or logged rather than validated, such as a typed-in sign-in e-mail."""
    if not isinstance(value, str):
        return ""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")


def is_clean(value: object) -> bool:
    """True for single-line text every database stores as given."""
    return isinstance(value, str) and _is_clean(value, multiline=False)


def _is_clean(value: str, *, multiline: bool) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    for char in value:
        if unicodedata.category(char) == "Cc" and not (multiline and char in _ALLOWED_CONTROL_MULTILINE):
            return False
    return True


def integer(value: object, label: str, *, minimum: int, maximum: int, optional: bool = False) -> int | None:
    """A whole number in [minimum, maximum]; None allowed only when ``optional``."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValidationError(f"{label} must be a whole number.")
    if not minimum <= value <= maximum:
        raise ValidationError(f"{label} must be between {minimum} and {maximum}.")
    return value


def iso_date(value: object, label: str = "Date") -> str:
    """A calendar date as ``YYYY-MM-DD`` (accepts a ``datetime.date`` or that string)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(f"{label} must be a date like 2024-03-31.") from None
        if len(value.strip()) != 10:
            raise ValidationError(f"{label} must be a date like 2024-03-31.")
    else:
        raise ValidationError(f"{label} must be a date like 2024-03-31.")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(f"{label} must be between {MIN_YEAR} and {MAX_YEAR}.")
    return day.isoformat()


def record_status(value: object) -> RecordStatus:
    """One of the documented record statuses."""
    try:
        return RecordStatus(value)  # type: ignore[arg-type]  # anything else raises ValueError
    except ValueError:
        allowed = ", ".join(s.value for s in RecordStatus)
        raise ValidationError(f"Status must be one of: {allowed}.") from None


def blood_type(value: object) -> str:
    """One of the eight ABO/Rh blood types, or "" when it is not known (never a made-up default)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, str) and value.strip().upper() in BLOOD_TYPES:
        return value.strip().upper()
    raise ValidationError(f"Blood type must be one of: {', '.join(BLOOD_TYPES)}.")


def page(offset: object, limit: object) -> tuple[int, int]:
    """Checked (offset, limit) of a paged query."""
    off = integer(offset, "The page start", minimum=0, maximum=2**31 - 1)
    lim = integer(limit, "The page size", minimum=1, maximum=MAX_PAGE_SIZE)
    assert off is not None and lim is not None
    return off, lim


def choice(value: object, allowed: tuple[str, ...], label: str) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    raise ValidationError(f"{label} must be one of: {', '.join(allowed)}.")
