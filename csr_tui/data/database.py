"""The database handle the services use: an engine, units of work, and snapshot reads.

- A write runs in a unit of work (`Database.write`): one transaction that loads the
  aggregate (locking its row on PostgreSQL), changes it, saves it with its version
  checked, writes the audit record, and commits. What does not involve the copy the agent
  saw is retried with jittered backoff: a stock counter that moved, a PostgreSQL
  serialization failure or deadlock, a connection lost before COMMIT. A lost connection
  during COMMIT is never retried: nobody knows whether it was applied.
- An aggregate is read in one snapshot (`Database.read`): a REPEATABLE READ, READ ONLY
  transaction on PostgreSQL, a read transaction on SQLite (WAL). A read is retried once
  if the connection was lost.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from csr_tui.config import mask_url
from csr_tui.data import migrate
from csr_tui.data.audit import AuditLog
from csr_tui.data.engine import WRITE, create_db_engine, create_plan_once_engine
from csr_tui.data.faults import (
    ConnectionLost,
    DatabaseBusy,
    DatabaseUnavailable,
    Retryable,
    classify,
    sqlite_path,
)
from csr_tui.data.repository import (
    CartRepository,
    CatalogRepository,
    CustomerRepository,
    OrderRepository,
)
from csr_tui.data.sharing import sharing_warnings
from csr_tui.domain.errors import DomainError, StockChanged

__all__ = ["Database", "DatabaseBusy", "DatabaseUnavailable", "ReadUnit", "UnitOfWork"]

T = TypeVar("T")

WRITE_ATTEMPTS = 10
READ_ATTEMPTS = 2
BACKOFF_SECONDS = 0.005  # first retry waits up to this long, doubling up to MAX_BACKOFF
MAX_BACKOFF_SECONDS = 0.25


@contextmanager
def translated_errors(url: str, *, committing: bool = False) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        translated = classify(error, url, committing=committing)
        if translated is None:
            raise
        raise translated from error


def backoff(attempt: int) -> None:
    """Sleep a random time that grows with the attempt, so that colliding agents spread."""
    time.sleep(random.uniform(0, min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**attempt)))


class ReadUnit:
    """Repositories over one connection that sees one consistent snapshot."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.catalog = CatalogRepository(conn)
        self.customers = CustomerRepository(conn)
        self.orders = OrderRepository(conn, self.catalog)
        self.carts = CartRepository(conn, self.catalog)
        self.audit = AuditLog(conn)


class UnitOfWork:
    """One transaction that writes: repositories over one connection, commit or roll back.
    Aggregates (orders, carts, customers) are loaded with their row locked (FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already excludes other writers), so what is read is
    what is saved over. Locks are taken in one order: orders (by number) or the cart, the
    customer, the order-number counter, the stock counters (by SKU), the audit chain's head;
    so two transactions never wait for each other in a circle."""

    def __init__(self, engine: object, url: str) -> None:
        self._engine = engine
        self._url = url

    def __enter__(self) -> UnitOfWork:
        with translated_errors(self._url):
            self.conn: Connection = self._engine.connect().execution_options(  # type: ignore[attr-defined]
                **{WRITE: True}
            )
            self.conn.begin()
        self.catalog = CatalogRepository(self.conn)
        self.customers = CustomerRepository(self.conn, lock=True)
        self.orders = OrderRepository(self.conn, self.catalog, lock=True)
        self.carts = CartRepository(self.conn, self.catalog, lock=True)
        self.audit = AuditLog(self.conn)
        return self

    def commit(self) -> None:
        """Write the audit records (the last lock taken: the chain's head), then commit."""
        with translated_errors(self._url):
            self.audit.flush()
        with translated_errors(self._url, committing=True):
            self.conn.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            with translated_errors(self._url):
                if self.conn.in_transaction():
                    self.conn.rollback()
        except DomainError:
            # A broken connection cannot roll back (the server already has); the error
            # that broke the transaction is the one to report.
            if exc is None:
                raise
        finally:
            self.conn.close()
        if isinstance(exc, SQLAlchemyError):
            translated = classify(exc, self._url)
            if translated is not None:
                raise translated from exc


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self.plan_once_engine: Engine | None = (
            create_plan_once_engine(self.engine) if self.dialect == "postgresql" else None
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    def warnings(self) -> list[str]:
        """What an agent should know before relying on this database (e.g. a SQLite file
        that any login on the host may change)."""
        path = sqlite_path(self.url)
        return sharing_warnings(path) if path is not None else []

    def upgrade(self, report: migrate.Reporter | None = None) -> tuple[tuple[str, ...], str]:
        with translated_errors(self.url):
            return migrate.upgrade(self.engine, report)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.url)

    def faults_explained(self) -> AbstractContextManager[None]:
        """Database failures in the block become messages an agent can act on."""
        return translated_errors(self.url)

    def write(self, change: Callable[[UnitOfWork], T], attempts: int = WRITE_ATTEMPTS) -> T:
        """Run `change` in a unit of work and commit; run it again (a new transaction, a
        fresh load) after a transient fault, up to `attempts` times."""
        attempt = 1
        while True:
            try:
                with self.unit_of_work() as uow:
                    result = change(uow)
                    uow.commit()
                return result
            except (Retryable, StockChanged):
                if attempt == attempts:
                    raise
                backoff(attempt)
                attempt += 1

    @contextmanager
    def snapshot(self) -> Iterator[ReadUnit]:
        """Repositories that read one consistent snapshot of the database."""
        with translated_errors(self.url), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with conn.begin():
                yield ReadUnit(conn)

    def read(self, query: Callable[[ReadUnit], T]) -> T:
        """`query` over one snapshot; run once more if the connection was lost."""
        return self._retrying_read(lambda: self._in_snapshot(query))

    def _in_snapshot(self, query: Callable[[ReadUnit], T]) -> T:
        with self.snapshot() as unit:
            return query(unit)

    @contextmanager
    def reading(self, *, plan_once: bool = False) -> Iterator[Connection]:
        """A connection for queries. On SQLite one read transaction: a consistent snapshot.
        PostgreSQL (read committed) gives each statement its own snapshot in a transaction
        too, so reads skip the BEGIN and COMMIT round trips. `plan_once`: on PostgreSQL,
        statements prepared once with one plan for any values (`create_plan_once_engine`);
        only for statements without a LIKE."""
        if self.dialect != "postgresql":
            with translated_errors(self.url), self.engine.connect() as conn, conn.begin():
                yield conn
        elif plan_once and self.plan_once_engine is not None:
            with translated_errors(self.url), self.plan_once_engine.connect() as conn:
                yield conn
        else:
            with translated_errors(self.url), self.engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")

    def query(self, run: Callable[[Connection], T], *, plan_once: bool = False) -> T:
        """A list query on a reading connection; run once more if the connection was lost."""

        def once() -> T:
            with self.reading(plan_once=plan_once) as conn:
                return run(conn)

        return self._retrying_read(once)

    @staticmethod
    def _retrying_read(read: Callable[[], T]) -> T:
        attempt = 1
        while True:
            try:
                return read()
            except ConnectionLost:
                if attempt == READ_ATTEMPTS:
                    raise
                attempt += 1

    def close(self) -> None:
        self.engine.dispose()
        if self.plan_once_engine is not None:
            self.plan_once_engine.dispose()
