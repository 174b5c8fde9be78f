"""One damaged record blocks only itself: the message names its folio where the views know it.

The event store cannot tell which case an aggregate belongs to without decrypting it, and an
altered event does not decrypt; the views can (case ids and client ids to folios, in clear).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
