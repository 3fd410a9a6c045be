"""folded name keys: names found as callers say them (accents, apostrophes, Unicode forms)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 12:10:00

csr_tui.domain.search.search_key now folds names as a person compares them (NFKC, case
folding, accents removed, ø/æ/ł/… as typed on a US keyboard, apostrophes and hyphens
dropped). The stored keys are rebuilt with that same function: of customers, of orders
(through their distinct name and key pairs: only the orders of the pairs whose key
changes are written, a range of ids at a time so that `db upgrade` can show how far it
is), of the order-name
dictionary (the triggers add the new keys; keys no order has any more are removed) and of
product variants; on SQLite the FTS5 trigram tables are rebuilt over the new keys. Only
rows whose key changes are written.
"""

from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from alembic import op

from csr_tui.data.migrate import id_batches, report
from csr_tui.domain.search import search_key

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _casefolded(text: str) -> str:
    """The key before this revision (frozen copy), for downgrade."""
    return " ".join(text.split()).casefold()


def upgrade() -> None:
    _rebuild(search_key)


def downgrade() -> None:
    _rebuild(_casefolded)


def _rebuild(search_key: Callable[[str], str]) -> None:
    conn = op.get_bind()
    report("0005: name keys of the customers")
    customers = conn.exec_driver_sql("SELECT id, first_name, last_name FROM customers")
    _rekey(
        "customers",
        "id",
        "name_key",
        ((r.id, search_key(f"{r.first_name} {r.last_name}")) for r in customers),
        "INTEGER",
    )
    _rekey_orders(search_key)
    conn.exec_driver_sql(
        "DELETE FROM order_names WHERE NOT EXISTS "
        "(SELECT 1 FROM orders WHERE orders.name_key = order_names.name_key)"
    )
    report("0005: search keys of the product variants")
    variants = conn.exec_driver_sql("SELECT id, sku, name, description FROM variants")
    _rekey(
        "variants",
        "id",
        "search_key",
        ((r.id, search_key(f"{r.sku} {r.name} {r.description}")) for r in variants),
        "INTEGER",
    )
    if conn.dialect.name == "sqlite":
        report("0005: the trigram indexes")
        for fts in ("order_names_fts", "customers_fts", "variants_fts"):
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _rekey(
    table: str,
    by: str,
    key: str,
    keys: Iterable[tuple[object, str]],
    by_sql: str = "TEXT",
) -> None:
    """Set `key` of the rows of `table` whose `by` is each pair's first value."""
    conn = op.get_bind()
    rows = [{"by": b, "key": k} for b, k in keys]
    if not rows:
        return
    # The keys compare byte-wise, as the key columns do (collation "C" on PostgreSQL).
    key_sql = 'TEXT COLLATE "C"' if conn.dialect.name == "postgresql" else "TEXT"
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE new_keys (by_value {by_sql} PRIMARY KEY, new_key {key_sql})"
    )
    conn.execute(sa.text("INSERT INTO new_keys VALUES (:by, :key)"), rows)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE new_keys")  # how many: the join's plan
    conn.exec_driver_sql(
        f"UPDATE {table} SET {key} = k.new_key FROM new_keys k "
        f"WHERE k.by_value = {table}.{by} AND {table}.{key} <> k.new_key"
    )
    conn.exec_driver_sql("DROP TABLE new_keys")


def _rekey_orders(search_key: Callable[[str], str]) -> None:
    """The orders' keys, through their distinct (name, key) pairs: of 1,000,000 demo
    orders 14,827 change, so only the pairs whose key changes are written into the table
    the UPDATE joins (a few hundred), and the orders are read a range of ids at a time,
    reporting how far it is. (Not through the name index: on PostgreSQL the indexes 0004
    built again in this transaction cannot be used by it.)"""
    step = "0005: name keys of the orders"
    report(step)
    conn = op.get_bind()
    pairs = conn.exec_driver_sql("SELECT DISTINCT customer_name, name_key FROM orders")
    changes = [
        {"name": name, "old": old, "new": new}
        for name, old in pairs
        if (new := search_key(name)) != old
    ]
    if not changes:
        return
    key_sql = 'TEXT COLLATE "C"' if conn.dialect.name == "postgresql" else "TEXT"
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE changed_keys (old_key {key_sql}, name TEXT, "
        f"new_key {key_sql}, PRIMARY KEY (old_key, name))"
    )
    conn.execute(sa.text("INSERT INTO changed_keys VALUES (:old, :name, :new)"), changes)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE changed_keys")  # how many: the join's plan
    batches = id_batches(conn, "orders")
    first, last = batches[0][0], batches[-1][1]
    for low, high in batches:
        conn.exec_driver_sql(
            "UPDATE orders SET name_key = k.new_key FROM changed_keys k "
            "WHERE k.old_key = orders.name_key AND k.name = orders.customer_name "
            f"AND orders.id BETWEEN {low} AND {high}"
        )
        report(step, high - first + 1, last - first + 1)
    conn.exec_driver_sql("DROP TABLE changed_keys")
