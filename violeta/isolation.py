"""One damaged record blocks only itself: the message names its folio where the views know it.

The event store cannot tell which case an aggregate belongs to without decrypting it, and an
altered event does not decrypt; the views can (case ids and client ids to folios, in clear).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from eventsourcing.persistence import DataError as EventSourcingDataError

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


def unstorable_text(error: Exception) -> DomainError | None:
    """The Spanish refusal for text that reached storage although no store can hold it (a lone
    surrogate cannot be encoded as UTF-8; PostgreSQL refuses a NUL character), or None for any
    other error. Each command validates its own fields first (naming the field); this is for
    the text no rule looked at, such as a lookup argument. Nothing was saved: the transaction
    that met it failed."""
    if isinstance(error, UnicodeEncodeError):
        return DomainError(INVALID_TEXT)
    if isinstance(error, psycopg.DataError) and "NUL" in str(error):
        return DomainError(INVALID_TEXT)
    cause = error.__cause__ or error.__context__
    if isinstance(error, EventSourcingDataError) and isinstance(cause, Exception):
        return unstorable_text(cause)
    return None
