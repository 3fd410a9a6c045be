"""Alembic environment: runs on the connection csr-tui hands over (see data/migrate.py)."""

from alembic import context
from sqlalchemy import text

from csr_tui.data.engine import create_db_engine
from csr_tui.data.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # run from the alembic command line while developing
        engine = create_db_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _migrate(connection)
            connection.commit()
        return
    _migrate(connection)


def _applied(*, step, **_kwargs) -> None:
    told = config.attributes.get("report")
    if told is not None and step.up_revision_id is not None:
        told.applied(step.up_revision_id)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        on_version_apply=_applied,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two agents starting at once on a new database: one migrates, the other waits.
            connection.execute(text("SELECT pg_advisory_xact_lock(742311)"))
        context.run_migrations()


run()
