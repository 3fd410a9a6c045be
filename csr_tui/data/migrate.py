"""Apply Alembic migrations on start and on `csr-tui db upgrade`; refuse newer databases.

Alembic is imported only when the schema is not already at HEAD: an up-to-date database
costs start-up one small query, not the loading of every migration script.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, Engine, inspect, text

from csr_tui.data.engine import WRITE
from csr_tui.data.schema import HEAD
from csr_tui.domain.errors import DomainError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaTooNew(DomainError):
    """The database was migrated by a newer csr-tui than this one."""


class SchemaUnknown(DomainError):
    """The tables exist but the record of their revision (alembic_version) is empty."""


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revisions(connection: Connection) -> tuple[str, ...]:
    if not inspect(connection).has_table("alembic_version"):
        return ()
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return tuple(sorted(rows.scalars()))


def check_revision_known(connection: Connection) -> None:
    """Tables without a revision cannot be migrated safely: creating them again fails
    ("table audit_log already exists"), and guessing their revision could skip a step."""
    if current_revisions(connection) or not inspect(connection).has_table("orders"):
        return
    recorded = inspect(connection).has_table("alembic_version")
    raise SchemaUnknown(
        "This database has csr-tui's tables but "
        + ("its alembic_version table is empty" if recorded else "no alembic_version table")
        + ", so nobody knows which schema revision they are at (was it restored from a "
        "partial dump, or the table emptied by hand?). Nothing was changed. Restore "
        "alembic_version from the same backup as the tables, or, if you know the revision, "
        f"record it: INSERT INTO alembic_version VALUES ('{HEAD}') when the schema is "
        "this csr-tui's."
    )


def check_not_newer(connection: Connection) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in current_revisions(connection) if rev not in known]
    if unknown:
        raise SchemaTooNew(
            f"This database has schema revision {', '.join(unknown)}, made by a newer "
            "csr-tui. Upgrade csr-tui to use it; nothing was changed."
        )


class Reporter(Protocol):
    """Told how an upgrade goes (`csr-tui db upgrade` shows it)."""

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        """A step of a migration: begun (another text than the last), or `done` of `total`
        so far (rows or ids of its table)."""

    def applied(self, revision: str) -> None:
        """A revision was applied (its last step has ended)."""


def report(step: str, done: int | None = None, total: int | None = None) -> None:
    """From inside a migration: say what it is doing now and, for a step done in batches,
    how far it is."""
    from alembic import context

    told: Reporter | None = context.config.attributes.get("report")
    if told is not None:
        told(step, done, total)


def id_batches(connection: Connection, table: str, size: int = 50_000) -> list[tuple[int, int]]:
    """Ranges of `table`.id (inclusive, `size` ids each) that cover its rows: a big UPDATE
    done a range at a time can report how far it is."""
    low, high = connection.exec_driver_sql(f"SELECT min(id), max(id) FROM {table}").one()
    if low is None:
        return []
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


@contextmanager
def indexes_rebuilt(connection: Connection, table: str, step: str) -> Iterator[None]:
    """On PostgreSQL, for an UPDATE of most rows of `table`: its indexes that no constraint
    owns are dropped, then created again (a sort each, reported as `step`). PostgreSQL
    writes a new version of each row updated and, the pages being full (no in-place "HOT"
    update), an entry in every index for it: at 1,000,000 orders that was most of the
    time. SQLite rewrites a row in place and touches only the indexes of the columns
    changed: nothing is dropped there."""
    if connection.dialect.name != "postgresql":
        yield
        return
    indexes = connection.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
        f"AND tablename = '{table}' AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY indexname"
    ).all()
    for name, _definition in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    # Each index sorted in memory (the default, 64 MB, sorts 1,000,000 keys on disk); for
    # this transaction only.
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for n, (_name, definition) in enumerate(indexes):
        report(step, n, len(indexes))
        connection.exec_driver_sql(definition)


def upgrade(engine: Engine, report: Reporter | None = None) -> tuple[tuple[str, ...], str]:
    """Bring the schema to head, telling `report` each step of a long migration, how far it
    is, and each revision applied. Returns (revisions before, revision after)."""
    with engine.connect() as connection:
        before = current_revisions(connection)
    if before == (HEAD,):
        return before, HEAD
    from alembic import command

    with engine.connect().execution_options(**{WRITE: True}) as connection:
        check_revision_known(connection)
        check_not_newer(connection)
        before = current_revisions(connection)
        connection.commit()
        head = head_revision()
        if before != (head,):
            config = _config(connection)
            config.attributes["report"] = report
            command.upgrade(config, "head")
            connection.commit()
    return before, head
