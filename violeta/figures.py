"""The types of the figures the service hands to its interfaces (the priority-zone ranking),
named here so that a UI depends on the service, never on the read side that computes them."""

from __future__ import annotations

from projections.priority_zones import Band, Ranking, Trend, ZonePriority

__all__ = ["Band", "Ranking", "Trend", "ZonePriority"]
