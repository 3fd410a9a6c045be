"""compact name keys: names found however the caller splits them into words

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 14:00:00

A caller spells "O'Neil" as `o neil`, "Mary-Jane" as `mary jane`: the folded keys
(csr_tui.domain.search.search_key) drop the apostrophe and the hyphen, but keep spaces.
Names are now matched without their spaces (domain.search.compact): each searched key gets
`compact_key`, computed by the database from the key (`replace(key, ' ', '')`: virtual on
SQLite, stored on PostgreSQL), on the small tables the substring search reads: the
order-name dictionary (~15,000 names at 1,000,000 orders), customers and product variants.
The trigram indexes (SQLite FTS5, PostgreSQL pg_trgm) move to the compact keys, and a
B-tree over each answers prefixes. The orders themselves are not touched: their names are
looked up in the dictionary, and a walk compacts the key on the index entry it tests.
"""

from collections.abc import Sequence

from alembic import op

from csr_tui.data.migrate import report

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (the key compacted, its SQL type, the B-tree over the compact key: its columns)
COMPACTED = {
    # With the key, the compact form's index holds all a name search reads of a name.
    "order_names": ("name_key", "VARCHAR(201)", ["compact_key", "name_key"]),
    "customers": ("name_key", "VARCHAR(201)", ["compact_key"]),
    "variants": ("search_key", "TEXT", []),
}
# SQLite FTS5 trigram tables: (table, columns before, columns after)
SQLITE_FTS = {
    "order_names_fts": ("order_names", ["name_key"], ["compact_key"]),
    "customers_fts": ("customers", ["name_key", "email_key"], ["compact_key", "email_key"]),
    "variants_fts": ("variants", ["search_key"], ["compact_key"]),
}
# Triggers that keep each FTS5 table in step (events; order_names' rows are only added).
FTS_EVENTS = {
    "order_names_fts": ("insert",),
    "customers_fts": ("insert", "delete", "update"),
    "variants_fts": ("insert", "delete", "update"),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, (key, sql_type, index) in COMPACTED.items():
        report(f"0006: compact keys of {table.replace('_', ' ')}")
        if dialect == "sqlite":
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN compact_key {sql_type} NOT NULL "
                f"GENERATED ALWAYS AS (replace({key}, ' ', '')) VIRTUAL"
            )
        else:
            collate = ' COLLATE "C"' if sql_type.startswith("VARCHAR") else ""
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN compact_key {sql_type}{collate} NOT NULL "
                f"GENERATED ALWAYS AS (replace({key}, ' ', '')) STORED"
            )
            op.execute(f"DROP INDEX ix_{table}_{key}_trgm")
            op.execute(
                f"CREATE INDEX ix_{table}_compact_key_trgm ON {table} "
                "USING gin (compact_key gin_trgm_ops)"
            )
        if index:
            op.create_index(f"ix_{table}_{'_'.join(index)}", table, index)
    if dialect == "sqlite":
        report("0006: the trigram indexes")
        for fts, (table, _before, after) in SQLITE_FTS.items():
            _sqlite_fts(fts, table, after, COMPACTED[table][0])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for fts, (table, before, _after) in SQLITE_FTS.items():
            _sqlite_fts(fts, table, before, COMPACTED[table][0])
    for table, (key, _sql_type, index) in COMPACTED.items():
        if index:
            op.drop_index(f"ix_{table}_{'_'.join(index)}", table_name=table)
        if dialect == "postgresql":
            op.execute(f"DROP INDEX ix_{table}_compact_key_trgm")
            op.execute(
                f"CREATE INDEX ix_{table}_{key}_trgm ON {table} USING gin ({key} gin_trgm_ops)"
            )
        op.execute(f"ALTER TABLE {table} DROP COLUMN compact_key")


def _sqlite_fts(fts: str, table: str, columns: list[str], key: str) -> None:
    """(Re)create the FTS5 trigram table `fts` over `columns` of `table`, its triggers (on
    changes of the key and, for customers, the email) and its contents."""
    events = FTS_EVENTS[fts]
    for event in events:
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
        "content_rowid='id', tokenize='trigram')"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    if "delete" in events:
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
        )
    if "update" in events:
        changed = ", ".join(dict.fromkeys(key if c == "compact_key" else c for c in columns))
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {changed} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
        )
