"""The soak (benchmarks/soak.py), 20 seconds on each database: agents in their own
processes change orders and carts at once while a reader reads them; then every invariant
is checked over the whole database, and every read against what was saved."""

from __future__ import annotations

from sqlalchemy import update

from benchmarks.soak import run_soak
from csr_tui.data import tables as t

SECONDS = 20  # of wall time, checks included
CHECKS = 4  # seconds left for the checks once the agents have stopped


def test_agents_working_at_once_break_no_invariant(db, database_url):
    with db.engine.begin() as conn:  # enough stock to ship; SKU-10000002 keeps its last 3
        conn.execute(
            update(t.variants)
            .where(t.variants.c.sku.in_(["SKU-40707827", "SKU-10000001"]))
            .values(in_stock=500)
        )
    report = run_soak(database_url, agents=4, seconds=SECONDS - CHECKS)
    assert report.errors == []
    assert report.violations == []
    assert report.torn_reads == []
    assert report.reads_checked > 0
    for call in ("convert_cart", "add_payment", "add_note", "search_orders"):
        assert report.calls.get(call), f"the agents called {call}"
