"""The application service: the only way into case records.

``Institute`` is one institute's stores before anyone logs in; logging in unlocks the keyring
and yields a ``StaffSession`` (violeta/staff_session.py), the door every caller uses: each of
its methods builds a command (violeta/commands.py) or names a query (violeta/queries/) and
hands it to the pipeline (violeta/bus.py), which authorizes it against its row of the policy
table (violeta/policy.py) and runs its handler (violeta/handlers/<area>.py) over the session's
context (violeta/session.py).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date, datetime
from importlib import resources
from uuid import UUID, uuid4

import psycopg
from psycopg import sql

from domain.accounts import StaffAccount
from domain.errors import DomainError, NotPermitted, UnknownRecord
from domain.sealed import Sealed
from domain.vocabulary import (
    Role,
)
from domain.zones import ZoneCatalogue
from keys import (
    PLACEHOLDER,
    AccountLocked,
    DamagedSlot,
    KdfParams,
    Keyring,
    KeyringError,
    KeyStore,
    PostgresKeyStore,
    SQLiteKeyStore,
    UnlockedKeyring,
    WrongPassword,
)
from projections.audit_chain import AUDIT_SCHEMA
from projections.counters import counter_adoption_statements
from projections.read_side import adoption
from projections.runner import Projector
from projections.storage import PostgresViewStore, SQLiteViewStore, ViewStore
from projections.views import SCHEMA, CaseRecordProjection
from violeta import name_search
from violeta.accounts import enable_slot
from violeta.errors import ConcurrentEdit, JustificationRequired, LoginFailed, TamperedRecord
from violeta.session import MEXICO
from violeta.settings import Settings
from violeta.staff_session import StaffSession
from violeta.store import CaseStore, load_aggregate, open_case_store


def today_in_mexico() -> date:
    return datetime.now(MEXICO).date()


def open_key_store(settings: Settings) -> KeyStore:
    if settings.backend == "sqlite":
        return SQLiteKeyStore(settings.keys_path)
    return PostgresKeyStore(settings.postgres, settings.postgres_schema)


def open_view_store(settings: Settings) -> ViewStore:
    tables = (*SCHEMA, *AUDIT_SCHEMA)
    if settings.backend == "sqlite":
        return SQLiteViewStore(settings.views_path, tables)
    return PostgresViewStore(settings.postgres, settings.postgres_schema, tables)


def default_zones() -> list[tuple[str, str, str, int]]:
    """INEGI 2020 localities of Cortazar with 1,000 inhabitants or more, plus the remainder."""
    source = resources.files("violeta") / "data" / "cortazar_localidades_inegi2020.csv"
    with source.open(encoding="utf-8") as handle:
        rows = [
            (
                row["cvegeo"],
                row["localidad"],
                _zone_kind(row["ambito"]),
                int(row["poblacion_femenina"]),
            )
            for row in csv.DictReader(handle)
        ]
    listed_women = sum(women for *_, women in rows)
    rows.append(("110110000", "Otras localidades", "comunidad", MUNICIPAL_WOMEN - listed_women))
    return rows


MUNICIPAL_WOMEN = 50_393  # INEGI 2020, municipality of Cortazar


def _zone_kind(ambito: str) -> str:
    return "localidad urbana" if ambito == "U" else "comunidad"


class KeyringIndexer:
    """Blind-index tokens for the search projection (opens names in memory only)."""

    def __init__(self, keyring: UnlockedKeyring) -> None:
        self._keyring = keyring

    def client_tokens(
        self, client_id: UUID, name: Sealed, curp: Sealed | None, phone: Sealed | None
    ) -> set[str] | None:
        tokens = self.field_tokens(client_id, "nombre", "client.name", name)
        for kind, label, value in (
            ("curp", "client.curp", curp),
            ("telefono", "client.phone", phone),
        ):
            if tokens and value is not None:
                tokens |= self.field_tokens(client_id, kind, label, value) or set()
        return tokens

    def field_tokens(
        self, client_id: UUID, kind: str, label: str, value: Sealed
    ) -> set[str] | None:
        """Tokens of one field (also a rectified one, ARCO): a name, CURP or phone. An erased
        client's fields open as the placeholder, which must never be indexed. Without the
        case key (administración, an account not yet enabled) indexing is deferred."""
        if not self._keyring.can_index:
            return None
        text = self._keyring.open(str(client_id), label, value.envelope)
        if text == PLACEHOLDER:
            return set()
        if kind == "nombre":
            # Whole words and their beginnings (3+ letters), same kind and key: see name_search.
            return self._keyring.blind_indexes(kind, name_search.index_terms(text))
        return self._keyring.blind_indexes(kind, (text,))

    def prepare(self, client_ids: Iterable[UUID]) -> None:
        """The case keys of these clients fetched at once, before their fields are opened
        one by one (a rebuild's batch)."""
        if self._keyring.can_index:
            self._keyring.load_case_keys(str(client_id) for client_id in client_ids)


class Institute:
    """One institute's data directory (or PostgreSQL schema), before anyone has logged in."""

    def __init__(
        self,
        settings: Settings,
        *,
        kdf: KdfParams | None = None,
        today: Callable[[], date] = today_in_mexico,
    ) -> None:
        self.settings = settings
        if settings.backend == "sqlite":
            settings.ensure_data_dir()
        else:
            _ensure_postgres_schema(settings)
        self.kdf = kdf or KdfParams()
        self.today = today
        self.keystore = open_key_store(settings)

    def is_initialized(self) -> bool:
        return Keyring.is_initialized(self.keystore)

    def initialize(
        self, username: str, display_name: str, password: str
    ) -> tuple[StaffSession, str]:
        """Creates the keys and the first coordinator account; never a default password.
        Returns her session and the recovery key, which the caller shows exactly once."""
        account_id = uuid4()
        account = StaffAccount.open(
            account_id=account_id,
            username_text=username,
            display_name=display_name,
            role=Role.COORDINATION,
            opened_by=None,
        )
        try:
            initialized = Keyring.initialize(
                self.keystore, account.username, password, kdf=self.kdf, account_id=str(account_id)
            )
        except KeyringError as error:
            raise DomainError(str(error)) from None
        keyring = initialized.keyring
        store = open_case_store(self.settings, keyring.institution_key)
        catalogue = ZoneCatalogue(municipality=self.settings.municipality)
        for code, name, kind, women in default_zones():
            catalogue.record_zone(code, name, kind, women)
        store.save(account, catalogue)
        return self._session(keyring, store), initialized.recovery_key

    def login(self, username: str, password: str) -> StaffSession:
        try:
            keyring = Keyring.unlock(self.keystore, username.strip().lower(), password)
        except (WrongPassword, AccountLocked, DamagedSlot) as error:
            raise LoginFailed(str(error)) from None
        except KeyringError as error:
            raise LoginFailed(str(error)) from None
        return self._session(keyring, open_case_store(self.settings, keyring.institution_key))

    def enable_with_recovery_key(self, recovery_key: str, username: str) -> None:
        """Enables an account with the recovery key from the institute's safe, when no second
        person who holds the keys can (the first psychology account, a lone coordinator)."""
        try:
            keyring = Keyring.unlock_with_recovery_key(self.keystore, recovery_key)
        except KeyringError as error:
            raise LoginFailed(str(error)) from None
        store = open_case_store(self.settings, keyring.institution_key)
        try:
            enable_slot(self.keystore, keyring, store, username.strip().lower(), None)
        finally:
            keyring.lock()
            store.close()

    def replace_recovery_key(self, coordinator: StaffSession, old_recovery_key: str) -> str:
        """A coordinator and the current recovery key together make a new one (printed once);
        the old one stops working."""
        if coordinator.role is not Role.COORDINATION or not coordinator.identity.ready:
            raise NotPermitted("Solo coordinación puede reemplazar la llave de recuperación.")
        try:
            keyring = Keyring.unlock_with_recovery_key(self.keystore, old_recovery_key)
            return keyring.replace_recovery_key()
        except KeyringError as error:
            raise LoginFailed(str(error)) from None

    def service_session(self, secret: str) -> StaffSession:
        try:
            keyring = Keyring.unlock_with_service_secret(self.keystore, secret)
        except KeyringError as error:
            raise LoginFailed(str(error)) from None
        return self._session(keyring, open_case_store(self.settings, keyring.institution_key))

    def _session(self, keyring: UnlockedKeyring, store: CaseStore) -> StaffSession:
        views = open_view_store(self.settings)
        projection = CaseRecordProjection(KeyringIndexer(keyring))
        read_side_adoption = adoption(store.name, views.tracking_table)
        projector = Projector(
            store,
            views,
            projection,
            # Views built before: the read side's position and Mi día's counters adopted.
            prologue=lambda at: [*read_side_adoption(at), *counter_adoption_statements()],
        )
        try:
            projector.catch_up()
        except ValueError as error:  # the outer cipher's authentication failure
            keyring.lock()
            raise TamperedRecord from error
        try:
            account = load_aggregate(store, UUID(keyring.account_id), StaffAccount, "")
        except (UnknownRecord, ValueError):
            keyring.lock()
            raise LoginFailed("La cuenta no existe o fue desactivada.") from None
        if not account.active:
            keyring.lock()
            raise LoginFailed("La cuenta no existe o fue desactivada.")
        return StaffSession(self, keyring, store, views, projector, account)

    def close(self) -> None:
        self.keystore.close()


def _ensure_postgres_schema(settings: Settings) -> None:
    with psycopg.connect(settings.postgres, autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(settings.postgres_schema)
            )
        )


__all__ = [
    "ConcurrentEdit",
    "Institute",
    "JustificationRequired",
    "LoginFailed",
    "StaffSession",
    "TamperedRecord",
]
