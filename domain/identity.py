"""Validation of plaintext input before it is sealed.

These functions run in the application service on what staff typed; the aggregates only ever
receive the sealed result. Every rejection names the field in Spanish and never echoes the
value back (it may be personal data that would end up in a log).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidField

NAME_MAX = 120
SHORT_TEXT_MAX = 300
NARRATIVE_MAX = 4000

_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
_CURP_PATTERN = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX]"
    r"(AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE)"
    r"[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d$"
)
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def _has_control_characters(text: str, *, allow_newlines: bool) -> bool:
    allowed = {"\n", "\t"} if allow_newlines else set()
    # isprintable() is False for every "Other" character (and for separators other than the
    # space), so the usual text is answered in C without a lookup per character.
    visible = text.replace("\n", "").replace("\t", "") if allow_newlines else text
    if visible.isprintable():
        return False
    return any(unicodedata.category(ch) in _CONTROL_CATEGORIES and ch not in allowed for ch in text)


def free_text(field: str, value: str, *, max_length: int, required: bool = True) -> str:
    """Narratives, notes, reasons: trimmed, bounded, no control characters."""
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        if required:
            raise InvalidField(field, "es obligatorio.")
        return ""
    if len(text) > max_length:
        raise InvalidField(field, f"admite como máximo {max_length} caracteres ({len(text)}).")
    if _has_control_characters(text, allow_newlines=max_length > SHORT_TEXT_MAX):
        raise InvalidField(field, "contiene caracteres de control no permitidos.")
    return text


def person_name(field: str, value: str) -> str:
    text = " ".join(free_text(field, value, max_length=NAME_MAX).split())
    if len(text) < 2 or not _NAME_PATTERN.match(text):
        raise InvalidField(field, "solo admite letras, espacios, apóstrofo, punto y guion.")
    return text


def curp(value: str) -> str | None:
    """A CURP is optional; when given it must be well formed and its check digit must match."""
    text = value.strip().upper()
    if not text:
        return None
    if _has_control_characters(text, allow_newlines=False) or not _CURP_PATTERN.match(text):
        raise InvalidField("CURP", "no tiene el formato de 18 caracteres de la CURP.")
    total = sum(_CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(text[:17]))
    if (10 - total % 10) % 10 != int(text[17]):
        raise InvalidField("CURP", "el dígito verificador no corresponde.")
    return text


def curp_check_digit(first17: str) -> str:
    """The 18th character of a CURP; used to build valid synthetic CURPs for demo and tests."""
    total = sum(_CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(first17))
    return str((10 - total % 10) % 10)


def phone(value: str) -> str | None:
    """Mexican 10-digit phone; spaces, dashes, dots and parentheses are ignored."""
    text = value.strip()
    if not text:
        return None
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+52"):
        digits = digits[3:]
    if not digits.isascii() or not digits.isdigit() or len(digits) != 10:
        raise InvalidField("Teléfono", "debe tener 10 dígitos.")
    return digits


def parse_date(field: str, value: str) -> date:
    """Dates are typed as dd/mm/aaaa, the way staff write them."""
    text = value.strip()
    if not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
        raise InvalidField(field, "use el formato dd/mm/aaaa.")
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date, no time
    except ValueError:
        raise InvalidField(field, "no es una fecha válida del calendario.") from None


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class BirthDate:
    value: date
    age: int

    @classmethod
    def parse(cls, text: str, today: date) -> BirthDate:
        birth = parse_date("Fecha de nacimiento", text)
        if birth > today:
            raise InvalidField("Fecha de nacimiento", "no puede ser posterior a hoy.")
        age = age_on(birth, today)
        if age > 110:
            raise InvalidField("Fecha de nacimiento", "la edad resultante no es verosímil.")
        return cls(birth, age)


def normalize_for_search(text: str) -> str:
    """Casefolded, accentless, single-spaced: the form blind-index tokens are computed from."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", stripped).split())


def search_tokens(text: str) -> list[str]:
    return [token for token in normalize_for_search(text).split() if len(token) >= 2]
