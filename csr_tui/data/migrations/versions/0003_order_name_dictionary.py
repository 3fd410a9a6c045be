"""order name dictionary: name search through the distinct names, not every order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:00:00

A name search used a trigram index over all 1,000,000 names of the orders: a term with a
`%` inside ("j%smith") then had to check tens of thousands of candidate rows (80-200 ms).
Names repeat, so the trigram index now covers the distinct names (order_names, kept by
triggers on orders), and the orders of the matching names are read through one covering
index (name_key, created_at, id, status, market_code): sorting, filtering and counting
them needs no table row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of csr_tui.data.tables.Key at this revision.
NAME_KEY = sa.String(length=201).with_variant(sa.String(length=201, collation="C"), "postgresql")
NAME_INDEX = "ix_orders_name_key_created_at_id_status_market_code"
NAME_INDEX_COLUMNS = ["name_key", "created_at", "id", "status", "market_code"]


def upgrade() -> None:
    op.create_table(
        "order_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_key", NAME_KEY, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_names")),
        sa.UniqueConstraint("name_key", name=op.f("uq_order_names_name_key")),
    )
    op.execute(
        "INSERT INTO order_names (name_key) SELECT DISTINCT name_key FROM orders ORDER BY name_key"
    )
    op.drop_index("ix_orders_name_key", table_name="orders")
    op.create_index(NAME_INDEX, "orders", NAME_INDEX_COLUMNS)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()


def _sqlite_upgrade() -> None:
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER orders_fts_{event}")
    op.execute("DROP TABLE orders_fts")
    op.execute(
        "CREATE VIRTUAL TABLE order_names_fts USING fts5(name_key, content='order_names', "
        "content_rowid='id', tokenize='trigram')"
    )
    op.execute("INSERT INTO order_names_fts(order_names_fts) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER order_names_fts_insert AFTER INSERT ON order_names BEGIN "
        "INSERT INTO order_names_fts(rowid, name_key) VALUES (new.id, new.name_key); END"
    )
    op.execute(
        "CREATE TRIGGER orders_name_insert AFTER INSERT ON orders BEGIN "
        "INSERT OR IGNORE INTO order_names (name_key) VALUES (new.name_key); END"
    )
    op.execute(
        "CREATE TRIGGER orders_name_update AFTER UPDATE OF name_key ON orders BEGIN "
        "INSERT OR IGNORE INTO order_names (name_key) VALUES (new.name_key); END"
    )


def _postgresql_upgrade() -> None:
    op.execute("DROP INDEX ix_orders_name_key_trgm")
    op.execute(
        "CREATE INDEX ix_order_names_name_key_trgm ON order_names USING gin (name_key gin_trgm_ops)"
    )
    op.execute(
        "CREATE FUNCTION order_names_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO order_names (name_key) VALUES (NEW.name_key) ON CONFLICT DO NOTHING; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER orders_name AFTER INSERT OR UPDATE OF name_key ON orders "
        "FOR EACH ROW EXECUTE FUNCTION order_names_add()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("orders_name_insert", "orders_name_update", "order_names_fts_insert"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE order_names_fts")
        op.execute(
            "CREATE VIRTUAL TABLE orders_fts USING fts5(name_key, content='orders', "
            "content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO orders_fts(orders_fts) VALUES ('rebuild')")
        op.execute(
            "CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN "
            "INSERT INTO orders_fts(rowid, name_key) VALUES (new.id, new.name_key); END"
        )
        op.execute(
            "CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN "
            "INSERT INTO orders_fts(orders_fts, rowid, name_key) "
            "VALUES ('delete', old.id, old.name_key); END"
        )
        op.execute(
            "CREATE TRIGGER orders_fts_update AFTER UPDATE OF name_key ON orders BEGIN "
            "INSERT INTO orders_fts(orders_fts, rowid, name_key) "
            "VALUES ('delete', old.id, old.name_key); "
            "INSERT INTO orders_fts(rowid, name_key) VALUES (new.id, new.name_key); END"
        )
    else:
        op.execute("DROP TRIGGER orders_name ON orders")
        op.execute("DROP FUNCTION order_names_add()")
        op.execute(
            "CREATE INDEX ix_orders_name_key_trgm ON orders USING gin (name_key gin_trgm_ops)"
        )
    op.drop_index(NAME_INDEX, table_name="orders")
    op.create_index("ix_orders_name_key", "orders", ["name_key"])
    op.drop_table("order_names")
