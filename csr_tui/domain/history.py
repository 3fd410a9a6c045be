"""What an audit record changed, field by field, as an agent reads it.

The audit log keeps each changed top-level field whole, before and after (a payment adds to
`payments`; a new quantity rewrites `shipments`). Here that becomes the few fields that
really differ: the quantity of SKU-1 on shipment 1 went from 3 to 1; a payment of 10.00 by
credit card came. Shipments are matched by number and line items by SKU; anything else is
compared whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

NONE = "—"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str  # NONE when the field was added
    after: str  # NONE when it was removed


def field_changes(changes: Mapping[str, Any]) -> list[FieldChange]:
    found: list[FieldChange] = []
    for key, change in changes.items():
        if isinstance(change, Mapping):
            found.extend(_field("", key, change.get("before"), change.get("after")))
    return found


def _join(path: str, name: str) -> str:
    return f"{path} › {name}" if path else name


def _identity(value: Any) -> Callable[[Any], str] | None:
    """How the items of a list are matched before and after (None: compared whole)."""
    if isinstance(value, Mapping) and "number" in value and "line_items" in value:
        return lambda item: f"Shipment {item.get('number')}"
    if isinstance(value, Mapping) and "sku" in value and "quantity" in value:
        return lambda item: str(item.get("sku"))
    return None


def _field(path: str, key: str, before: Any, after: Any) -> Iterator[FieldChange]:
    """A field of the record at `path`. A list of shipments or of line items is not named
    itself: its items are (Shipment 1, then SKU-1, then quantity)."""
    if before == after:
        return
    items = (before if isinstance(before, list) else []) + (
        after if isinstance(after, list) else []
    )
    identity = _identity(items[0]) if items else None
    if identity is not None and isinstance(before or [], list) and isinstance(after or [], list):
        old = {identity(item): item for item in before or []}
        new = {identity(item): item for item in after or []}
        for name in [*new, *(n for n in old if n not in new)]:
            yield from _item(_join(path, name), old.get(name), new.get(name))
        return
    label = _join(path, str(key).replace("_", " "))
    if isinstance(before, list) and isinstance(after, list):
        # Payments, discounts: what went and what came, not the whole list twice.
        old = [json.dumps(item, sort_keys=True) for item in before]
        new = [json.dumps(item, sort_keys=True) for item in after]
        gone = [item for item, seen in zip(before, old, strict=True) if seen not in new]
        came = [item for item, seen in zip(after, new, strict=True) if seen not in old]
        yield FieldChange(label, short(gone) if gone else NONE, short(came) if came else NONE)
        return
    yield FieldChange(label, short(before), short(after))


def _item(path: str, before: Any, after: Any) -> Iterator[FieldChange]:
    """A shipment or a line item, before and after: the fields of it that changed."""
    if before is None or after is None:
        yield FieldChange(path, short(before), short(after))
        return
    for key in [*after.keys(), *(k for k in before if k not in after)]:
        yield from _field(path, key, before.get(key), after.get(key))


def short(value: Any) -> str:
    """One line for a value of an order's snapshot."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(short(item) for item in value) if value else "none"
    if not isinstance(value, Mapping):
        return str(value)
    if "line1" in value:
        parts = ("name", "line1", "line2", "city", "region", "postal_code", "country")
        return ", ".join(str(value[p]) for p in parts if value.get(p))
    if "line_items" in value:
        return f"Shipment {value.get('number')}"
    if "sku" in value:
        return f"{value['sku']} × {value.get('quantity')}"
    if "amount" in value and "method" in value:
        return f"{short(value['method'])} {value['amount']} {value.get('status', '')}".strip()
    if "kind" in value and "description" in value:
        amount = f"{value.get('value')}%" if value["kind"] == "Percentage" else value.get("value")
        coupon = f" (coupon {value['coupon_code']})" if value.get("coupon_code") else ""
        return f"{value['description']} {amount}{coupon}"
    if "description" in value:
        return str(value["description"])
    if "name" in value:
        return str(value["name"])
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
