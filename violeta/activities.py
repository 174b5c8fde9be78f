"""Work-plan activities and their yearly targets: no personal data, so no access events.

Any staff member who runs activities records them; coordinación sets the yearly targets of the
work plan; administración, which holds no program role, does neither. The commands are in
violeta/handlers/activities.py, the counts in violeta/queries/activities.py."""

from __future__ import annotations

from domain.activities import MAX_ATTENDEES
from domain.errors import InvalidField

INSTITUTION_MAX = 160


def _count(field: str, text: str) -> int:
    value = text.strip()
    if not value:
        return 0
    if not value.isascii() or not value.isdigit():
        raise InvalidField(field, "escriba un número entero.")
    if int(value) > MAX_ATTENDEES:
        raise InvalidField(field, f"entre 0 y {MAX_ATTENDEES}.")
    return int(value)
