"""Many agents at once: no lost update, unique order numbers, no 'database is locked'."""

import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from multiprocessing import get_context

import pytest

from csr_tui.data.database import Database
from csr_tui.domain import ConcurrentEditError
from csr_tui.services import Services
from tests.conftest import place_order


def test_exactly_one_of_two_conflicting_saves_wins(services, database_url):
    order = place_order(services)
    agents = [Services(Database(database_url), name) for name in ("alice", "bob")]
    barrier = threading.Barrier(2, timeout=10)

    def pay(agent):
        barrier.wait()  # both save from the copy they were shown, at the same moment
        try:
            agent.add_payment(order.number, order.version, "card", Decimal("10.00"))
            return "saved"
        except ConcurrentEditError as error:
            return f"conflict: {error}"

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(pay, agents))
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "saved"]
    final = services.get_order(order.number)
    assert len(final.payments) == 1 and final.version == order.version + 1
    winner = agents[outcomes.index("saved")].agent
    assert final.payments[0].created_by == winner
    loser_message = next(o for o in outcomes if o.startswith("conflict"))
    assert f"changed by {winner}" in loser_message
    for agent in agents:
        agent.db.close()


def test_concurrent_notes_are_both_kept(services, database_url):
    order = place_order(services)
    agents = [Services(Database(database_url), name) for name in ("alice", "bob", "chen")]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda a: a.add_note(order.number, f"Note by {a.agent}", ""), agents))
    authors = sorted(n.created_by for n in services.get_order(order.number).notes)
    assert authors == ["alice", "bob", "chen"]
    for agent in agents:
        agent.db.close()


def _make_orders(url: str, agent: str, count: int) -> list[str]:
    services = Services(Database(url), agent)
    try:
        return [place_order(services).number for _ in range(count)]
    finally:
        services.db.close()


@pytest.mark.parametrize("processes", [4])
def test_order_numbers_stay_unique_across_processes(services, database_url, processes):
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_make_orders, database_url, f"agent{i}", 5) for i in range(processes)
        ]
        numbers = [n for f in futures for n in f.result(timeout=120)]
    assert len(numbers) == len(set(numbers)) == processes * 5
    assert sorted(numbers, key=lambda n: int(n[2:])) == [f"PO{1001 + i}" for i in range(20)]
