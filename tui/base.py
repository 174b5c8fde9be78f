"""What every screen of a logged-in session shares: the gateway and one way to call it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import ClassVar, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from domain.errors import DomainError
from tui.footer import KeyFooter
from tui.gateway import Gateway, SessionClosed
from tui.keymap import Key
from tui.widgets import TopBar
from violeta.service import StaffSession

T = TypeVar("T")


def unexpected(error: Exception) -> DomainError:
    return DomainError(
        f"Ocurrió un error inesperado ({type(error).__name__}). Avise a soporte técnico; "
        "revise si la última acción quedó registrada antes de repetirla."
    )


def outcome(gateway: Gateway, operation: Callable[[StaffSession], T]) -> T | DomainError:
    """One read through the gateway (in a worker thread): its result, or the service's refusal
    in Spanish (an unexpected error as ``unexpected`` words it). ``SessionClosed`` passes."""
    try:
        return gateway.call(operation)
    except SessionClosed:
        raise
    except DomainError as error:
        return error
    except Exception as error:
        # Print nothing of the error's text or locals: either may carry personal data.
        return unexpected(error)


class ServiceFailed(Message, bubble=False):
    """The service refused (in Spanish, without personal data); nothing was recorded."""

    def __init__(self, error: DomainError) -> None:
        super().__init__()
        self.error = error


class ExternalChanges(Message, bubble=False):
    """Other terminals wrote something; what this screen shows may be out of date."""


class SessionScreen(Screen[None]):
    KEYMAP: ClassVar[tuple[Key, ...]] = ()
    TITLE_TEXT: ClassVar[str] = ""
    RELOADABLE: ClassVar[bool] = False  # has an F5 that reads again

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.seen_generation: int | None = None
        self._resumed = False
        # What worker threads posted to this screen: dropped unread by ``forget_reads``.
        self._posted: weakref.WeakSet[Message] = weakref.WeakSet()
        self._posted_lock = threading.Lock()
        self._reads = 0  # how many times ``forget_reads`` was called

    def compose_frame(self) -> ComposeResult:
        yield TopBar(self.TITLE_TEXT, self.gateway.identity)

    def compose_footer(self) -> ComposeResult:
        yield Static("", id="stale", classes="stale")
        yield KeyFooter()

    def run_service(
        self,
        operation: Callable[[StaffSession], T],
        deliver: Callable[[T], Message],
        *,
        writes: bool = False,
    ) -> None:
        """Runs one service call in a worker thread; its outcome comes back as a message."""

        reads = self._reads

        def job() -> None:
            try:
                result = self.gateway.call(operation, writes=writes)
            except SessionClosed:
                return
            except DomainError as error:
                self._post_if_current(reads, ServiceFailed(error))
                return
            except Exception as error:
                # Keep the session usable and print nothing of the error's text or locals:
                # either may carry personal data that was just opened.
                self._post_if_current(reads, ServiceFailed(unexpected(error)))
                return
            self._post_if_current(reads, deliver(result))

        self.run_worker(job, thread=True, group="service")

    def _post_if_current(self, reads: int, message: Message) -> None:
        """From a worker thread: posts what a call made for what the screen shows now."""
        with self._posted_lock:
            if reads == self._reads:
                self._posted.add(message)
                self.post_message(message)

    def forget_reads(self) -> None:
        """Before a screen kept after it was closed shows something else: what was read (or
        refused) for what it showed is not delivered, even if it was already posted; its next
        resume reads nothing (what it will show is read for it)."""
        with self._posted_lock:
            self._reads += 1
            for message in list(self._posted):
                # Textual's own switch for a message that must reach no handler (a class
                # attribute it reads from the instance, so set on this one only).
                setattr(message, "no_dispatch", True)  # noqa: B010 - a ClassVar to mypy
            self._posted.clear()
        self._resumed = False

    def on_service_failed(self, message: ServiceFailed) -> None:
        self.handle_failure(message.error)

    def handle_failure(self, error: DomainError) -> None:
        """Screens override this (not the handler: Textual calls handlers of every base class)."""
        self.notify(error.message, title="No se pudo completar", severity="error", markup=False)

    def on_external_changes(self, _message: ExternalChanges) -> None:
        if self.RELOADABLE:
            self.query_one("#stale", Static).update(
                "Hay registros nuevos de otras terminales · F5 actualiza esta vista"
            )

    def action_back(self) -> None:
        self.app.pop_screen()

    def mark_fresh(self, generation: int | None = None) -> None:
        """Called by each reload: what is on screen is as new as the gateway's generation (or
        as ``generation``, the one it had when what is shown was read before the screen)."""
        self.seen_generation = self.gateway.generation if generation is None else generation
        # Not composed yet, or being taken down (the app closing): nothing shown to mark.
        for stale in self.query("#stale").results(Static):
            if stale.content != "":
                stale.update("")

    def on_resize(self, event: events.Resize) -> None:
        """A screen's first layout sends the screen a resize to the size it was just laid out
        at; Textual then lays it out again, and every screen under it too. Only a size that
        some screen on the stack was not laid out at is passed on (a real terminal resize)."""
        # ``outer_size`` is the size a screen was last laid out at (``size`` is the app's).
        if all(screen.outer_size == event.size for screen in self.app.screen_stack):
            event.prevent_default()

    async def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # Just composed: each widget took its styles as it was mounted, so Textual's
            # restyling of the whole screen as it first shows redoes the same work (for a
            # woman's record, a tenth of the time it took to open). Textual itself skips it
            # when an opaque screen shows again after the one above it is closed. And what
            # it shows was just read (before it was shown, or as it was mounted).
            self._resumed = True
            event.refresh_styles = False
            return
        # Back from another screen: read again only if something was written meanwhile,
        # because every read of personal data is an audited access.
        seen = self.seen_generation
        if self.RELOADABLE and seen is not None and seen != self.gateway.generation:
            await self.run_action("reload")
