"""What the routes receive: the settings and the read-only view reader of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import ApiSettings
from projections.statistics import PostgresReader, SQLiteReader, ViewReader


def make_reader(settings: ApiSettings) -> ViewReader:
    if settings.backend == "postgres":
        return PostgresReader(settings.postgres, settings.postgres_schema)
    return SQLiteReader(settings.views_path)


def _settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def _reader(request: Request) -> ViewReader:
    reader: ViewReader = request.app.state.reader
    return reader


SettingsDep = Annotated[ApiSettings, Depends(_settings)]
ReaderDep = Annotated[ViewReader, Depends(_reader)]
