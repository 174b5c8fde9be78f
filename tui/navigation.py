"""Requests to move between screens. They bubble up to the app, the one place that navigates."""

from __future__ import annotations

from uuid import UUID

from textual.message import Message


class OpenClient(Message):
    def __init__(self, client_id: UUID, *, replace: bool = False) -> None:
        super().__init__()
        self.client_id = client_id
        self.replace = replace


class OpenCase(Message):
    def __init__(self, case_id: UUID, *, replace: bool = False, announce: str = "") -> None:
        super().__init__()
        self.case_id = case_id
        self.replace = replace
        self.announce = announce


class StartIntake(Message):
    def __init__(self, client_id: UUID, client_name: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_name = client_name


class StartRegistration(Message):
    pass


class OpenCoordination(Message):
    """One tab of the coordination screen; the trail's, if ``client`` is given, about her."""

    def __init__(self, tab: str, *, client: tuple[UUID, str] | None = None) -> None:
        super().__init__()
        self.tab = tab
        self.client = client
