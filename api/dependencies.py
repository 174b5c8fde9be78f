"""What the routes receive: the settings and the frozen releases, read once and kept."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Request

from api.settings import ApiSettings
from projections.statistics import (
    PostgresReader,
    ReleaseSummary,
    SQLiteReader,
    StoreUnavailable,
    ViewReader,
    release_body,
    releases,
)

# How often the list of releases is read again; a release never changes once stored.
REFRESH_SECONDS = 5.0
# Answers kept rendered, the most recently asked. The filters (year, zone, area) make the
# possible requests countless, so the process keeps a bounded number, whatever it is asked.
RENDERED_LIMIT = 512


class Rendered:
    """Rendered answers by request, at most ``limit``; the least recently asked goes first."""

    def __init__(self, limit: int | None = None) -> None:
        self._limit = RENDERED_LIMIT if limit is None else limit
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def __setitem__(self, key: Hashable, answer: Any) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._limit:
                self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)


def make_reader(settings: ApiSettings) -> ViewReader:
    if settings.backend == "postgres":
        return PostgresReader(settings.postgres, settings.postgres_schema)
    return SQLiteReader(settings.views_path)


class Releases:
    """The published releases of this store. Bodies are immutable, so each is read once."""

    def __init__(self, reader: ViewReader) -> None:
        self.reader = reader
        self._lock = threading.Lock()
        self._listed_at = -REFRESH_SECONDS
        self._summaries: tuple[ReleaseSummary, ...] = ()
        self._bodies: dict[int, dict[str, Any]] = {}
        self.rendered = Rendered()

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._listed_at < REFRESH_SECONDS:
            return
        try:
            listed = releases(self.reader)
        except StoreUnavailable:
            if not self._summaries:
                raise
            # What was published does not change: keep serving it, and try again later.
            self._listed_at = now
            return
        for summary in listed:
            if summary.number not in self._bodies:
                found = release_body(self.reader, summary.number)
                if found is not None:
                    with self._lock:
                        self._bodies[summary.number] = found
        with self._lock:
            self._summaries, self._listed_at = listed, now

    async def refresh(self) -> None:
        """Reads the list (and any new body) again when it is older than REFRESH_SECONDS;
        off the event loop, so a slow store never stalls the answers served from memory."""
        if time.monotonic() - self._listed_at >= REFRESH_SECONDS:
            await to_thread.run_sync(self._refresh)

    def summaries(self) -> tuple[ReleaseSummary, ...]:
        return self._summaries

    def latest(self) -> int | None:
        listed = self.summaries()
        return listed[-1].number if listed else None

    def body(self, number: int) -> dict[str, Any] | None:
        return self._bodies.get(number)


def _settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def _releases(request: Request) -> Releases:
    found: Releases = request.app.state.releases
    await found.refresh()
    return found


SettingsDep = Annotated[ApiSettings, Depends(_settings)]
ReleasesDep = Annotated[Releases, Depends(_releases)]
