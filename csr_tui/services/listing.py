"""The order list's pages, as the services give them; and the command line's listing of a
SQLite file read without SQLAlchemy (data/sqlite_reader.py), which answers as Services
does for what `csr-tui orders list` asks: the market codes, and pages with their count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from csr_tui.data.queries import PAGE_SIZE, Count, Cursor, OrderFilter, OrderList, OrderRow
from csr_tui.data.sqlite_reader import (
    CompiledOrderList,
    NormalPathNeeded,
    SqliteReader,
    open_reader,
)

__all__ = ["NormalPathNeeded", "OrderPage", "ReadOnlyOrders", "read_only_orders", "read_page"]


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    more: bool  # more rows beyond this page, in the direction it was read
    count: Count | None


def read_page(
    order_list: OrderList,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    last: bool = False,
    with_count: bool = True,
    size: int = PAGE_SIZE,
    on_page: Callable[[OrderPage], None] | None = None,
) -> OrderPage:
    """A page of the list and, with_count, its count; `on_page` gets the page first when
    the count takes another query."""
    rows, more = order_list.page(after=after, before=before, last=last, size=size)
    count = order_list.known_count() if with_count else None
    if with_count and count is None:
        if on_page is not None:
            on_page(OrderPage(rows, more, None))
        count = order_list.count()
    return OrderPage(rows, more, count)


class ReadOnlyOrders:
    """The orders of a SQLite file at this code's schema, read-only, without SQLAlchemy."""

    def __init__(self, reader: SqliteReader) -> None:
        self.reader = reader
        self._market_codes: list[str] | None = None

    def warnings(self) -> list[str]:
        """What Database.warnings() says of the same file."""
        return self.reader.warnings

    def market_codes(self) -> list[str]:
        if self._market_codes is None:
            self._market_codes = self.reader.market_codes()
        return self._market_codes

    def search_orders(
        self,
        order_filter: OrderFilter,
        *,
        after: Cursor | None = None,
        with_count: bool = True,
        size: int = PAGE_SIZE,
    ) -> OrderPage:
        """As Services.search_orders; raises NormalPathNeeded when the normal path must answer."""
        codes = self.market_codes()

        def page(reader: SqliteReader) -> OrderPage:
            order_list = CompiledOrderList(reader, order_filter, codes)  # type: ignore[arg-type]
            return read_page(order_list, after=after, with_count=with_count, size=size)

        return self.reader.query(page)

    def __enter__(self) -> ReadOnlyOrders:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.reader.close()


def read_only_orders(url: str) -> ReadOnlyOrders | None:
    """The orders of `url` read this way, or None when the normal path must answer: not
    a plain SQLite file URL, a file missing or not at this code's schema, or one it would
    warn is not writable."""
    from platformdirs import user_cache_dir

    reader = open_reader(url, Path(user_cache_dir("csr-tui")))
    return None if reader is None else ReadOnlyOrders(reader)
