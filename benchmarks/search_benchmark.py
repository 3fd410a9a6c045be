"""Order-list search at scale: first page of 50 plus the match count, per query.

For each case it prints the median of warm runs through the services layer (what the
screen and the CLI call), beside the same SQL statements replayed on the raw driver
connection in the same run: the database's own cost of our plan, i.e. the limit. Ratios
within one run are what to compare; the machine is noisy.

    python benchmarks/search_benchmark.py --database sqlite:////tmp/1m.db
    python benchmarks/search_benchmark.py --database postgresql+psycopg://postgres@host/db

The database should hold demo data (`csr-tui demo --orders 1000000`).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import event, func, select

from csr_tui.config import mask_url
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.queries import Cursor, OrderFilter
from csr_tui.domain.statuses import OrderStatus
from csr_tui.services import Services


@dataclass
class Case:
    name: str
    filter: OrderFilter
    target_ms: dict[str, float]
    after: Cursor | None = None
    notes: str = ""
    statements: list[tuple[str, Any]] = field(default_factory=list)


def median_ms(run: Callable[[], Any], runs: int) -> float:
    for _ in range(2):
        run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def build_cases(services: Services) -> list[Case]:
    with services.db.reading() as conn:
        newest = conn.execute(select(func.max(t.orders.c.created_at))).scalar_one()
        total = conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
        some_email = conn.execute(
            select(t.orders.c.email_key)
            .where(t.orders.c.email_key.is_not(None))
            .order_by(t.orders.c.id)
            .limit(1)
            .offset(total // 2)
        ).scalar_one()
    middle_number = f"PO{1000 + total // 2}"
    year_ago = newest - timedelta(days=365)
    filters = dict(
        statuses=frozenset({OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS}),
        markets=frozenset({"US", "DE"}),
        created_from=year_ago,
    )
    fast = {"sqlite": 10, "postgresql": 30}
    combined = {"sqlite": 30, "postgresql": 30}
    short = {"sqlite": 300, "postgresql": 300}
    exact = {"sqlite": 5, "postgresql": 5}
    cases = [
        Case("%tay (substring)", OrderFilter(text="%tay"), fast),
        Case("%son (dense substring)", OrderFilter(text="%son"), fast),
        Case("Mercy (prefix, rare)", OrderFilter(text="Mercy"), fast),
        Case("Jam (prefix, dense)", OrderFilter(text="Jam"), fast),
        Case("%mercy (substring, rare)", OrderFilter(text="%mercy"), fast),
        Case("zqx (absent prefix)", OrderFilter(text="zqx"), fast),
        Case("%zqx (absent substring)", OrderFilter(text="%zqx"), fast),
        Case("%son + status, market, date", OrderFilter(text="%son", **filters), combined),
        Case("%tay + status, market, date", OrderFilter(text="%tay", **filters), combined),
        Case("Mercy + status, market, date", OrderFilter(text="Mercy", **filters), combined),
        Case("m (1 char prefix)", OrderFilter(text="m"), short),
        Case("ta (2 char prefix)", OrderFilter(text="ta"), short),
        Case("%ta (2 char substring)", OrderFilter(text="%ta"), short),
        Case("%qz (2 char, absent)", OrderFilter(text="%qz"), short),
        Case("email, exact", OrderFilter(text=some_email), exact),
        Case("order number, exact", OrderFilter(text=middle_number), exact),
        Case("status + markets + date, page 1", OrderFilter(**filters), exact),
    ]
    deep = OrderFilter(**filters)
    cursor = None
    with services.db.reading() as conn:
        from csr_tui.data.queries import OrderList

        lst = OrderList(conn, deep, services.market_codes())
        # The cursor of page 999 comes from one OFFSET query; the page after it is the
        # 1,000th page, read by keyset as the screen would.
        rows, _ = lst.page(size=1)
        if rows:
            probe = conn.execute(
                select(t.orders.c.created_at, t.orders.c.id)
                .where(*lst._filter_conditions())
                .order_by(t.orders.c.created_at.desc(), t.orders.c.id.desc())
                .limit(1)
                .offset(999 * 50 - 1)
            ).first()
            if probe is not None:
                cursor = Cursor(probe.created_at, probe.id)
    cases.append(Case("status + markets + date, page 1,000", deep, exact, after=cursor))
    return cases


def capture(services: Services, case: Case) -> None:
    """Record the statements one search issues, to replay them on the raw connection."""

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            case.statements.append((statement, parameters))

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        services.search_orders(case.filter, after=case.after)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    db = Database(args.database)
    services = Services(db, "benchmark")
    dialect = db.dialect
    console = Console()
    with db.reading() as conn:
        total = conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
    table = Table(
        title=f"Order search on {dialect}, {total:,} orders ({mask_url(args.database)}); "
        f"median of {args.runs} warm runs, ms",
    )
    for col in ("query", "matches", "csr-tui", "bare SQL", "ratio", "target", ""):
        table.add_column(col, justify="left" if col in ("query", "") else "right")
    raw_conn = db.engine.raw_connection()
    for case in build_cases(services):
        page = services.search_orders(case.filter, after=case.after)
        ours = median_ms(lambda c=case: services.search_orders(c.filter, after=c.after), args.runs)
        capture(services, case)

        def replay(c: Case = case) -> None:
            cursor = raw_conn.cursor()
            for statement, parameters in c.statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            cursor.close()
            raw_conn.rollback()

        bare = median_ms(replay, args.runs)
        target = case.target_ms[dialect]
        table.add_row(
            case.name,
            str(page.count),
            f"{ours:.2f}",
            f"{bare:.2f}",
            f"{ours / bare:.1f}x" if bare else "-",
            f"< {target:g}",
            "ok" if ours < target else "[red]over[/]",
        )
    raw_conn.close()
    console.print(table)


if __name__ == "__main__":
    main()
