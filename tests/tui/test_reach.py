"""Every command and query of the application service is reached from the terminal app, or
is listed here with where it is reached instead (and why not from a staff screen); every key
of every screen runs an action that exists. Keys feed the footer, the help and the palette
from the same tables (tui/keymap.py, ``VioletaApp.get_system_commands``). No data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui import keymap
from tui.accounts import AccountsScreen
from tui.app import VioletaApp, split_action
from tui.case import CaseScreen
from tui.client import ClientScreen, CorrectionsScreen
from tui.coordination import CoordinationScreen
from tui.dashboard import DashboardScreen
from tui.dialogs import (
    ConfirmScreen,
    DuplicateScreen,
    JustificationScreen,
    MoreScreen,
    NoteScreen,
    RowsScreen,
)
from tui.directory import DirectoryScreen
from tui.drafts import DraftForm
from tui.forms import FormScreen
from tui.help import HelpScreen
from tui.login import ChangePasswordScreen, OwnPasswordScreen
from tui.search import SearchScreen
from violeta.policy import POLICY

TUI = Path(keymap.__file__).parent

# Reached outside the staff screens, each for a reason.
OUTSIDE_THE_APP = {
    "rebuild_views": "`violeta rebuild` (operator; rebuilds the read side)",
    "rotate_master_key": "`violeta llaves` CLI (violeta/cli_keys.py), with the recovery key",
    "import_csv": "`violeta import` CLI (a file from the old spreadsheet)",
    "import_zones": "`violeta zonas` CLI (violeta/cli_zones.py): INEGI catalogue files",
    "merge_zones": "`violeta zonas` CLI (violeta/cli_zones.py)",
    "sweep_anomalies": "run by the alerts query itself and by the demo",
    "open_alert_count": "the API's count; Mi día lists the alerts themselves",
    "statistics_tables": "the API and `violeta publish` (released tables)",
    "statistics_table": "the API and `violeta publish` (released tables)",
    "case_counts": "the API (cases by month and zone, no personal data)",
    "psychology_section": "the API; the case screen reads every section with case_detail",
    "social_work_section": "the API; the case screen reads every section with case_detail",
    "follow_up_section": "the API; the case screen reads every section with case_detail",
    "pending_age_authorizations": "read inside my_day (Mi día's one access)",
    "pending_closures": "read inside my_day (Mi día's one access)",
    "open_misconduct_reports": "read inside my_day (Mi día's one access)",
    "psychology_sessions_due": "read inside my_day (Mi día's one access)",
    "my_drafts": "read inside my_day (Mi día's one access)",
    "audit_entries": "the API (an access record's entries); the app reads audit_trail",
    "activity_counts": "the API; Actividades shows targets_progress",
    # Not reached yet (issue 12): kept here so that it stays visible.
}


def tui_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(TUI.rglob("*.py")))


def test_every_service_method_is_reached_from_the_app_or_listed_with_where_it_is() -> None:
    source = tui_source()
    unreached = {name for name in POLICY if not re.search(rf"\b{name}\b", source)}
    assert unreached == set(OUTSIDE_THE_APP), (
        f"sin pantalla ni motivo: {sorted(unreached - set(OUTSIDE_THE_APP))}; "
        f"ya alcanzados, quitar de la lista: {sorted(set(OUTSIDE_THE_APP) - unreached)}"
    )


SCREENS = (
    AccountsScreen,
    CaseScreen,
    ClientScreen,
    CorrectionsScreen,
    CoordinationScreen,
    DashboardScreen,
    ConfirmScreen,
    DuplicateScreen,
    JustificationScreen,
    MoreScreen,
    NoteScreen,
    DirectoryScreen,
    DraftForm,
    RowsScreen,
    FormScreen,
    HelpScreen,
    ChangePasswordScreen,
    OwnPasswordScreen,
    SearchScreen,
)


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.__name__)
def test_every_key_of_a_screen_runs_an_action_that_exists(screen: type) -> None:
    for key in getattr(screen, "KEYMAP"):  # noqa: B009 - every screen listed has one
        name, _arguments = split_action(key.action)
        target: type = VioletaApp if name.startswith("app.") else screen
        action = name.removeprefix("app.")
        # Textual's own actions (app.command_palette, quit) and the screen's.
        assert hasattr(target, f"action_{action}"), f"{screen.__name__}: {key.keys} → {name}"


def test_every_global_key_runs_an_action_of_the_app() -> None:
    for key in keymap.GLOBAL_KEYS:
        assert hasattr(VioletaApp, f"action_{key.action}"), key.action
