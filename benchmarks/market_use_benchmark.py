"""What the order list's extras cost at scale: the market lists ordered by use (F3, New
order), and the count behind the %-hint (a name search from its first letter that finds
few orders: how many would the same term anywhere in the name find?).

Both run in workers, off the UI thread; this prints the median and the slowest of warm runs
through the services layer, per case.

    python benchmarks/market_use_benchmark.py --database sqlite:////tmp/1m.db
    python benchmarks/market_use_benchmark.py --database postgresql+psycopg://postgres@host/db

The database should hold demo data (`csr-tui demo --orders 1000000`).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from csr_tui.config import mask_url
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.domain.search import any_part
from csr_tui.services import OrderFilter, Services


def timings_ms(run: Callable[[], Any], runs: int) -> tuple[float, float]:
    for _ in range(2):
        run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    db = Database(args.database)
    with db.reading() as conn:
        orders = conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
        busiest = conn.execute(
            select(t.orders.c.created_by).order_by(t.orders.c.created_at.desc()).limit(1)
        ).scalar_one()
    table = Table(title=f"{orders:,} orders · {db.dialect} · {mask_url(args.database)}")
    for column in ("case", "result", "median ms", "slowest ms"):
        table.add_column(column, justify="left" if column in ("case", "result") else "right")

    for agent, what in ((busiest, "recent orders"), ("nobody-here", "no orders")):
        services = Services(db, agent)
        ranked = [m.code for m in services.markets_by_use()]
        median, slowest = timings_ms(services.markets_by_use, args.runs)
        table.add_row(
            f"markets_by_use, an agent with {what}",
            " ".join(ranked),
            f"{median:.1f}",
            f"{slowest:.1f}",
        )

    services = Services(db, "benchmark")
    for term in ("Hayes", "Taylor H", "Mercy", "ta"):
        anywhere = any_part(term)
        assert anywhere is not None
        shown = services.search_orders(OrderFilter(text=term)).count
        hint = services.count_orders(OrderFilter(text=anywhere))
        median, slowest = timings_ms(
            lambda text=anywhere: services.count_orders(OrderFilter(text=text)), args.runs
        )
        table.add_row(
            f"%-hint count: “{term}” → “{anywhere}”",
            f"{shown} → {hint}",
            f"{median:.1f}",
            f"{slowest:.1f}",
        )
    Console().print(table)
    db.close()


if __name__ == "__main__":
    main()
