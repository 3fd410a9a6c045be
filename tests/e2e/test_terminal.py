"""The real `csr-tui` command in a real terminal (tmux): start, search, read the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tmux(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = shutil.which("tmux")
    if path is None:
        if IN_CI:
            pytest.fail("CI needs tmux for the end-to-end test")
        pytest.skip("tmux is not installed here")
    # A tmux server of this test process's own: test processes running side by side (pytest
    # -n) would otherwise race to start the one default server, and one new-session fails.
    # A session that lives as long as the module keeps that server up: the server leaves
    # when its last session is killed, and the next test's new-session could reach it as it
    # was leaving ("server exited unexpectedly").
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TMUX_TMPDIR", str(tmp_path_factory.mktemp("tmux")))
        subprocess.run([path, "new-session", "-d", "-s", "keep", "sleep 86400"], check=True)
        yield path
        subprocess.run([path, "kill-server"], capture_output=True)


def installed_command() -> str | None:
    """The csr-tui command of the Python running the tests (a virtualenv's, even when it is
    not activated), else the one on PATH."""
    beside = Path(sys.executable).parent / "csr-tui"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("csr-tui")


def test_the_command_is_found_beside_the_interpreter_without_path(monkeypatch) -> None:
    """`.venv/bin/python -m pytest` without activating the virtualenv finds its csr-tui."""
    beside = Path(sys.executable).parent / "csr-tui"
    assert beside.is_file(), "the package is installed in the interpreter running the tests"
    monkeypatch.setenv("PATH", "/nonexistent")
    assert installed_command() == str(beside)


@pytest.fixture(scope="module")
def csr_tui() -> str:
    path = installed_command()
    assert path, "the csr-tui command is installed with the package (pip install -e .)"
    return path


@pytest.fixture(scope="module")
def demo_database(csr_tui: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'orders.db'}"
    subprocess.run(
        [csr_tui, "demo", "--database", url, "--orders", "300"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return url


class Terminal:
    def __init__(self, tmux: str, name: str) -> None:
        self.tmux = tmux
        self.name = name

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(
            [self.tmux, "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            [self.tmux, "capture-pane", "-p", "-t", self.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def wait_for(self, ready: Callable[[str], bool], what: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if ready(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self.screen()}")

    def wait_for_quit(self, timeout: float = 10) -> None:
        """The app quit: the session ended with it, or its screen is gone from the pane."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pane = subprocess.run(
                [self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
            )
            if pane.returncode != 0 or "Order Management" not in pane.stdout:
                return
            time.sleep(0.1)
        raise AssertionError(f"the app did not quit; the screen shows:\n{self.screen()}")


@pytest.fixture
def terminal(tmux: str, csr_tui: str, demo_database: str, request: pytest.FixtureRequest):
    size = getattr(request, "param", (100, 30))
    name = f"csr-e2e-{os.getpid()}-{request.node.name}".replace("[", "-").replace("]", "")
    command = f"{shlex.quote(csr_tui)} --database {shlex.quote(demo_database)} --agent e2e"
    subprocess.run(
        [tmux, "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    yield Terminal(tmux, name)
    subprocess.run([tmux, "kill-session", "-t", name], capture_output=True)


def order_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith(("PO", "✓ PO"))]


@pytest.mark.parametrize("terminal", [(100, 30), (80, 24)], indirect=True)
def test_search_in_a_real_terminal(terminal: Terminal) -> None:
    terminal.wait_for(lambda s: "1–50 of 300 orders" in s, "the first page and the count")
    terminal.keys("%tay", literal=True)

    def results(s: str) -> bool:
        # The status line and the table are painted in separate frames: on a loaded machine
        # a capture can fall between them, so wait for the table to show the results too.
        rows = order_rows(s)
        done = "1–50 of 300" not in s and "searching" not in s
        return done and bool(rows) and all("tay" in row.lower() for row in rows)

    text = terminal.wait_for(results, "the search results: only names with “tay”")
    assert "Mercy Taylor" in text and "Taylor Hayes" in text
    terminal.keys("C-q")
    terminal.wait_for_quit()


@pytest.mark.parametrize("terminal", [(80, 24)], indirect=True)
def test_a_phone_order_from_ctrl_n_to_its_details_and_into_the_list(terminal: Terminal) -> None:
    terminal.wait_for(lambda s: "1–50 of 300 orders" in s, "the order list")
    terminal.keys("C-n")
    terminal.wait_for(lambda s: "Select the market" in s, "the market step")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "No customer yet" in s, "the customer step")
    terminal.keys("merc", literal=True)
    terminal.wait_for(lambda s: "mercy" in s.lower() and "@example" in s, "matches")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Shipping method of shipment 1" in s, "the shipment step")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Add line items to shipment 1" in s, "the item search")
    terminal.keys("dress", literal=True)
    terminal.wait_for(lambda s: "Dress" in s, "the results")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Chosen:" in s, "the item chosen")
    terminal.keys("2", literal=True)
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Added: 2 ×" in s, "the line added")
    terminal.keys("Escape")
    terminal.wait_for(lambda s: "1 line · subtotal" in s, "the items step")
    terminal.keys("C-s")
    text = terminal.wait_for(lambda s: "Order Details" in s and "In Progress" in s, "details")
    number = text.split("Order Details — ")[1].split()[0]
    assert f"Order {number} created." in text and "P adds a payment." in text
    # The match Enter took (the list may still have been changing as the screen was read).
    customer = text.split("Customer: ")[1].split("  ")[0].strip()
    assert customer.startswith("Mercy"), text
    terminal.keys("Escape")
    text = terminal.wait_for(lambda s: "1–50 of 301 orders" in s, "the list with the order")
    row = next(line for line in order_rows(text) if number in line)
    assert customer[:10] in row and "In Progress" in row


def test_an_unreachable_database_is_a_message(tmux: str, csr_tui: str, tmp_path: Path) -> None:
    url = "postgresql+psycopg://agent:secret@127.0.0.1:1/orders"
    name = f"csr-e2e-down-{os.getpid()}"
    subprocess.run(
        [
            tmux,
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "100",
            "-y",
            "30",
            f"{shlex.quote(csr_tui)} --database {shlex.quote(url)}",
        ],
        check=True,
    )
    term = Terminal(tmux, name)
    try:
        text = term.wait_for(lambda s: "Cannot reach the database" in s, "the error message")
        assert "secret" not in text, "passwords never reach the screen"
        assert "Traceback" not in text
    finally:
        subprocess.run([tmux, "kill-session", "-t", name], capture_output=True)
