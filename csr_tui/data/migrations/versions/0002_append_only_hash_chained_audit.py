"""append-only, hash-chained audit log with the real account and database role

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:00:00

The audit log gains who really acted (the operating-system account; on PostgreSQL the
database role, checked by a trigger against current_user), the customer a record is about,
and a hash chain. Records written before this revision are chained here, in id order, as
they are (account and role unknown: NULL); from here on nobody may UPDATE or DELETE a
record (triggers on both databases).
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of csr_tui.data.audit's chain as it is at this revision (a test checks that
# `csr-tui audit verify` accepts what this migration chains).
GENESIS = "0" * 64
CONTENT = (
    "order_number",
    "cart_id",
    "customer_id",
    "action",
    "agent",
    "account",
    "db_role",
    "at",
    "changes",
)
BATCH = 2000


def _canonical(content: dict) -> str:
    values = dict(content)
    at = values["at"]
    if isinstance(at, str):  # SQLite keeps UTC text
        at = datetime.strptime(at, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    values["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(values["changes"], str):
        values["changes"] = json.loads(values["changes"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _chain_existing_records() -> None:
    bind = op.get_bind()
    audit = sa.table(
        "audit_log",
        sa.column("id"),
        sa.column("prev_hash"),
        sa.column("hash"),
        *(sa.column(c) for c in CONTENT),
    )
    prev, last = GENESIS, None
    while True:
        query = sa.select(audit).order_by(audit.c.id).limit(BATCH)
        if last is not None:
            query = query.where(audit.c.id > last)
        rows = bind.execute(query).mappings().all()
        updates = []
        for row in rows:
            content = {c: row[c] for c in CONTENT}
            digest = hashlib.sha256(f"{prev}\n{_canonical(content)}".encode()).hexdigest()
            updates.append({"row_id": row["id"], "prev": prev, "digest": digest})
            prev = digest
        if updates:
            bind.execute(
                audit.update()
                .where(audit.c.id == sa.bindparam("row_id"))
                .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")),
                updates,
            )
        if len(rows) < BATCH:
            return
        last = rows[-1]["id"]


SQLITE_TRIGGERS = {
    "audit_log_no_update": "BEFORE UPDATE",
    "audit_log_no_delete": "BEFORE DELETE",
}


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("customer_id", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("account", sa.String(length=100), nullable=True))
    op.add_column("audit_log", sa.Column("db_role", sa.String(length=100), nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_log_customer_id", "audit_log", ["customer_id"])
    _chain_existing_records()
    if op.get_bind().dialect.name == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} ON audit_log BEGIN "
                "SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
        return
    op.execute(
        """
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION audit_log_check_role() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.db_role IS DISTINCT FROM current_user::text THEN
                RAISE EXCEPTION 'audit record names role %, but current_user is %',
                    NEW.db_role, current_user USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_role BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_check_role()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name in ("audit_log_no_change", "audit_log_no_truncate", "audit_log_role"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
        op.execute("DROP FUNCTION IF EXISTS audit_log_check_role()")
    op.drop_index("ix_audit_log_customer_id", table_name="audit_log")
    for column in ("hash", "prev_hash", "db_role", "account", "customer_id"):
        with op.batch_alter_table("audit_log") as batch_op:
            batch_op.drop_column(column)
