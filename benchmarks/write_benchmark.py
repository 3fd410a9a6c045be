"""Many agents saving at once on one SQLite file: how long each save waits.

Each writer is a process of its own (an agent's csr-tui) adding notes to its own order,
one after another, for a while. SQLite lets one writer in at a time; the figures say how
long a save takes at the median, the 95th percentile and at worst, and how evenly the
writers got their turns.

    python benchmarks/write_benchmark.py --database sqlite:////tmp/copy-of-100k.db

It writes notes and audit records into the database: use a copy.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from csr_tui.config import mask_url
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.domain.errors import DomainError
from csr_tui.services import OrderFilter, Services


def writer(url: str, number: str, agent: str, start_at: float, seconds: float, pause: float):
    """Add notes to one order until the time is up: the seconds each save took, the
    messages of the saves that failed, and how late the writer was ready."""
    services = Services(Database(url), agent)
    services.search_orders(OrderFilter(text=number))  # connect and warm up first
    rng = random.Random(agent)
    waits: list[float] = []
    failures: list[str] = []
    late = time.time() - start_at
    time.sleep(max(0.0, -late))
    end = start_at + seconds
    while time.time() < end:
        started = time.perf_counter()
        try:
            services.add_note(number, f"Call from the customer ({agent})", "")
        except DomainError as error:
            failures.append(str(error))
        waits.append(time.perf_counter() - started)
        if pause:
            time.sleep(rng.uniform(0, pause))
    services.db.close()
    return waits, failures, late


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--pause-ms", type=float, default=0, help="at most this long between two saves"
    )
    args = parser.parse_args()
    db = Database(args.database)
    with db.reading() as conn:
        numbers = list(
            conn.execute(
                select(t.orders.c.number).order_by(t.orders.c.id.desc()).limit(args.writers)
            ).scalars()
        )
    db.close()
    start_at = time.time() + 2 + args.writers / 2  # every writer ready by then
    with ProcessPoolExecutor(args.writers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(
                writer,
                args.database,
                number,
                f"agent{i:02d}",
                start_at,
                args.seconds,
                args.pause_ms / 1000,
            )
            for i, number in enumerate(numbers)
        ]
        results = [f.result() for f in futures]
    waits = sorted(w for ws, _, _ in results for w in ws)
    failures = [f for _, fs, _ in results for f in fs]
    per_writer = [len(ws) for ws, _, _ in results]
    late = max(lateness for _, _, lateness in results)
    table = Table(
        title=f"{args.writers} writers adding notes for {args.seconds:g} s on "
        f"{mask_url(args.database)}, pause between saves 0-{args.pause_ms:g} ms"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("saves", f"{len(waits):,} ({len(waits) / args.seconds:,.0f}/s)")
    table.add_row("median save", f"{statistics.median(waits) * 1000:.0f} ms")
    table.add_row("95th percentile", f"{waits[int(len(waits) * 0.95)] * 1000:.0f} ms")
    table.add_row("99th percentile", f"{waits[int(len(waits) * 0.99)] * 1000:.0f} ms")
    table.add_row("slowest save", f"{waits[-1] * 1000:.0f} ms")
    table.add_row("saves per writer, fewest / most", f"{min(per_writer)} / {max(per_writer)}")
    table.add_row("failed saves", str(len(failures)))
    if late > 0:
        table.add_row("last writer ready late by", f"{late:.1f} s")
    Console().print(table)
    for message in sorted(set(failures)):
        print("  failed:", message)


if __name__ == "__main__":
    main()
