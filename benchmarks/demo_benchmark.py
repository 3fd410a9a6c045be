"""How long `csr-tui demo` takes, phase by phase, on a new database, and its peak memory
(the loading process, and the process that makes the order rows for a big load).

    python benchmarks/demo_benchmark.py                      # 1,000,000 orders, SQLite
    python benchmarks/demo_benchmark.py --orders 100000 --database postgresql+psycopg://...

Besides the wall time of each phase it prints the CPU time of the loading process and of
the order maker: on a machine shared with other work, these say more about the code. The
same code's load took 46.7 s of CPU one evening and 63.5 s three hours later on the same
idle machine, so before and after the load it also times a fixed piece of the same kind of
work (rows made in Python, inserted into an in-memory SQLite table, then indexed): compare
loads run at different times by their reference times too.

The SQLite file goes to a temporary folder and is removed afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from csr_tui.config import mask_url
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.demo import load_demo


class PhaseTimer:
    def __init__(self) -> None:
        self.phases: list[tuple[str, float, float]] = []
        self._name = ""
        self._start = self._cpu = 0.0

    def phase(self, name: str, total: int) -> None:
        self.stop()
        self._name, self._start, self._cpu = name, time.perf_counter(), time.process_time()

    def advance(self, amount: int) -> None:
        return None

    def stop(self) -> None:
        if self._name:
            wall = time.perf_counter() - self._start
            self.phases.append((self._name, wall, time.process_time() - self._cpu))
            self._name = ""


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reference_seconds() -> float:
    """CPU seconds of a fixed workload like the load's: 200,000 rows of five values made in
    Python, inserted 20 to a statement, then an index sorted on a random key."""
    started = time.process_time()
    rng = random.Random(1)
    rows = [
        (i, f"PO{1000 + i}", rng.randrange(50_000), f"{rng.random():.6f}", "Completed")
        for i in range(200_000)
    ]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE r (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT, d TEXT)")
    batch = ", ".join(["(?, ?, ?, ?, ?)"] * 20)
    flat = [sum(rows[i : i + 20], ()) for i in range(0, len(rows), 20)]
    conn.executemany(f"INSERT INTO r VALUES {batch}", flat)
    conn.execute("CREATE INDEX r_b ON r (b, c)")
    conn.close()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7, help="as the search benchmarks' data")
    parser.add_argument(
        "--database", metavar="URL", help="an empty database (default: temp SQLite)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    args = parser.parse_args()
    folder = None
    url = args.database
    if url is None:
        folder = tempfile.mkdtemp(prefix="csr-demo-bench-")
        url = f"sqlite:///{folder}/demo.db"
    db = Database(url)
    db.upgrade()
    reference_before = reference_seconds()
    timer = PhaseTimer()
    started = time.perf_counter()
    load_demo(db.engine, orders=args.orders, seed=args.seed, progress=timer)
    total = time.perf_counter() - started
    timer.stop()
    reference_after = reference_seconds()
    with db.reading() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in (
                ("orders", t.orders),
                ("shipments", t.shipments),
                ("line items", t.line_items),
                ("payments", t.payments),
                ("customers", t.customers),
                ("variants", t.variants),
            )
        }
    db.close()
    table = Table(
        title=f"csr-tui demo --orders {args.orders:,} --seed {args.seed} on {mask_url(url)}"
    )
    table.add_column("phase")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    table.add_column("loading process CPU", justify="right")
    for name, seconds, cpu in timer.phases:
        table.add_row(name, f"{seconds:.1f}", f"{seconds / total:.0%}", f"{cpu:.1f}")
    table.add_row("[b]total[/b]", f"[b]{total:.1f}[/b]", "")
    console = Console()
    console.print(table)
    me = resource.getrusage(resource.RUSAGE_SELF)
    maker = resource.getrusage(resource.RUSAGE_CHILDREN)
    console.print(
        f"peak resident memory: loading process {peak_mb():.0f} MB, order maker "
        f"{maker.ru_maxrss / 1024:.0f} MB"
    )
    console.print(
        "CPU time (user + system): loading process "
        f"{me.ru_utime + me.ru_stime - reference_before - reference_after:.1f} s, "
        f"order maker {maker.ru_utime + maker.ru_stime:.1f} s"
    )
    console.print(
        f"reference work (CPU): {reference_before:.2f} s before the load, "
        f"{reference_after:.2f} s after"
    )
    rows = sum(counts.values())
    console.print(", ".join(f"{n:,} {name}" for name, n in counts.items()))
    console.print(f"{rows / total:,.0f} rows/s overall")
    if folder:
        path = os.path.join(folder, "demo.db")
        console.print(f"SQLite file: {os.path.getsize(path) / 1e9:.2f} GB")
        if args.keep:
            console.print(f"kept: {path}")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
