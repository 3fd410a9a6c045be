"""order day counts: "10,000+" known without reading 10,001 index entries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 20:00:00

The order list without a search term counted its orders through the index of (status,
market, created_at): up to 10,001 index entries for a broad filter (4-5 ms at 1,000,000
orders on PostgreSQL), most of the list's time. The number of orders of each status, market
and UTC day is now kept in order_day_counts by triggers on orders (an order added, removed,
or moved by a change of its status, market or creation time); a day that has no order of a
status and market has no row. The count reads the counters of the whole days asked for and
the orders of the partial days at either end (queries.OrderList.count).

On PostgreSQL a change that moves an order writes both of its counters in one statement, in
the order of their key: two agents moving orders in opposite directions at once wait for
each other's row, never deadlock.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from csr_tui.data.migrate import report

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The UTC day of an order's created_at (`{}`), as text YYYY-MM-DD: on SQLite created_at is
# stored as UTC ISO text, on PostgreSQL as timestamptz.
DAY = {
    "sqlite": "substr({}, 1, 10)",
    "postgresql": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
}
KEY = ("status", "market_code", "day")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Frozen copy of csr_tui.data.tables.order_day_counts at this revision.
    op.create_table(
        "order_day_counts",
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("market_code", sa.String(length=8), nullable=False),
        sa.Column(
            "day",
            sa.String(length=10).with_variant(sa.String(length=10, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_order_day_counts")),
        sqlite_with_rowid=False,
    )
    report("0007: orders counted by status, market and day")
    day = DAY[dialect].format("created_at")
    op.execute(
        "INSERT INTO order_day_counts (status, market_code, day, orders) "
        f"SELECT status, market_code, {day}, count(*) FROM orders GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    if dialect == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    # SQLite writes one transaction at a time: the order of the rows written is free.
    day = DAY["sqlite"]
    old = (
        "status = old.status AND market_code = old.market_code AND "
        f"day = {day.format('old.created_at')}"
    )
    add = (
        "INSERT INTO order_day_counts (status, market_code, day, orders) VALUES "
        f"(new.status, new.market_code, {day.format('new.created_at')}, 1) "
        "ON CONFLICT (status, market_code, day) DO UPDATE SET orders = orders + 1;"
    )
    remove = (
        f"UPDATE order_day_counts SET orders = orders - 1 WHERE {old}; "
        f"DELETE FROM order_day_counts WHERE {old} AND orders = 0;"
    )
    moved = (
        "old.status IS NOT new.status OR old.market_code IS NOT new.market_code OR "
        f"{day.format('old.created_at')} IS NOT {day.format('new.created_at')}"
    )
    op.execute(f"CREATE TRIGGER orders_day_count_insert AFTER INSERT ON orders BEGIN {add} END")
    op.execute(f"CREATE TRIGGER orders_day_count_delete AFTER DELETE ON orders BEGIN {remove} END")
    op.execute(
        "CREATE TRIGGER orders_day_count_update AFTER UPDATE OF status, market_code, created_at "
        f"ON orders WHEN {moved} BEGIN {remove} {add} END"
    )


def _postgresql_triggers() -> None:
    day = DAY["postgresql"]
    op.execute(
        f"""
CREATE FUNCTION order_day_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day text;
    new_day text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_day := {day.format("OLD.created_at")};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_day := {day.format("NEW.created_at")};
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.market_code = NEW.market_code
            AND old_day = new_day THEN
        RETURN NULL;
    END IF;
    -- Both counters in one statement, in the order of their key (a fixed order of row
    -- locks: no deadlock between two orders moved in opposite directions).
    INSERT INTO order_day_counts AS c (status, market_code, day, orders)
    SELECT v.status, v.market_code, v.day, v.orders FROM (VALUES
        (OLD.status, OLD.market_code, old_day, -1),
        (NEW.status, NEW.market_code, new_day, 1)
    ) AS v (status, market_code, day, orders)
    WHERE v.day IS NOT NULL
    ORDER BY v.status, v.market_code, v.day
    ON CONFLICT (status, market_code, day) DO UPDATE SET orders = c.orders + EXCLUDED.orders;
    IF TG_OP <> 'INSERT' THEN
        -- The row is locked by the statement above: nobody changes it meanwhile.
        DELETE FROM order_day_counts WHERE status = OLD.status
            AND market_code = OLD.market_code AND day = old_day AND orders = 0;
    END IF;
    RETURN NULL;
END $$
"""
    )
    op.execute(
        "CREATE TRIGGER orders_day_count AFTER INSERT OR DELETE OR UPDATE OF status, "
        "market_code, created_at ON orders FOR EACH ROW EXECUTE FUNCTION order_day_counts_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER orders_day_count_{event}")
    else:
        op.execute("DROP TRIGGER orders_day_count ON orders")
        op.execute("DROP FUNCTION order_day_counts_change()")
    op.drop_table("order_day_counts")
