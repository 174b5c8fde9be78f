"""An erased client's search tokens and sealed name leave the views file, with no VACUUM.

The blind-index tokens of her name are not her name, but they are linkable (the same name
gives the same tokens), and the sealed name is her ciphertext: neither may outlive the
erasure in a free page, a freed cell or an old page image in the write-ahead log.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path

from domain import identity
from domain.vocabulary import Role
from tests.support.factories import a_client, initialized, staff
from violeta.settings import Settings

NAME = "Zitlalmina Erasurecanaria Quetzalcoatlana"


def _views_bytes(settings: Settings) -> bytes:
    folder = settings.views_path.parent
    return b"".join(
        path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.name.startswith(settings.views_path.name)
    )


def test_after_an_erasure_the_views_hold_none_of_her_tokens_nor_her_sealed_name(
    data_dir: Path,
) -> None:
    settings = Settings(data=data_dir)
    with initialized(settings) as (institute, coordinator):
        # Others around her, so her rows sit in pages that stay in use.
        for first in ("Ana", "Berta", "Carla", "Dora", "Elena", "Fabiola", "Gloria", "Hilda"):
            for last in ("Prueba", "Sintética", "Ficticia", "Inventada", "Ejemplo"):
                coordinator.register_client(a_client(f"{first} {last} Demostración"))
        client_id = coordinator.register_client(a_client(NAME))
        # A blind-index token is a few hex digits, which any id may hold by chance: what is
        # looked for is her search rows, the token next to her id as the row stores them.
        her_id = str(client_id).encode()
        tokens = [
            form
            for token in identity.search_tokens(NAME)
            for blind in [coordinator._keyring.blind_index("nombre", token).encode()]
            for form in (blind + her_id, her_id + blind)
        ]
        coordinator.refresh()
        [row] = coordinator._views.query(
            "SELECT name FROM clients_view WHERE client_id = ?", (str(client_id),)
        )
        sealed_name = bytes(row["name"])
        before = _views_bytes(settings)
        assert sum(form in before for form in tokens) >= len(identity.search_tokens(NAME))
        assert sealed_name in before

        social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
        social_work.request_erasure(client_id)
        coordinator.approve_erasure(client_id)

        after = _views_bytes(settings)
        assert [token for token in tokens if token in after] == []
        assert sealed_name not in after
        assert coordinator.search_clients("Zitlalmina") == []
        social_work.close()


def _log_copied(settings: Settings) -> bool:
    """Whether every frame of the views' write-ahead log is in the file (the log's index)."""
    data = Path(f"{settings.views_path}-shm").read_bytes()[:100]
    frames, copied = struct.unpack_from("<I", data, 16)[0], struct.unpack_from("<I", data, 96)[0]
    return frames == copied


def test_her_old_page_images_left_in_a_restarted_log_go_too(data_dir: Path) -> None:
    """The views' log is copied into the file in the background (projections/storage.py
    ``Checkpointer``) and then written again from its start, so older images of her pages
    can sit past its new end; the erasure's truncating checkpoint still takes them."""
    settings = Settings(data=data_dir)
    with initialized(settings) as (institute, coordinator):
        client_id = coordinator.register_client(a_client(NAME))
        coordinator.refresh()
        [row] = coordinator._views.query(
            "SELECT name FROM clients_view WHERE client_id = ?", (str(client_id),)
        )
        sealed_name = bytes(row["name"])
        deadline = time.monotonic() + 20
        while not _log_copied(settings):  # her pages' images, copied in the background
            assert time.monotonic() < deadline, "la bitácora de vistas no se copió a tiempo"
            time.sleep(0.01)
        for first in ("Ana", "Berta", "Carla", "Dora", "Elena", "Fabiola"):
            coordinator.register_client(a_client(f"{first} Prueba Demostración"))
        coordinator.refresh()  # a log written again from its start over the old images
        social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
        social_work.request_erasure(client_id)
        coordinator.approve_erasure(client_id)

        after = _views_bytes(settings)
        assert sealed_name not in after
        her_id = str(client_id).encode()
        for token in identity.search_tokens(NAME):
            blind = coordinator._keyring.blind_index("nombre", token).encode()
            assert blind + her_id not in after and her_id + blind not in after
        social_work.close()


def test_a_rebuild_after_her_erasure_writes_none_of_her_tokens_nor_her_sealed_name(
    data_dir: Path,
) -> None:
    """A rebuild gathers the views in memory (projections/views_rebuild.py): her row and her
    tokens, added again from her registration, are written before her erasure's statements
    in the same batch, which take them out again; nothing of them may remain in the file or
    its log."""
    settings = Settings(data=data_dir)
    with initialized(settings) as (institute, coordinator):
        for first in ("Ana", "Berta", "Carla", "Dora", "Elena", "Fabiola", "Gloria", "Hilda"):
            coordinator.register_client(a_client(f"{first} Prueba Demostración"))
        client_id = coordinator.register_client(a_client(NAME))
        her_id = str(client_id).encode()
        tokens = [
            form
            for token in identity.search_tokens(NAME)
            for blind in [coordinator._keyring.blind_index("nombre", token).encode()]
            for form in (blind + her_id, her_id + blind)
        ]
        coordinator.refresh()
        [row] = coordinator._views.query(
            "SELECT name FROM clients_view WHERE client_id = ?", (str(client_id),)
        )
        sealed_name = bytes(row["name"])
        social_work = staff(institute, coordinator, "trabajosocial", Role.SOCIAL_WORK)
        social_work.request_erasure(client_id)
        coordinator.approve_erasure(client_id)
        for first in ("Irma", "Julia", "Karla"):
            coordinator.register_client(a_client(f"{first} Prueba Demostración"))

        coordinator.rebuild_views()
        after = _views_bytes(settings)
        assert [token for token in tokens if token in after] == []
        assert sealed_name not in after
        assert coordinator.search_clients("Zitlalmina") == []
        assert coordinator.search_clients("Irma")
        social_work.close()
