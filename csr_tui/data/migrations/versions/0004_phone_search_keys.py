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
written with one UPDATE ... FROM per table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from csr_tui.data.migrate import report
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
    report("0004: phone keys of the orders")
    _fill("orders", "customer_phone")
    report("0004: phone keys of the customers")
    _fill("customers", "phone")
    report("0004: the orders' phone index")
    op.create_index(PHONE_INDEX, "orders", PHONE_INDEX_COLUMNS)


def _fill(table: str, phone: str) -> None:
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
    conn.exec_driver_sql(
        f"UPDATE {table} SET phone_key = k.phone_key FROM phone_keys k "
        f"WHERE k.phone = {table}.{phone}"
    )
    conn.exec_driver_sql("DROP TABLE phone_keys")


def downgrade() -> None:
    op.drop_index(PHONE_INDEX, table_name="orders")
    for table in ("orders", "customers"):
        op.drop_column(table, "phone_key")
