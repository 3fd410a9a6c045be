"""Stopping a read that nobody waits for any more: a search superseded by the next keystroke.

The screen cancels from its own thread; the statement running in the worker's thread stops
at once instead of holding a connection (and the CPU) until it ends: SQLite's
`interrupt()`, a PostgreSQL cancel request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from csr_tui.domain.errors import DomainError


class SearchCancelled(DomainError):
    """The search was cancelled before it finished; nobody waits for its answer."""

    def __init__(self) -> None:
        super().__init__("The search was cancelled.")


class Cancellation:
    """A token one thread cancels while another runs statements on a connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._interrupt: Callable[[], None] | None = None
        self.cancelled = False

    def cancel(self) -> None:
        """Stop the running statement, and every later one. Returns at once."""
        with self._lock:
            if not self.cancelled:
                self.cancelled = True
                if self._interrupt is not None:
                    self._interrupt()

    @contextmanager
    def attached(self, conn: Connection) -> Iterator[None]:
        """While inside, cancel() stops the statement running on `conn`."""
        raw = conn.connection.driver_connection
        sqlite = conn.dialect.name == "sqlite"
        with self._lock:
            # SQLite's interrupt is thread-safe and instant. A PostgreSQL cancel request
            # travels on a new connection to the server: it is sent from a thread of its
            # own, so that the screen never waits for the network.
            self._interrupt = raw.interrupt if sqlite else _in_a_thread(raw.cancel_safe)
        try:
            yield
        finally:
            with self._lock:
                self._interrupt = None
                if self.cancelled and not sqlite:
                    # A cancel request that arrives late would stop the next user's
                    # statement: this connection is closed instead of going back to the pool.
                    conn.invalidate()

    def run(self, conn: Connection, statement: Any, parameters: dict[str, Any]) -> Any:
        if self.cancelled:
            raise SearchCancelled
        try:
            return conn.execute(statement, parameters)
        except DBAPIError:
            if self.cancelled:
                raise SearchCancelled from None
            raise


def _in_a_thread(send: Callable[[], None]) -> Callable[[], None]:
    import psycopg

    def quietly() -> None:
        # If the request cannot be sent (the statement ended, the connection closed), the
        # statement simply runs to its end: nothing to report.
        with suppress(psycopg.Error):
            send()

    def start() -> None:
        threading.Thread(target=quietly, daemon=True, name="csr-tui-cancel").start()

    return start
