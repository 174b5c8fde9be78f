"""Which actions the app offers: the service's policy table decides, asked through the gateway.

There is no list of roles here. Every screen asks ``gateway.may(command, section)``, which is
``StaffSession.may``: the same row of ``violeta.policy.POLICY`` that guards the call. The one
rule this module adds is about where a form sits: a form on a tab of the case screen writes in
that tab's section (an accompaniment is jurídica's on the Jurídica tab and trabajo social's on
hers), so it is offered when the role may run the command *and* write in that section, which
is the policy's row for writing in a section (``add_note``).
"""

from __future__ import annotations

from uuid import UUID

from domain.vocabulary import Section
from tui.gateway import Gateway

WRITES_IN_SECTION = "add_note"  # the policy row whose section is the call's own


def offered(
    gateway: Gateway, command: str, section: Section | None = None, subject: UUID | None = None
) -> bool:
    """Whether the app offers the action that calls ``command`` (of that ``section``, for a
    command that takes one; on ``subject``, for an approval: the case, woman or account it
    completes, so one the service would refuse to this person as not a second one is not
    offered)."""
    return gateway.may(command, section, subject)


def form_offered(gateway: Gateway, command: str, section: Section) -> bool:
    """A form on the ``section`` tab of a case: the command, written in that section."""
    return gateway.may(command) and gateway.may(WRITES_IN_SECTION, section)
