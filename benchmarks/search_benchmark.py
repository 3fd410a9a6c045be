"""Order-list search at scale: first page of 50 plus the match count, per query.

For each case it prints the median of warm runs through the services layer (what the
screen and the command line call), beside the same SQL statements replayed on the raw
driver connection in the same run (the database's own cost of our plan). Given a second,
smaller database (`--small`, e.g. 100,000 orders), it runs every case there too and prints
the ratio beside the matches there: a plan that scans costs ~10x more at 10x the orders
whatever it finds; one that uses its indexes costs about the same for a term that finds
about as many orders, and more for one that finds ~10x as many (an exact count below
10,000 reads each of them). The machine is noisy: compare ratios within one run.

    python benchmarks/search_benchmark.py --database sqlite:////tmp/1m.db \
        --small sqlite:////tmp/100k.db
    python benchmarks/search_benchmark.py --database postgresql+psycopg://postgres@host/db

The databases should hold demo data (`csr-tui demo --orders 1000000 --seed 7`).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import event, func, select

from csr_tui.config import mask_url
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.queries import Cursor, OrderFilter
from csr_tui.domain.statuses import OrderStatus
from csr_tui.services import Services

FAST = {"sqlite": 10, "postgresql": 30}
COMBINED = {"sqlite": 30, "postgresql": 30}
SHORT = {"sqlite": 300, "postgresql": 300}
EXACT = {"sqlite": 5, "postgresql": 5}
STATUSES = frozenset({OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS})
MARKETS = frozenset({"US", "DE"})

# (label, search text, broad filters?, target): the table first, then the rest.
TERMS = [
    ("m%qzx (absent, % inside)", "m%qzx", False, FAST),
    ("j%smith (% inside)", "j%smith", False, FAST),
    ("m%tay (% inside)", "m%tay", False, FAST),
    ("oli (prefix, ~3,900)", "oli", False, FAST),
    ("%alv (substring, ~3,900)", "%alv", False, FAST),
    ("%hon (substring)", "%hon", False, FAST),
    ("%ndo (substring)", "%ndo", False, FAST),
    ("%tay (substring)", "%tay", False, FAST),
    ("%tay + status, market, date", "%tay", True, COMBINED),
    ("%q (1 character)", "%q", False, SHORT),
    ("%son (dense substring)", "%son", False, FAST),
    ("Mercy (prefix, rare)", "Mercy", False, FAST),
    ("Jam (prefix, dense)", "Jam", False, FAST),
    ("%mercy (substring, rare)", "%mercy", False, FAST),
    ("mercy%lor (% inside, rare)", "mercy%lor", False, FAST),
    ("zqx (absent prefix)", "zqx", False, FAST),
    ("%zqx (absent substring)", "%zqx", False, FAST),
    ("%son + status, market, date", "%son", True, COMBINED),
    ("Mercy + status, market, date", "Mercy", True, COMBINED),
    ("m (1 character prefix)", "m", False, SHORT),
    ("ta (2 character prefix)", "ta", False, SHORT),
    ("%ta (2 character substring)", "%ta", False, SHORT),
    ("%qz (2 character, absent)", "%qz", False, SHORT),
    ("%müller (accent typed)", "%müller", False, FAST),
    ("%muller (folded)", "%muller", False, FAST),
    ("%lindstrom (folded)", "%lindstrom", False, FAST),
    ("%o’neil (typographic apostrophe)", "%o\u2019neil", False, FAST),
    ("emile (É folded)", "emile", False, FAST),
    ("%o neil (a space for the apostrophe)", "%o neil", False, FAST),
    ("%obrien (apostrophe left out)", "%obrien", False, FAST),
]


@dataclass
class Case:
    name: str
    filter: OrderFilter
    target_ms: dict[str, float]
    after: Cursor | None = None
    # A later page is read without its count, as the order list does (it has the count
    # from the first page of the same filter).
    with_count: bool = True
    # (SQL, parameters, whether it ran on the plan-once connections: Database.reading)
    statements: list[tuple[str, Any, bool]] = field(default_factory=list)


@dataclass
class Result:
    matches: str
    ours: float
    bare: float


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
    o = t.orders
    with services.db.reading() as conn:
        newest = conn.execute(select(func.max(o.c.created_at))).scalar_one()
        total = conn.execute(select(func.count()).select_from(o)).scalar_one()
        some_email = conn.execute(
            select(o.c.email_key)
            .where(o.c.email_key.is_not(None))
            .order_by(o.c.id)
            .limit(1)
            .offset(total // 2)
        ).scalar_one()
        # A caller's number: a US customer of an order halfway, and the busiest customer's (the
        # demo's first customer, Mercy Taylor, has ~0.07% of all orders).
        some_phone = conn.execute(
            select(o.c.customer_phone)
            .where(o.c.customer_phone != "", o.c.market_code == "US")
            .order_by(o.c.id)
            .limit(1)
            .offset(total // 4)
        ).scalar_one()
        busiest_phone = conn.execute(
            select(t.customers.c.phone).where(t.customers.c.id == 1)
        ).scalar_one()
    filters = dict(statuses=STATUSES, markets=MARKETS, created_from=newest - timedelta(days=365))
    cases = [
        Case(label, OrderFilter(text=text, **(filters if broad else {})), target)
        for label, text, broad, target in TERMS
    ]
    digits = "".join(ch for ch in some_phone if ch.isdigit())  # 1555 01x xxxx
    # The same number as a caller may read it: the second group in parentheses, the rest
    # joined by hyphens.
    groups = re.split(r"[\s().-]+", some_phone)
    regrouped = f"{groups[0]} ({groups[1]}) {'-'.join(groups[2:])}"
    busiest = "".join(ch for ch in busiest_phone if ch.isdigit())
    phone_cases = [
        ("phone as stored (+1 555-01x-xxxx)", some_phone, False),
        ("phone in other punctuation (+1 (555) 01x-xxxx)", regrouped, False),
        ("phone, 10 digits (no order number)", digits[1:], False),
        ("phone, last 4 digits (%dddd)", "%" + digits[-4:], False),
        ("phone, last 4 of the busiest customer", "%" + busiest[-4:], False),
        ("phone, absent", "+1 555 000 0000", False),
        ("phone + status, market, date", digits[1:], True),
    ]
    cases += [
        Case(
            label, OrderFilter(text=text, **(filters if broad else {})), COMBINED if broad else FAST
        )
        for label, text, broad in phone_cases
    ]
    cases += [
        Case("email, exact", OrderFilter(text=some_email), EXACT),
        Case("order number, exact", OrderFilter(text=f"PO{1000 + total // 2}"), EXACT),
        Case("status + markets + date, page 1", OrderFilter(**filters), EXACT),
    ]
    # The 1,000th page, read by keyset as the screen would: the cursor of row 49,950 comes
    # from one OFFSET query.
    with services.db.reading() as conn:
        probe = conn.execute(
            select(o.c.created_at, o.c.id)
            .where(
                o.c.status.in_(sorted(s.value for s in STATUSES)),
                o.c.market_code.in_(sorted(MARKETS)),
                o.c.created_at >= filters["created_from"],
            )
            .order_by(o.c.created_at.desc(), o.c.id.desc())
            .limit(1)
            .offset(999 * 50 - 1)
        ).first()
    cursor = Cursor(probe.created_at, probe.id) if probe is not None else None
    cases.append(
        Case(
            "same filter, page 1,000 (keyset, no count)",
            OrderFilter(**filters),
            EXACT,
            cursor,
            with_count=False,
        )
    )
    return cases


def capture(services: Services, case: Case) -> None:
    """Record the statements one search issues, to replay them on a raw connection of the
    same engine."""
    engines = [(services.db.engine, False), (services.db.plan_once_engine, True)]
    listeners = []
    for engine, plan_once in engines:
        if engine is None:
            continue

        def record(conn, cursor, statement, parameters, context, executemany, p=plan_once):
            if statement.lstrip().upper().startswith(("SELECT", "WITH", "EXPLAIN")):
                case.statements.append((statement, parameters, p))

        event.listen(engine, "before_cursor_execute", record)
        listeners.append((engine, record))
    try:
        services.search_orders(case.filter, after=case.after, with_count=case.with_count)
    finally:
        for engine, record in listeners:
            event.remove(engine, "before_cursor_execute", record)


def measure(url: str, runs: int) -> tuple[str, int, dict[str, Result], dict[str, Case]]:
    db = Database(url)
    services = Services(db, "benchmark")
    with db.reading() as conn:
        total = conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
    raw_conn = db.engine.raw_connection()
    # Prepared once, one generic plan (PostgreSQL), as the list without a term reads.
    plan_once_conn = (db.plan_once_engine or db.engine).raw_connection()
    results: dict[str, Result] = {}
    cases = build_cases(services)
    for case in cases:
        page = services.search_orders(case.filter, after=case.after, with_count=case.with_count)
        ours = median_ms(
            lambda c=case: services.search_orders(c.filter, after=c.after, with_count=c.with_count),
            runs,
        )
        capture(services, case)

        def replay(c: Case = case) -> None:
            for statement, parameters, plan_once in c.statements:
                conn = plan_once_conn if plan_once else raw_conn
                cursor = conn.cursor()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                cursor.close()
            raw_conn.rollback()
            plan_once_conn.rollback()

        bare = median_ms(replay, runs)
        results[case.name] = Result(str(page.count) if case.with_count else "", ours, bare)
    raw_conn.close()
    plan_once_conn.close()
    dialect = db.dialect
    db.close()
    return dialect, total, results, {c.name: c for c in cases}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL", help="the big database")
    parser.add_argument("--small", metavar="URL", help="the same demo data, 10x fewer orders")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    small = measure(args.small, args.runs) if args.small else None
    dialect, total, big, cases = measure(args.database, args.runs)
    title = f"Order search on {dialect}, {total:,} orders ({mask_url(args.database)})"
    if small is not None:
        title += f" and {small[1]:,} ({mask_url(args.small)})"
    table = Table(title=title + f"; median of {args.runs} warm runs, ms")
    columns = ["query", "matches", "csr-tui", "bare SQL"]
    if small is not None:
        columns += [f"matches at {small[1]:,}", f"at {small[1]:,}", "ratio"]
    columns += ["target", ""]
    for col in columns:
        table.add_column(col, justify="left" if col in ("query", "") else "right")
    worst_ratio = 0.0
    over = 0
    for name, result in big.items():
        target = cases[name].target_ms[dialect]
        row = [name, result.matches, f"{result.ours:.2f}", f"{result.bare:.2f}"]
        if small is not None:
            little = small[2][name]
            ratio = result.ours / little.ours
            worst_ratio = max(worst_ratio, ratio)
            row += [little.matches, f"{little.ours:.2f}", f"{ratio:.1f}"]
        over += result.ours >= target
        row += [f"< {target:g}", "ok" if result.ours < target else "OVER"]
        table.add_row(*row, style=None if result.ours < target else "red")
    console = Console(width=170)
    console.print(table)
    summary = f"{over} of {len(big)} over their limit"
    if small is not None:
        summary += f"; largest {small[1]:,} → {total:,} ratio {worst_ratio:.1f}"
    console.print(Text(summary))


if __name__ == "__main__":
    main()
