"""The audit log: append-only, hash-chained, written last in every transaction that changes
an order, a cart, a customer or an address.

Each record's hash is SHA-256 over the previous record's hash and the record's content (its
columns as canonical JSON), so changing or removing any record breaks every link after it;
`verify` walks the chain and names the first broken link. Triggers refuse UPDATE and DELETE
(migration 0002). Writers must not fork the chain: on SQLite, BEGIN IMMEDIATE already
serialises writers; on PostgreSQL a transaction-scoped advisory lock guards the head from
reading it to COMMIT. Records are buffered and written at commit, so that lock is always the
last one a transaction takes (no deadlock with the row locks taken before it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select

from csr_tui.data import tables as t
from csr_tui.domain.agent import Agent

GENESIS = "0" * 64  # the "previous hash" of the first record
CHAIN_LOCK = 742312  # PostgreSQL advisory lock key of the chain's head
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
a = t.audit_log


def canonical(content: Mapping[str, Any]) -> str:
    """The content as one exact text: sorted keys, no spaces, time as UTC ISO text."""
    values = dict(content)
    at = values["at"]
    if isinstance(at, datetime):
        values["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chained_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(content)}".encode()).hexdigest()


def content_of(row: Mapping[str, Any]) -> dict[str, Any]:
    return {column: row[column] for column in CONTENT}


@dataclass(frozen=True)
class AuditCheck:
    """What `csr-tui audit verify` found."""

    records: int
    head: str  # the last record's hash: keep it elsewhere to detect a rewritten tail
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


class AuditLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pending: list[dict[str, Any]] = []

    def record(
        self,
        *,
        action: str,
        agent: Agent,
        at: datetime,
        changes: dict[str, Any],
        order_number: str | None = None,
        cart_id: int | None = None,
        customer_id: int | None = None,
    ) -> None:
        """Written with the rest of the transaction, at commit (see `flush`)."""
        self._pending.append(
            {
                "order_number": order_number,
                "cart_id": cart_id,
                "customer_id": customer_id,
                "action": action,
                "agent": agent.name,
                "account": agent.account,
                "at": at,
                "changes": changes,
            }
        )

    def flush(self) -> None:
        """Append the buffered records to the chain."""
        if not self._pending:
            return
        role = None
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK)))
            role = self.conn.execute(select(func.current_user())).scalar_one()
        prev = self.conn.execute(select(a.c.hash).order_by(a.c.id.desc()).limit(1)).scalar()
        prev = prev or GENESIS
        for values in self._pending:
            values = {**values, "db_role": role, "prev_hash": prev}
            values["hash"] = prev = chained_hash(prev, content_of(values))
            # One at a time: ids must follow the chain's order.
            self.conn.execute(insert(a).values(**values))
        self._pending.clear()

    def for_order(self, number: str) -> Sequence[Row[Any]]:
        return self.conn.execute(select(a).where(a.c.order_number == number).order_by(a.c.id)).all()

    def _rows(self, batch: int) -> Iterator[Row[Any]]:
        last = None
        while True:
            query = select(a).order_by(a.c.id).limit(batch)
            if last is not None:
                query = query.where(a.c.id > last)
            rows = self.conn.execute(query).all()
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1].id

    def verify(self, batch: int = 2000) -> AuditCheck:
        """Walk the chain from the first record; stop at the first broken link."""
        prev, prev_id, count = GENESIS, None, 0
        for row in self._rows(batch):
            record = row._mapping
            after = f"record {prev_id}" if prev_id is not None else "the start of the log"
            if row.hash is None:
                return AuditCheck(
                    count,
                    prev,
                    row.id,
                    f"Audit record {row.id} has no hash: it was written outside csr-tui.",
                )
            if row.prev_hash != prev:
                return AuditCheck(
                    count,
                    prev,
                    row.id,
                    f"Audit record {row.id} does not follow {after}: a record between them "
                    "was removed, or this one was inserted or moved.",
                )
            if chained_hash(prev, content_of(record)) != row.hash:
                at = row.at.astimezone() if row.at else None
                return AuditCheck(
                    count,
                    prev,
                    row.id,
                    f"Audit record {row.id} ({row.action} by {row.agent}"
                    f"{f' at {at:%Y-%m-%d %H:%M:%S}' if at else ''}) was changed after it "
                    "was written: its content no longer matches its hash.",
                )
            prev, prev_id, count = row.hash, row.id, count + 1
        return AuditCheck(count, prev)
