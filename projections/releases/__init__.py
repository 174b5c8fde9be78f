"""Releases: the catalogue computed once over closed months, protected, audited and frozen.

A month enters a release only after it has closed and a lag has passed (default 15 days), so
the current month is never published. ``publish_due`` computes a release only when a month has
closed since the last one (monthly, by default); the API serves the stored body as it is, so
polling reveals nothing about today's cases: a consent withdrawal or a new case reaches the
public only in the next scheduled release.

Every release protects each source (its tables linked through their shared margins) with
primary and complementary suppression and passes the LP audit, alone and together with earlier
releases: the previous one, for each cell it hid the last one that published it, and every one
after whose end a cell it published, or one this release may publish, now counts 1 to k-1
cases (``protection._chosen_links``), so that what
an attacker last saw of every cell is in the audit and a cell hidden once may be published
again when that audit allows it. For the periods both cover
the audit assumes what an attacker comparing them could: for each count, that it only fell
(as after consent withdrawals), only rose (as after late cases) or did not change, every
direction guessed right, so that counts which rose and fell between the two are covered too.
A cell that also counts months after an earlier release (the running year, a zone's total)
gives, minus its earlier value, the later months' part: that part is a count of its own and is
protected like any other, and so is its part over the months between two earlier releases.
The earlier releases' zone rankings (published 12-month windows, informative zone marks) enter
the tables' joint audit over their zone x month counts; this release's windows enter the same
kind of joint audit in the zone audit (``zone_audit.ZoneAudit.link_previous``).
A release that fails is not stored.

The modules, in the order a release is made: ``model`` (the frozen release and its period),
``tables`` (sources read from the views, full tables, the linked LP problem), ``protection``
(suppression and audit of each linked group), ``linking`` (the joint audit with earlier
releases), ``zone_ranking`` and ``zone_audit`` (the priority zones and the audit of their
windows), ``table_body`` (what the public reads of a table), ``store`` (where releases are
frozen) and ``publishing`` (the release due today). What other packages use is below.
"""

from projections.releases.model import ZONE_MONTHS, Release, ReleaseRefused, last_closed_month
from projections.releases.publishing import (
    compute_release,
    information_loss,
    publish_data_dir,
    publish_due,
)
from projections.releases.store import ReleaseStore, earlier_releases

__all__ = [
    "ZONE_MONTHS",
    "Release",
    "ReleaseRefused",
    "ReleaseStore",
    "compute_release",
    "earlier_releases",
    "information_loss",
    "last_closed_month",
    "publish_data_dir",
    "publish_due",
]
