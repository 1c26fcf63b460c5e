"""Patient identity rules, Qt-free and SQL-free: search keys, dates of birth, ages, MRNs, names.

The search keys are derived from the name and the phone number and stored beside them, so a search
as you type is a plain indexed comparison instead of folding every row at query time:

* ``name_key``: the name's words (family name first when known), accents removed and case folded,
  each preceded by one space (" garcia maria jose"), so "mar gar" finds the row by matching word
  starts in any order, and the list sorts by it;
* ``phone_key``: the phone number's digits only.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from desktop.domain.errors import ValidationError

MRN_MAX = 20
MRN_DIGITS = 6
NAME_MAX = 100
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MRN = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./ -](\d{1,2}|[A-Za-z]{3})[A-Za-z]*[./ -](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def fold(text: str) -> str:
    """``text`` without accents, case folded ("Ñúñez" -> "nunez")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_words(text: str) -> list[str]:
    """The folded words of a name or a search text."""
    return _WORD.findall(fold(text))


def name_key(name: str | None) -> str:
    """The stored search key of a name: each folded word preceded by a space."""
    return "".join(f" {word}" for word in name_words(name or ""))[:200]


def sort_key(name: str | None, family_name: str | None, given_names: str | None) -> str:
    """The stored ``name_key``: family name first when it is known, so the list reads in family-name
    order (the words match in any order either way)."""
    if family_name:
        return name_key(f"{family_name} {given_names or ''}")
    return name_key(name)


def phone_key(phone: str | None) -> str:
    """The digits of a phone number (what a search by phone compares)."""
    return "".join(ch for ch in (phone or "") if ch.isdigit())[:40]


PHONE_TOKEN = "#"
#: Leading digits a phone search may skip (a country code of up to three digits).
PHONE_SKIP = 3
MIN_PHONE_TOKEN = 4


def search_tokens(name_key_value: str, phone_key_value: str) -> set[str]:
    """The words a patient can be found by, for the indexed token table: each name word, and the
    phone digits from the start and without up to three leading digits (so "629 287" finds
    "+34 629 287 123"), marked with "#" so they never match a name."""
    tokens = {word[:40] for word in name_key_value.split()}
    for skip in range(PHONE_SKIP + 1):
        digits = phone_key_value[skip:]
        if len(digits) >= MIN_PHONE_TOKEN:
            tokens.add(f"{PHONE_TOKEN}{digits}"[:40])
    return tokens


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string after every string starting with ``prefix`` (for an indexed range)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def parse_date(text: str) -> dt.date | None:
    """A typed date of birth: ISO (1945-07-14), day first (14/07/1945, 14.7.1945) or with the month's
    name (14-Jul-1945, 14 July 1945); None when ``text`` is not one of these. Day first because the
    month-first form is ambiguous and the clinic's screens show day, month name, year."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.match(text):
        day_s, month_s, year_s = match.groups()
        if month_s.isdigit():
            month = int(month_s)
        elif month_s[:3].lower() in _MONTHS:
            month = _MONTHS.index(month_s[:3].lower()) + 1
        else:
            return None
        day, year = int(day_s), int(year_s)
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_of_birth(value: object, today: dt.date) -> dt.date | None:
    """A checked date of birth (None allowed: not known); not in the future, not before 1900."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    day = value if isinstance(value, dt.date) else parse_date(value) if isinstance(value, str) else None
    if day is None:
        raise ValidationError("Date of birth must be a date like 1945-07-14 or 14/07/1945.")
    if day > today:
        raise ValidationError("Date of birth cannot be in the future.")
    if day.year < 1900:
        raise ValidationError("Date of birth must be after 1900.")
    return day


def age_on(born: dt.date, today: dt.date) -> int:
    """Completed years between ``born`` and ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def normalise_mrn(value: object) -> str:
    """An MRN as stored: trimmed, upper case, letters, digits and dashes, at most 20 characters."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("Enter the medical record number (MRN).")
    mrn = value.strip().upper()
    if len(mrn) > MRN_MAX or not _MRN.match(mrn):
        raise ValidationError(
            f"The MRN may hold letters, digits and dashes, at most {MRN_MAX} characters (e.g. 000123)."
        )
    return mrn


def format_mrn(number: int) -> str:
    """A generated MRN: the number zero-padded to six digits ("000123")."""
    return f"{number:0{MRN_DIGITS}d}"


def split_name(name: str) -> tuple[str | None, str]:
    """(family name, given names) from "FAMILY, Given" (family name stated); otherwise the family name
    is unknown (None) and the whole text is kept as given: a guess at which word is the family name
    would be a made-up value on the banner."""
    if "," in name:
        family, given = name.split(",", 1)
        if family.strip():
            return family.strip(), given.strip()
    return None, name.strip()


def full_name(family_name: str | None, given_names: str) -> str:
    """The single ``name`` column kept for the web version's layout: "Given Family"."""
    return " ".join(part for part in (given_names.strip(), (family_name or "").strip()) if part)
