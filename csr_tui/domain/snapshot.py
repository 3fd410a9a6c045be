"""Plain JSON-ready views of domain objects: for the audit log and for `--format json`."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from csr_tui.domain.catalog import Market
from csr_tui.domain.money import Currency


def snapshot(value: Any) -> Any:
    """Recursively turn dataclasses, enums, Decimals and datetimes into JSON values.

    A Market inside an order is reduced to its code: the order's snapshot must not change
    when the market's methods do.
    """
    if isinstance(value, Market):
        return value.code
    if isinstance(value, Currency):
        return value.code
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: snapshot(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): snapshot(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [snapshot(v) for v in value]
    return value


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """The top-level fields that differ, each as {"before": ..., "after": ...}."""
    before, after = before or {}, after or {}
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }
