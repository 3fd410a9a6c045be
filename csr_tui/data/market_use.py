"""Which markets the orders and carts use, so that market lists put the busiest first.

Only the newest rows are read (a fixed number, through the created-at and updated-at
indexes), so the cost does not grow with the number of orders: measured in
benchmarks/market_use_benchmark.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Connection, case, func, select

from csr_tui.data import tables as t

RECENT = 2_000  # newest orders (and carts) looked at


@dataclass
class MarketUse:
    """How often each market code was used recently: by one agent, and by everyone."""

    mine: Counter[str] = field(default_factory=Counter)
    everyone: Counter[str] = field(default_factory=Counter)

    def rank(self, codes: list[str]) -> list[str]:
        """`codes` with this agent's most used first, then everyone's, the rest as given."""
        position = {code: i for i, code in enumerate(codes)}
        return sorted(codes, key=lambda c: (-self.mine[c], -self.everyone[c], position[c]))


def market_use(conn: Connection, agent: str, recent: int = RECENT) -> MarketUse:
    use = MarketUse()
    o, c = t.orders, t.carts
    for newest in (
        select(o.c.market_code, o.c.created_by)
        .order_by(o.c.created_at.desc(), o.c.id.desc())
        .limit(recent)
        .subquery(),
        select(c.c.market_code, c.c.created_by)
        .order_by(c.c.updated_at.desc(), c.c.id.desc())
        .limit(recent)
        .subquery(),
    ):
        counts = select(
            newest.c.market_code,
            func.count(),
            func.sum(case((newest.c.created_by == agent, 1), else_=0)),
        ).group_by(newest.c.market_code)
        for code, everyone, mine in conn.execute(counts):
            use.everyone[code] += everyone
            use.mine[code] += mine or 0
    return use
