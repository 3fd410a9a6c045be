"""phone search keys: orders and customers found by the digits of a phone number

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:45:00

Each order (from the customer phone it carries) and each customer gets `phone_key`: the
digits of the number without a trunk or international prefix, last digit first
(csr_tui.domain.search.phone_key). "The number ends with these digits" is then a prefix of
the key, which the covering index (phone_key, created_at, id, status, market_code) answers
as a range, as a name's orders are read. Existing rows get their keys from the same Python
function: the distinct numbers (one per customer, not per order) are keyed here and
written with UPDATE ... FROM, a range of ids at a time (so that `db upgrade` can show how
far it is).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from csr_tui.data.migrate import id_batches, indexes_rebuilt, report
from csr_tui.domain.search import phone_key

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of csr_tui.data.tables.Key(40) at this revision.
PHONE_KEY = sa.String(length=40).with_variant(sa.String(length=40, collation="C"), "postgresql")
PHONE_INDEX = "ix_orders_phone_key_created_at_id_status_market_code"
PHONE_INDEX_COLUMNS = ["phone_key", "created_at", "id", "status", "market_code"]


def upgrade() -> None:
    for table in ("orders", "customers"):
        op.add_column(table, sa.Column("phone_key", PHONE_KEY, nullable=False, server_default=""))
    conn = op.get_bind()
    # Every order is updated: on PostgreSQL its indexes are built again after, see
    # indexes_rebuilt (at 1,000,000 orders 89 s -> 25 s for the keys, plus 26 s for the
    # indexes, measured at load ~3). For the 50,000 customers that gains nothing.
    with indexes_rebuilt(conn, "orders", "0004: the orders' indexes"):
        _fill("orders", "customer_phone", "0004: phone keys of the orders")
    _fill("customers", "phone", "0004: phone keys of the customers")
    report("0004: the orders' phone index")
    op.create_index(PHONE_INDEX, "orders", PHONE_INDEX_COLUMNS)


def _fill(table: str, phone: str, step: str) -> None:
    """Key the phone numbers of `table`: the distinct numbers (one per customer, not per
    order) keyed here, then written a range of ids at a time."""
    report(step)
    conn = op.get_bind()
    numbers = conn.exec_driver_sql(
        f"SELECT DISTINCT {phone} FROM {table} WHERE {phone} <> ''"
    ).scalars()
    keys = [{"phone": number, "phone_key": phone_key(number)} for number in numbers]
    keys = [k for k in keys if k["phone_key"]]
    if not keys:
        return
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE phone_keys (phone VARCHAR(40) PRIMARY KEY, phone_key VARCHAR(40))"
    )
    conn.execute(sa.text("INSERT INTO phone_keys VALUES (:phone, :phone_key)"), keys)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE phone_keys")  # how many: the join's plan
    batches = id_batches(conn, table)
    first, last = batches[0][0], batches[-1][1]
    for low, high in batches:
        conn.exec_driver_sql(
            f"UPDATE {table} SET phone_key = k.phone_key FROM phone_keys k "
            f"WHERE k.phone = {table}.{phone} AND {table}.id BETWEEN {low} AND {high}"
        )
        report(step, high - first + 1, last - first + 1)
    conn.exec_driver_sql("DROP TABLE phone_keys")


def downgrade() -> None:
    op.drop_index(PHONE_INDEX, table_name="orders")
    for table in ("orders", "customers"):
        op.drop_column(table, "phone_key")
