"""One damaged record blocks only itself: the message names its folio where the views know it.

The event store cannot tell which case an aggregate belongs to without decrypting it, and an
altered event does not decrypt; the views can (case ids and client ids to folios, in clear).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass

from domain.errors import DomainError
from projections.quarantine import folios_of
from projections.storage import ViewStore
from violeta.errors import TamperedRecord


@contextmanager
def naming_the_folio(views: ViewStore) -> Iterator[None]:
    """Turns a TamperedRecord raised inside into one that names its record's folios."""
    try:
        yield
    except TamperedRecord as error:
        if error.folios or error.record_id is None:
            raise
        try:
            folios = tuple(folios_of(views, [str(error.record_id)]))
        except Exception:
            raise error from None
        raise TamperedRecord(error.record_id, folios) from None


INVALID_TEXT = (
    "El texto escrito contiene caracteres que no son texto válido (un carácter nulo o la "
    "mitad de un carácter, como deja un copiado dañado); revíselo y escríbalo de nuevo. "
    "No se guardó nada."
)


def check_typed_text(arguments: dict[str, object]) -> None:
    """Refuses, before a command runs, any text argument (also inside a form, a list or a
    table) that no storage can hold as text: a lone surrogate (not encodable as UTF-8) or a
    NUL character. Every other rule on text is the command's own (free_text and the like)."""
    for value in arguments.values():
        if not _storable(value):
            raise DomainError(INVALID_TEXT)


def _storable(value: object, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" not in value and _encodable(value)
    if depth > 3:
        return True
    items: list[object]
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    elif is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, field.name) for field in fields(value)]
    else:
        return True
    return all(_storable(item, depth + 1) for item in items)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
