"""An unexpected error never puts a traceback (and the customer data in its variables) on
the agent's screen: one line names the log file, mode 0600, that holds the details."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from csr_tui.app import CsrApp
from csr_tui.error_log import log_path
from csr_tui.screens.order_list import OrderListScreen
from tests.conftest import FixedClock, place_order
from tests.tui.conftest import settle
from tests.tui.rendered import screen_text

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def log_is_private_and_holds(*needles: str) -> None:
    path = log_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    logged = path.read_text()
    assert "Traceback (most recent call last)" in logged
    for needle in needles:
        assert needle in logged


async def test_a_failing_worker_is_reported_in_one_line_and_logged(services, db):
    place_order(services)
    with db.engine.begin() as conn:  # a status no version of csr-tui ever wrote
        conn.execute(text("UPDATE orders SET status = 'Lost in transit'"))
    app = CsrApp(services=services, clock=FixedClock(), keymap_file=Path("/nonexistent"))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "Unexpected error (ValueError); the details are in" in shown
        assert "Could not load orders (ValueError)." in shown
        assert "Traceback" not in shown and "Lost in transit" not in shown
        assert app.is_running, "the agent can go on (search again, open carts)"
    log_is_private_and_holds("'Lost in transit' is not a valid OrderStatus")


async def test_a_failing_handler_stops_the_app_with_one_line(services, monkeypatch, capsys):
    def broken(_screen: OrderListScreen) -> None:
        raise RuntimeError("mercy.taylor@example.com: something unforeseen")

    monkeypatch.setattr(OrderListScreen, "action_carts", broken)
    app = CsrApp(services=services, clock=FixedClock(), keymap_file=Path("/nonexistent"))
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f7")
            await settle(pilot)
    assert app.return_code == 1
    printed = " ".join(capsys.readouterr().err.split())  # the terminal may wrap it
    assert printed == (
        f"csr-tui stopped. Unexpected error (RuntimeError); the details are in {log_path()}"
    )
    log_is_private_and_holds("mercy.taylor@example.com: something unforeseen")
