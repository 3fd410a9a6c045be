"""Apply Alembic migrations on start and on `csr-tui db upgrade`; refuse newer databases."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from csr_tui.data.engine import WRITE
from csr_tui.domain.errors import DomainError

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaTooNew(DomainError):
    """The database was migrated by a newer csr-tui than this one."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revisions(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def check_not_newer(connection: Connection) -> None:
    script = ScriptDirectory.from_config(_config())
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in current_revisions(connection) if rev not in known]
    if unknown:
        raise SchemaTooNew(
            f"This database has schema revision {', '.join(unknown)}, made by a newer "
            "csr-tui. Upgrade csr-tui to use it; nothing was changed."
        )


def upgrade(engine: Engine) -> tuple[tuple[str, ...], str]:
    """Bring the schema to head. Returns (revisions before, revision after)."""
    with engine.connect().execution_options(**{WRITE: True}) as connection:
        check_not_newer(connection)
        before = current_revisions(connection)
        connection.commit()
        head = head_revision()
        if before != (head,):
            command.upgrade(_config(connection), "head")
            connection.commit()
    return before, head
