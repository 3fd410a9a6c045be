"""The database handle the services use: an engine, units of work, and read sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from csr_tui.config import mask_url
from csr_tui.data import migrate
from csr_tui.data.engine import WRITE, DatabaseUnavailable, create_db_engine
from csr_tui.data.repository import (
    AuditLog,
    CartRepository,
    CatalogRepository,
    CustomerRepository,
    OrderRepository,
)
from csr_tui.domain.errors import DomainError


class DatabaseBusy(DomainError):
    """Another agent held the database for longer than the busy timeout."""


def translate(error: BaseException, url: str) -> DomainError | None:
    """The message an agent should read for a database failure, or None if it is no such
    failure. Never a traceback, never a password."""
    if isinstance(error, OperationalError):
        text = str(error.orig).lower() if error.orig else ""
        if "locked" in text or "busy" in text:
            return DatabaseBusy("The database is busy with another agent's change: try again.")
        return DatabaseUnavailable(
            f"Cannot reach the database {mask_url(url)}: {_first_line(error.orig)}"
        )
    if isinstance(error, DBAPIError | SQLAlchemyError):
        return DatabaseUnavailable(
            f"The database {mask_url(url)} refused the request: {_first_line(error)}"
        )
    return None


@contextmanager
def translated_errors(url: str) -> Iterator[None]:
    try:
        yield
    except (SQLAlchemyError, DBAPIError) as error:
        raise (translate(error, url) or error) from error


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class UnitOfWork:
    """One transaction that writes: repositories over one connection, commit or roll back."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url

    def __enter__(self) -> UnitOfWork:
        with translated_errors(self._url):
            self.conn: Connection = self._engine.connect().execution_options(**{WRITE: True})
            self.conn.begin()
        self.catalog = CatalogRepository(self.conn)
        self.customers = CustomerRepository(self.conn)
        self.orders = OrderRepository(self.conn, self.catalog)
        self.carts = CartRepository(self.conn, self.catalog)
        self.audit = AuditLog(self.conn)
        return self

    def commit(self) -> None:
        with translated_errors(self._url):
            self.conn.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with translated_errors(self._url):
            if self.conn.in_transaction():
                self.conn.rollback()
            self.conn.close()
        if exc is not None:
            translated = translate(exc, self._url)
            if translated is not None:
                raise translated from exc


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    def upgrade(self) -> tuple[tuple[str, ...], str]:
        with translated_errors(self.url):
            return migrate.upgrade(self.engine)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.url)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for queries. On SQLite one read transaction: a consistent snapshot.
        PostgreSQL (read committed) gives each statement its own snapshot in a transaction
        too, so reads skip the BEGIN and COMMIT round trips."""
        with translated_errors(self.url), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                with conn.begin():
                    yield conn

    def close(self) -> None:
        self.engine.dispose()
