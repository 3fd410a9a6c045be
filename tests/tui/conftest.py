"""Screens driven by Pilot on a deterministic demo database (fixed seed, fixed clock)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

from csr_tui.app import CsrApp
from csr_tui.data.database import Database
from csr_tui.data.demo import load_demo
from csr_tui.services import Services
from tests.conftest import FixedClock
from tests.factories import NOW
from tests.hostile import HostileData

DEMO_ORDERS = 400
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    load_demo(db.engine, orders=DEMO_ORDERS, seed=DEMO_SEED, now=NOW)
    db.close()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_services(demo_url: str):
    services = Services(Database(demo_url), "alice", clock=FixedClock())
    yield services
    services.db.close()


@pytest.fixture
def app(demo_services: Services) -> CsrApp:
    return CsrApp(services=demo_services, clock=FixedClock(), keymap_file=Path("/nonexistent"))


@pytest.fixture
def hostile(hostile_url: str, backend: str):
    """The hostile-text database (tests/hostile.py) of this test, SQLite or PostgreSQL."""
    data = HostileData(hostile_url, backend)
    yield data
    data.close()


@pytest.fixture
def hostile_app(hostile: HostileData) -> CsrApp:
    """The app on the hostile-text database: check each screen with
    `tests.tui.rendered.assert_shown_safely(app, hostile.keys(...))`."""
    return CsrApp(services=hostile.services, clock=FixedClock(), keymap_file=Path("/nonexistent"))


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let debounce timers fire and workers finish (never a fixed long sleep)."""
    for _ in range(rounds):
        await pilot.pause(0.12)
        for worker in list(pilot.app.workers):
            # A form's worker dismisses its own screen, which cancels the worker after
            # its work is done: nothing is left to wait for. A worker that failed has
            # already said so on the screen (the tests read it there).
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
    await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)


def stop_blinking(app: CsrApp) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


def text_of(widget) -> str:
    """The plain text a Static shows, whether it holds markup or a Rich renderable."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()
