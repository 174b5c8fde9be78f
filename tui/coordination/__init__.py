"""Coordinación: the access trail with its filters, the alerts and their acknowledgement, the
priority zones as a ranked chart, and the work plan's activities against their yearly targets.

One screen, one tab each (a module each), each shown only to a role the service's policy lets
read it (the activities tab is every case role's; the rest coordinación's). A tab reads when it
is shown, never before: reading the trail is itself an audited access.
"""

from tui.coordination.alerts import acknowledge_form
from tui.coordination.common import TABS
from tui.coordination.screen import CoordinationScreen
from tui.coordination.trail import NO_OLDER

__all__ = ["NO_OLDER", "TABS", "CoordinationScreen", "acknowledge_form"]
