"""How money and time are stored, as plain functions: the column types (types.py) convert
through them, and so does the command line's read path that runs without SQLAlchemy
(sqlite_reader.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal


def money_to_db(value: Decimal | None, dialect: str) -> object:
    """Decimal money: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""
    if value is None:
        return None
    return str(value) if dialect == "sqlite" else value


def money_from_db(value: object) -> Decimal | None:
    if value is None:
        return None
    # PostgreSQL pads to the column's scale (10.0000): give back the value without the
    # padding, the same on both databases; the repository rounds to the currency.
    amount = Decimal(str(value))
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount.normalize()


def utc_to_db(value: datetime | None, dialect: str) -> object:
    """Aware datetimes in, stored as UTC: fixed-width ISO text on SQLite."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; use an aware UTC time")
    value = value.astimezone(UTC)
    if dialect == "sqlite":
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def utc_from_db(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        # The stored form is ISO 8601, which fromisoformat reads 50x faster than strptime.
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)
