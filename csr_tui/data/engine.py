"""Engines for the embedded SQLite default and for PostgreSQL.

SQLite serves several agents on one host: WAL lets readers run beside the writer, write
transactions start with BEGIN IMMEDIATE so that two writers never both read then deadlock
on the upgrade to a write lock, and writers take their turns first come, first served
(writer_queue.py) instead of by luck in SQLite's busy handler.

PostgreSQL: no server-side prepared statements on the engine every query uses (a LIKE
needs a plan made for its pattern); the order list without a search term has an engine of
its own whose statements are prepared once and keep one plan (`create_plan_once_engine`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from csr_tui.config import mask_url
from csr_tui.data.faults import DatabaseUnavailable, not_writable
from csr_tui.data.schema import BUSY_TIMEOUT_SECONDS
from csr_tui.data.writer_queue import WriterQueue

WRITE = "csr_write"  # execution option: this transaction will write
TICKET = "csr_writer_ticket"  # in a pooled connection's info: its turn in the writer queue
SUPPORTED = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"


def sqlite_file(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def prepare_sqlite_file(path: Path) -> None:
    """Create the folder 0700 and the file 0600 before SQLite does, so no other login can
    read the orders; SQLite gives its -wal and -shm files the database file's mode."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def create_db_engine(url_text: str, **kwargs: Any) -> Engine:
    try:
        url = make_url(url_text)
    except Exception:
        raise DatabaseUnavailable(f"'{mask_url(url_text)}' is not a database URL.") from None
    authority = url_text.partition("://")[2].split("/", 1)[0]
    if authority.count("@") > 1:
        raise DatabaseUnavailable(
            f"{mask_url(url_text)}: an '@' in a user name or password must be written %40."
        )
    if url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"):
        raise DatabaseUnavailable(
            f"{mask_url(url_text)}: the driver '{url.drivername}' is not supported; "
            f"use {SUPPORTED}."
        )
    if url.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            try:
                prepare_sqlite_file(path)
            except PermissionError:
                raise not_writable(path) from None
            except OSError as error:
                raise DatabaseUnavailable(f"Cannot create {path}: {error.strerror}.") from None
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine, path)
        return engine
    # No server-side prepared statements: after five runs PostgreSQL may switch to a
    # generic plan, which cannot judge a LIKE pattern (a 60 ms search became 700 ms).
    # No ping before each use of a pooled connection (a round trip, a fifth of a search
    # without a term): a connection the server dropped fails at its first statement,
    # SQLAlchemy then discards every pooled connection as old, and the read or the write
    # runs again on a new one (Database.query/read/write, ConnectionLost).
    return create_engine(
        url.set(drivername="postgresql+psycopg"),
        connect_args={"prepare_threshold": None},
        **kwargs,
    )


def create_plan_once_engine(engine: Engine) -> Engine:
    """PostgreSQL connections for statements whose best plan is the same whatever their
    values: the order list without a search term (index ranges of status, market and
    date, the per-day counts). Each statement is prepared on its first run on a connection
    and keeps a generic plan, so that PostgreSQL neither parses nor plans it again (of
    the ~2 ms such a page and its count took on the server, ~1 ms was parsing and
    planning). Never for a LIKE: a generic plan cannot judge a pattern. Autocommit:
    the list's reads need no transaction (each statement reads its own snapshot)."""
    plan_once = create_engine(
        engine.url,
        connect_args={"prepare_threshold": 0},
        isolation_level="AUTOCOMMIT",
        pool_size=2,
        max_overflow=3,
    )

    @event.listens_for(plan_once, "connect")
    def _generic_plans(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("SET plan_cache_mode = force_generic_plan")

    return plan_once


def _configure_sqlite(engine: Engine, path: Path | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); pysqlite's own implicit BEGIN would defeat it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # No memory map (SQLite's default): each pooled connection maps the file on its own
        # and every page it touches counts in the process's memory (1 GB maps, four
        # connections: 430 MB after 50 searches). Reads go through the system's file cache
        # instead, and the searches, which read few pages now, were no slower at 1M orders.
        cursor.close()

    queue = WriterQueue.beside(path) if path is not None else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # each statement commits itself (a BEGIN here was never committed)
        if not options.get(WRITE, False):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.connection.info
        if queue is not None and TICKET not in info:
            ticket = queue.enter(BUSY_TIMEOUT_SECONDS)
            if ticket is not None:
                info[TICKET] = ticket
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            _leave(None, connection.connection)
            raise

    def _leave(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        if record.info.pop(TICKET, None) is not None and queue is not None:
            queue.leave()

    # The turn ends when the connection goes back to the pool, after its COMMIT or
    # ROLLBACK (or when it is thrown away).
    event.listen(engine, "checkin", _leave)
    event.listen(engine, "invalidate", _leave)
