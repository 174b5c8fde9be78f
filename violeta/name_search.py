"""What a search for a woman looks for: whole words and prefixes of names, CURP, phone, folio.

The blind index (projections/views.py ``search_index``) holds, for every word of her name, the
keyed HMAC of the word itself and of each of its beginnings of at least ``PREFIX_MIN`` letters,
all under the same kind («nombre») and the same key, truncated to ``BLIND_INDEX_BITS``: a
prefix row and a whole-word row are indistinguishable in the file. A query word then finds
every name holding a word that starts with it; the candidates are confirmed by opening the
name in memory (see ``name_matches``). Why prefixes and what they leak: docs/search.md.
"""

from __future__ import annotations

import re

from domain import identity
from domain.errors import InvalidField

PREFIX_MIN = 3
RULE = "palabras completas o al menos tres letras del inicio"
RULE_HELP = (
    "Escriba nombre y apellidos (" + RULE + " de cada uno, p. ej. «Alej» para Alejandra), "
    "la CURP, el teléfono o el folio del expediente y pulse Enter."
)
TOO_SHORT = (
    "escriba al menos tres letras del inicio de un nombre o apellido (se busca por " + RULE + ")."
)
FOLIO = re.compile(r"^([A-Za-z]{2,10})-(\d{4})-(\d{1,6})$")


def index_terms(name: str) -> set[str]:
    """The normalized words of a name and their beginnings of PREFIX_MIN letters or more."""
    terms: set[str] = set()
    for word in identity.search_tokens(name):
        terms.add(word)
        terms.update(word[:length] for length in range(PREFIX_MIN, len(word)))
    return terms


def query_terms(text: str) -> list[str]:
    """The words of a name query; a query without a word of three letters is refused, since
    shorter beginnings are not indexed (a two-letter word is still matched whole)."""
    words = identity.search_tokens(text)
    if not any(len(word) >= PREFIX_MIN for word in words):
        raise InvalidField("Búsqueda", TOO_SHORT)
    return words


def name_matches(words: list[str], name: str) -> bool:
    """Every query word is a word of the name or, with three letters or more, begins one."""
    held = identity.search_tokens(name)
    return all(
        any(word == own or (len(word) >= PREFIX_MIN and own.startswith(word)) for own in held)
        for word in words
    )


def match_rank(words: list[str], name: str) -> int:
    """How closely a name found answers the query, for listing: 0 her full name as typed,
    1 every query word a whole word of her name, 2 some word only the beginning of one."""
    held = identity.search_tokens(name)
    if held == words:
        return 0
    return 1 if all(word in held for word in words) else 2


def folio(text: str) -> str | None:
    """A folio as typed (ctz-2026-479) in its stored form (CTZ-2026-00479), else None."""
    found = FOLIO.match(text.strip())
    if found is None:
        return None
    prefix, year, number = found.groups()
    return f"{prefix.upper()}-{year}-{int(number):05d}"
