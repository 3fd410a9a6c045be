"""Every broken business rule raises a DomainError whose text is shown to the agent as is."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the seed was broken; `str(error)` is a sentence an agent can act on."""


class ValidationError(DomainError):
    """Input that cannot be accepted. `field` names the input the agent should fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotEditable(DomainError):
    """The order is past the point where it may be changed."""


class OrderOnHold(DomainError):
    """The action is forbidden while the order is on hold."""


class NotPaidInFull(DomainError):
    """The action needs the balance due to be settled first."""


class InvalidTransition(DomainError):
    """A shipment or order cannot move to the requested status from where it is."""


class IncompleteOrder(DomainError):
    """A draft lacks what a purchase order needs."""


class CouponError(DomainError):
    """A coupon does not apply (unknown, expired, or not offered in this market)."""


class NotFound(DomainError):
    """The order, cart, customer or variant asked for does not exist (any more)."""


class ConcurrentEditError(DomainError):
    """Somebody else saved the same order or cart since it was loaded."""

    def __init__(self, message: str, changed_by: str | None = None) -> None:
        super().__init__(message)
        self.changed_by = changed_by


class StockChanged(DomainError):
    """Stock moved under our feet between reading it and reserving it."""
