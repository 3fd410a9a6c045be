"""The order the wizard is creating: nothing is saved until it has content, then
everything is.

A new draft is a cart in memory (no id). Its first change (a customer, a line, an address,
a coupon) goes to the services as `NewCart`, which creates the cart with that change in one
transaction; every later change saves the cart. So an abandoned empty wizard leaves
nothing, and a dropped call loses nothing typed into the order.

Changes run one at a time (a lock), each from the cart as this wizard last saved it: two
quick changes never make two carts, and the agent's own previous change is never taken for
another agent's. Another agent's change still is: the cart's version in the database has
moved on, and the service refuses with who changed it.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

from csr_tui.domain.catalog import Market
from csr_tui.domain.errors import IncompleteOrder
from csr_tui.domain.orders import Cart, PurchaseOrder
from csr_tui.services import CartRef, NewCart, Ref, Services


class Draft:
    def __init__(self, services: Services, cart: Cart, *, created_here: bool) -> None:
        self.services = services
        self.cart = cart
        # Made by this wizard (a new order, a Reorder): leaving may discard it. A cart that
        # existed before (Convert to Purchase Order) is never discarded from here.
        self.created_here = created_here
        self._lock = threading.Lock()

    @classmethod
    def new(cls, services: Services, market: Market) -> Draft:
        now = services.clock()
        cart = Cart(market=market, name="Phone order", created_at=now, created_by=services.agent)
        return cls(services, cart, created_here=True)

    @property
    def saved(self) -> bool:
        """Saved as a cart: the draft has content (a customer, a line, an address...)."""
        return self.cart.id is not None

    @property
    def ref(self) -> Ref:
        if self.cart.id is None:
            return NewCart(self.cart.market.code, self.cart.name)
        return CartRef(self.cart.id)

    # -- called from workers ---------------------------------------------------------------

    def change(self, action: str, *args: Any, **kwargs: Any) -> Cart:
        """One change, saved (the first one creates the cart). Raises a DomainError and
        keeps the draft as it was when the change is refused."""
        with self._lock:
            cart = getattr(self.services, action)(self.ref, self.cart.version, *args, **kwargs)
            assert isinstance(cart, Cart)
            self.cart = cart
            return cart

    def reload(self) -> Cart:
        with self._lock:
            if self.cart.id is not None:
                self.cart = self.services.get_cart(self.cart.id)
            return self.cart

    def convert(self) -> PurchaseOrder:
        """Create Order: the cart becomes a purchase order (one order, however many agents
        convert the cart at once: the version check and the cart's deletion see to that)."""
        with self._lock:
            if self.cart.id is None:
                raise IncompleteOrder("Choose a customer, or enter a name or email for the order.")
            return self.services.convert_cart(self.cart.id, self.cart.version)

    def discard(self) -> None:
        with self._lock:
            if self.cart.id is not None:
                self.services.delete_cart(self.cart.id, self.cart.version)


def _is_change(method: Callable[..., Any]) -> bool:
    return list(inspect.signature(method).parameters)[:2] == ["ref", "version"]


class DraftServices:
    """The services as the shared editors (the line-item search, the shipment editor, line
    editing, discounts and coupons) see them inside the wizard: a change to the order goes
    to the draft, whatever reference and version the editor passes (the draft knows the
    current ones); anything else is the services themselves."""

    def __init__(self, draft: Draft) -> None:
        self._draft = draft

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._draft.services, name)
        if not callable(method) or not _is_change(method):
            return method
        return lambda _ref, _version, *args, **kwargs: self._draft.change(name, *args, **kwargs)
