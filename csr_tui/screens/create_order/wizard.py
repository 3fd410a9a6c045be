"""Create an order, the phone order as guided steps: 1 Market, 2 Customer, 3 Shipment,
4 Items, 5 Review. Enter completes a step and moves on; Shift+Tab goes back one, and
nothing is lost on the way; Ctrl+S creates the order from any step once it
has everything, and opens its Order Details.

Reorder and Convert to Purchase Order enter the same steps with their cart. Nothing is left
half-made: a new order is kept in memory until it has content, then saved as a cart on
every change (see draft.py); Escape or Ctrl+Q with content asks whether to keep it as a
cart, discard it or continue, and names what an open dialog holds unsaved.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Header, Input, Static
from textual.worker import Worker, WorkerState

from csr_tui.domain.catalog import Market
from csr_tui.domain.customers import ISO_COUNTRIES, Address
from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Cart, OrderGroup
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.create_order.customer import (
    ContactForm,
    CustomerStep,
    RememberingForm,
    contact_address,
    new_contact_values,
)
from csr_tui.screens.create_order.draft import Draft, DraftServices
from csr_tui.screens.create_order.items import ItemsStep
from csr_tui.screens.create_order.market import MarketStep
from csr_tui.screens.create_order.review import ReviewStep
from csr_tui.screens.create_order.shipment import ShipmentStep, complete
from csr_tui.screens.create_order.step_bar import STEP_IDS, StepBar
from csr_tui.screens.form import Field, FormScreen
from csr_tui.screens.group_editor import GroupEditorScreen
from csr_tui.screens.keep_or_discard import Answer, KeepOrDiscardScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.shipment_edit import ADDRESS_FIELDS, ShipmentEditScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.key_holds import KeysWaitFor
from csr_tui.screens.widgets.safe_text import lines, plain
from csr_tui.services import Ref, Services


class CreateOrderScreen(GroupEditorScreen):
    TITLE = "New order"
    CSS_PATH = "create_order.tcss"
    BINDINGS = [
        Binding("ctrl+s", "create_order", "Create order", id="wizard.create_order"),
        Binding("shift+tab", "previous_step", "Back", id="wizard.previous_step"),
        Binding("escape", "leave", "Leave", id="wizard.leave"),
    ]

    def __init__(
        self,
        cart_id: int | None = None,
        notices: list[str] | None = None,
        *,
        created_here: bool = True,
    ) -> None:
        """A new order; or the cart `cart_id` (a Reorder's, `created_here`; a cart to
        convert, not), with what the agent must know about it."""
        super().__init__()
        self.cart_id = cart_id
        self.notices = list(notices or [])
        self.created_here = created_here
        self.draft: Draft | None = None
        self.step = STEP_IDS[0]
        self.markets: list[Market] | None = None
        self.contact_typed: dict[str, str] = {}
        self.guest_typed: dict[str, str] = {}
        self._then: Callable[[], None] | None = None  # after a dialog's change is saved
        # Keys typed behind the one that saves a change (or opens the item search) wait
        # for it, and go where it leads: the next step, the popup.
        self._saving = KeysWaitFor("a change saved")
        self._opening_items = KeysWaitFor("the item search")

    # -- what the shared editors of GroupEditorScreen work on -------------------------------

    @property
    def real_services(self) -> Services:
        assert self.csr.services is not None
        return self.csr.services

    @property
    def services(self) -> Services:
        """Inside the wizard every change goes to the draft (see draft.py)."""
        if self.draft is None:
            return self.real_services
        return DraftServices(self.draft)  # type: ignore[return-value]

    @property
    def ref(self) -> Ref:  # type: ignore[override]
        assert self.draft is not None
        return self.draft.ref

    @property
    def cart(self) -> Cart | None:
        return self.draft.cart if self.draft is not None else None

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepBar(id="steps")
        yield Static(id="summary")
        yield Static(id="notices")
        with ContentSwitcher(initial=STEP_IDS[0], id="step"):
            yield MarketStep(id="market")
            yield CustomerStep(lambda: self.real_services, id="customer")
            yield ShipmentStep(id="shipment")
            yield ItemsStep(id="items")
            yield ReviewStep(id="review")
        yield Static(id="status")
        # Ctrl+P is in the status line: the footer keeps its width for the keys.
        yield KeyFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.add_line_columns()
        notices = self.query_one("#notices", Static)
        notices.update(lines("\n").join(plain(n, "yellow") for n in self.notices))
        notices.display = bool(self.notices)
        self.show_summary()
        if self.cart_id is None:
            self.go("market")
            self.load_markets()
        else:
            self.title = "Convert to purchase order" if not self.created_here else "New order"
            self.load()

    @background("wizard-markets")
    def load_markets(self) -> None:
        try:
            markets = self.real_services.markets_by_use()
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        self.app.call_from_thread(self.markets_loaded, markets)

    def markets_loaded(self, markets: list[Market]) -> None:
        if self.markets is not None and [m.code for m in markets] == [m.code for m in self.markets]:
            return  # read again as a wizard built ahead is shown: the same order
        self.markets = markets
        step = self.query_one(MarketStep)
        if step.fixed is None:
            step.set_markets(markets)

    @background("wizard-load")
    def load(self) -> None:
        """The cart (Reorder, Convert), or the draft again after another agent changed it."""
        try:
            if self.draft is not None:
                cart = self.draft.reload()
            else:
                assert self.cart_id is not None
                cart = self.real_services.get_cart(self.cart_id)
        except DomainError as error:
            self.app.call_from_thread(self.load_failed, error)
            return
        self.app.call_from_thread(self.loaded, cart)

    def loaded(self, cart: Cart) -> None:
        opening = self.draft is None
        if opening:
            self.draft = Draft(self.real_services, cart, created_here=self.created_here)
        self.show(cart)
        if opening:
            missing = self.missing()
            # A Reorder's notices (items left out) are read first, not hidden by the search.
            self.go(missing[0] if missing else "review", search=not self.notices)

    # -- showing the order -------------------------------------------------------------

    def show(self, group: OrderGroup) -> None:
        """The order as saved: in the step on screen (the others show it when entered)."""
        assert isinstance(group, Cart)
        self.group = group
        self.refresh_step(self.query_one(f"#{self.step}"))
        self.show_summary()
        self.refresh_bindings()

    def refresh_step(self, step: Widget) -> None:
        cart = self.cart
        if isinstance(step, MarketStep):
            if self.draft is not None and self.draft.saved:
                step.fix(self.draft.cart.market)
            elif self.markets is not None and not step.markets:
                step.set_markets(self.markets)
        elif cart is not None:
            step.show_cart(cart)  # type: ignore[attr-defined]
            if isinstance(step, ItemsStep):
                self.fill_lines(cart)

    def complete_steps(self) -> set[str]:
        cart = self.cart
        if cart is None:
            return set()
        done = {"market"}
        if cart.customer_name or cart.customer_email:
            done.add("customer")
        if all(complete(s) for s in cart.shipments):
            done.add("shipment")
        if cart.line_count():
            done.add("items")
        return done

    def show_summary(self) -> None:
        self.query_one(StepBar).show_steps(self.step, self.complete_steps())
        cart = self.cart
        if cart is None:
            summary = plain("A new order: nothing is saved until it has a customer or an item.")
        else:
            who = cart.customer_name or cart.customer_email or "no customer yet"
            count = cart.line_count()
            total = money(cart.totals().total, cart.currency)
            where = (
                f"saved as cart '{cart.name}'"
                if self.draft is not None and self.draft.saved
                else "not saved yet"
            )
            summary = plain(
                f"{cart.market.code} · {who} · {count} item{'' if count == 1 else 's'} · "
                f"total {total} · {where}",
                "dim",
            )
            self.sub_title = f"{cart.name} · {cart.market.name} ({cart.currency.code})"
        self.query_one("#summary", Static).update(summary)
        missing = self.missing()
        self.set_status(
            f"Still needed: {missing[1]}"
            if missing
            else "Ready: Ctrl+S creates the order. Ctrl+P: all commands."
        )

    def problem(self, message: str) -> None:
        self._then = None
        super().problem(message)

    # -- moving between steps ------------------------------------------------------------

    def go(self, step: str, *, search: bool = True) -> None:
        """Show the step; Items without items opens the item search unless `search` is off."""
        if step != "market" and self.draft is None:
            self.notify("Select the market first.", timeout=3)
            return
        self.step = step
        widget: Any = self.query_one(f"#{step}")
        self.refresh_step(widget)
        self.query_one(ContentSwitcher).current = step
        widget.focus_step()  # now, so what is typed next goes there
        self.show_summary()
        self.refresh_bindings()
        if search and step == "items" and self.cart is not None and not self.cart.line_count():
            self.csr.hold_keys(self._opening_items)
            self.call_after_refresh(self._open_item_search)

    def _open_item_search(self) -> None:
        self.action_add_items()
        self.csr.release_keys(self._opening_items)

    def action_previous_step(self) -> None:
        index = STEP_IDS.index(self.step)
        if index > 0:
            self.go(STEP_IDS[index - 1])

    def next_step(self) -> None:
        index = STEP_IDS.index(self.step)
        self.go(STEP_IDS[min(index + 1, len(STEP_IDS) - 1)])

    def missing(self) -> tuple[str, str] | None:
        """The first step still lacking something the order needs, and what."""
        cart = self.cart
        if cart is None:
            return "market", "the market."
        if not (cart.customer_name or cart.customer_email):
            return "customer", "a customer (F4: an order without a customer account)."
        for shipment in cart.shipments:
            if shipment.shipping_address is None:
                return "shipment", f"an address for {shipment.label.lower()}."
            if shipment.shipping_method is None:
                return "shipment", f"a shipping method for {shipment.label.lower()}."
        if not cart.line_count():
            return "items", "at least one item."
        for shipment in cart.shipments:
            if not shipment.line_items:
                return "shipment", f"items on {shipment.label.lower()}, or remove it (Del)."
        return None

    # -- one change, saved, then on --------------------------------------------------------

    def save(self, action: str, *args: Any, then: Callable[[], None] | None = None) -> None:
        self.set_status("Saving…")
        self.csr.hold_keys(self._saving)
        self.run_save(action, *args, then=then)

    @background("wizard-change")
    def run_save(self, action: str, *args: Any, then: Callable[[], None] | None) -> None:
        assert self.draft is not None
        try:
            cart = self.draft.change(action, *args)
        except DomainError as error:
            self.refused(error)
            self.app.call_from_thread(self.csr.release_keys, self._saving)
            return
        self.app.call_from_thread(self.saved_then, cart, then)

    def saved_then(self, cart: Cart, then: Callable[[], None] | None) -> None:
        self.saved(cart)
        if then is not None:
            then()
        self.csr.release_keys(self._saving)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "wizard-change":
            self.csr.release_keys(self._saving)  # the error is shown; the keys go on

    def changed_elsewhere(self, result: OrderGroup | None) -> None:
        """A dialog saved a change (or was closed: then nothing follows)."""
        then, self._then = self._then, None
        if result is not None:
            self.saved(result)
            if then is not None:
                then()

    # -- 1 Market ----------------------------------------------------------------------------

    def on_market_step_chosen(self, message: MarketStep.Chosen) -> None:
        draft = self.draft
        if draft is None or (not draft.saved and draft.cart.market != message.market):
            self.draft = Draft.new(self.real_services, message.market)
            self.show(self.draft.cart)
        self.go("customer")

    # -- 2 Customer --------------------------------------------------------------------------

    def on_customer_step_chosen(self, message: CustomerStep.Chosen) -> None:
        self.query_one(CustomerStep).reset()
        self.save("set_customer", message.customer_id, then=lambda: self.go("shipment"))

    def on_customer_step_done(self, _message: CustomerStep.Done) -> None:
        self.go("shipment")

    def action_new_customer(self) -> None:
        draft = self.draft
        if draft is None:
            return
        created: dict[str, int] = {}

        def create(values: dict[str, str]) -> Cart:
            if "id" not in created:  # a refused choice must not make the contact twice
                customer = self.real_services.create_customer(
                    values["first_name"],
                    values["last_name"],
                    values["email"],
                    values["phone"],
                    contact_address(values),
                )
                assert customer.id is not None
                created["id"] = customer.id
            return draft.change("set_customer", created["id"])

        def remember(values: dict[str, str]) -> None:
            self.contact_typed = values

        def done() -> None:
            self.contact_typed = {}
            self.go("shipment")

        self._then = done
        values = self.contact_typed or new_contact_values(draft.cart.market.code)
        self.app.push_screen(ContactForm(values, create, remember), self.changed_elsewhere)

    def action_guest(self) -> None:
        """An order without a customer account: a name or an email to find it again."""
        draft = self.draft
        if draft is None:
            return
        cart = draft.cart
        typed = self.query_one(CustomerStep).typed().strip()
        if cart.is_anonymous and (cart.customer_name or cart.customer_email):
            values = {
                "name": cart.customer_name,
                "email": cart.customer_email or "",
                "phone": cart.customer_phone,
            }
        else:  # what was typed into the search, as a name or an email
            values = {
                "name": "" if "@" in typed else typed,
                "email": typed if "@" in typed else "",
                "phone": "",
            }
        values = self.guest_typed or values

        def save(values: dict[str, str]) -> Cart:
            return draft.change(
                "set_anonymous_contact", values["name"], values["email"], values["phone"]
            )

        def remember(values: dict[str, str]) -> None:
            self.guest_typed = values

        def done() -> None:
            self.guest_typed = {}
            self.query_one(CustomerStep).reset()
            self.go("shipment")

        self._then = done
        self.app.push_screen(
            RememberingForm(
                "Order without a customer account",
                [
                    Field("name", "Name", values["name"]),
                    Field("email", "Email", values["email"]),
                    Field("phone", "Phone", values["phone"]),
                ],
                save,
                remember,
                intro="A name or an email lets agents find the order again.",
            ),
            self.changed_elsewhere,
        )

    # -- 3 Shipment --------------------------------------------------------------------------

    def current_shipment(self) -> int:
        if self.step == "shipment" and self.cart is not None:
            return self.query_one(ShipmentStep).number
        return super().current_shipment()

    def on_shipment_step_method_chosen(self, message: ShipmentStep.MethodChosen) -> None:
        cart = self.cart
        assert cart is not None
        shipment = cart.shipment(message.number)
        if shipment.shipping_address is None:
            # The address first: the editor opens with the method just chosen and, for an
            # order without an account (no address book), the name and phone already given.
            shown = copy.deepcopy(cart)
            target = shown.shipment(message.number)
            target.shipping_method = cart.market.shipping_method(message.code)
            if cart.is_anonymous:
                target.shipping_address = Address(
                    name=cart.customer_name,
                    line1="",
                    city="",
                    postal_code="",
                    country=cart.market.code if cart.market.code in ISO_COUNTRIES else "",
                    phone=cart.customer_phone,
                )
            self._then = self.shipment_done
            self.open_shipment(shown, message.number)
        elif shipment.shipping_method is None or shipment.shipping_method.code != message.code:
            self.save("set_shipping_method", message.number, message.code, then=self.shipment_done)
        else:
            self.shipment_done()

    def shipment_done(self) -> None:
        """On to the next shipment that needs something, else to the items."""
        if not self.query_one(ShipmentStep).next_incomplete():
            self.go("items")

    def action_edit_shipment(self) -> None:
        self._then = None
        super().action_edit_shipment()

    def action_add_shipment(self) -> None:
        self.save("add_shipment", then=self.query_one(ShipmentStep).next_incomplete)

    def action_remove_shipment(self) -> None:
        cart = self.cart
        if cart is None or len(cart.shipments) < 2:
            return
        number = self.current_shipment()
        shipment = cart.shipment(number)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.save("remove_shipment", number)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {shipment.label.lower()} and its {len(shipment.line_items)} items?",
                "Remove shipment",
                title="Remove shipment",
            ),
            confirmed,
        )

    # -- 4 Items -----------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on the lines goes on to the review (E changes a line)."""
        event.prevent_default()  # not GroupEditorScreen's: that opens the line
        if event.data_table.id == "lines":
            self.go("review")

    def action_edit_line(self) -> None:
        if self.current_line() is not None:
            super().action_edit_line()

    def action_remove_line(self) -> None:
        line = self.current_line()
        if line is None or self.cart is None:
            return
        number, sku = line
        item = self.cart.shipment(number).line(sku)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.save("remove_line_item", number, sku)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {item.quantity} × {sku} {item.name} from the order?",
                "Remove line",
                title="Remove line",
            ),
            confirmed,
        )

    # -- 5 Review ------------------------------------------------------------------------------

    def on_review_step_coupon_entered(self, message: ReviewStep.CouponEntered) -> None:
        self.save("apply_coupon", message.code, then=self.query_one(ReviewStep).coupon_applied)

    def on_review_step_confirmed(self, _message: ReviewStep.Confirmed) -> None:
        self.action_create_order()

    def action_remove_discount(self) -> None:
        cart = self.cart
        index = self.query_one(ReviewStep).highlighted_discount()
        if cart is None or index is None or index >= len(cart.discounts):
            return
        discount = cart.discounts[index]
        if discount.coupon_code:
            self.save("remove_coupon", discount.coupon_code)
        else:
            self.save("remove_discount", index)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        cart = self.cart
        if action in ("edit_line", "remove_line"):
            return cart is not None and cart.line_count() > 0
        if action == "remove_shipment":
            return cart is not None and len(cart.shipments) > 1
        if action == "remove_discount":
            return cart is not None and bool(cart.discounts)
        return True

    # -- Create Order ----------------------------------------------------------------------

    def action_create_order(self) -> None:
        missing = self.missing()
        if missing is not None:
            step, what = missing
            self.problem(f"The order still needs {what}")
            self.go(step)
            return
        self.set_status("Creating the order…")
        self.create()

    @background("wizard-create")
    def create(self) -> None:
        assert self.draft is not None
        try:
            order = self.draft.convert()
        except DomainError as error:
            self.refused(error)
            return
        self.app.call_from_thread(self.created, order.number)

    def created(self, number: str) -> None:
        from csr_tui.screens.cart import CartScreen

        # The order list shows the new order when Order Details is left (it reloads then).
        stack = self.app.screen_stack
        if self is stack[-1] and not isinstance(stack[-2], CartScreen):
            # Order Details takes the wizard's place: the screen below is not shown (and
            # repainted) in between. Its status line says the order was created (a toast
            # would cover the order's lines).
            self.app.switch_screen(self.csr.order_details(number, created=True))
            return
        self.app.pop_screen()
        while isinstance(self.app.screen, CartScreen):  # the cart it was converted from
            self.app.pop_screen()
        self.csr.open_order(number, created=True)

    # -- leaving ---------------------------------------------------------------------------

    def action_leave(self) -> None:
        draft = self.draft
        if draft is None or not draft.saved:
            self.app.pop_screen()
        elif self.removed:
            self.notify(f"{draft.cart.label} no longer exists: nothing here was kept.", timeout=4)
            self.app.pop_screen()
        elif not draft.created_here:
            self.notify(f"{draft.cart.label} is saved under Carts (F7).", timeout=4)
            self.app.pop_screen()
        else:
            self.ask_to_leave(self.app.pop_screen, "Leave the new order?")

    def ask_before_quitting(self) -> bool:
        """Ctrl+Q: True if the agent is being asked first (and the app then quits or not)."""
        draft = self.draft
        if draft is not None and draft.saved and draft.created_here and not self.removed:
            self.ask_to_leave(self.app.exit, "Quit?")
            return True
        pending = unsaved_typing(self)
        if pending:
            question = "Not saved:\n" + "\n".join(f"· {p}" for p in pending)
            self.app.push_screen(
                KeepOrDiscardScreen(question, keep=None, discard="Quit", title="Quit?"),
                lambda answer: self.app.exit() if answer == "discard" else None,
            )
            return True
        return False

    def ask_to_leave(self, leave: Callable[[], object], title: str) -> None:
        assert self.draft is not None
        cart = self.draft.cart
        who = cart.customer_name or cart.customer_email or "no customer"
        count = cart.line_count()
        question = (
            f"This order ({who}, {count} item{'' if count == 1 else 's'}) is saved as cart "
            f"'{cart.name}'. Keep it under Carts (F7) to finish later, or discard it?"
        )
        pending = unsaved_typing(self)
        if pending:
            question += "\n\nNot saved, and lost either way:\n" + "\n".join(
                f"· {p}" for p in pending
            )

        def answered(answer: Answer | None) -> None:
            if answer == "keep":
                self.notify(f"Cart '{cart.name}' is kept under Carts (F7).", timeout=4)
                self.leave_screens(leave)
            elif answer == "discard":
                self.discard(leave)

        self.app.push_screen(
            KeepOrDiscardScreen(question, keep="Keep as cart", discard="Discard", title=title),
            answered,
        )

    def leave_screens(self, leave: Callable[[], object]) -> None:
        """Close the dialogs above the wizard, then leave it."""
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        leave()

    @background("wizard-discard")
    def discard(self, leave: Callable[[], object]) -> None:
        assert self.draft is not None
        try:
            self.draft.discard()
        except DomainError as error:
            self.refused(error)
            return
        self.app.call_from_thread(self.notify, "The new order was discarded.", timeout=4)
        self.app.call_from_thread(self.leave_screens, leave)


def unsaved_typing(wizard: CreateOrderScreen) -> list[str]:
    """What the dialogs open above the wizard hold that is not saved: a chosen item not yet
    added, fields typed into."""
    found: list[str] = []
    stack = wizard.app.screen_stack
    for screen in stack[stack.index(wizard) + 1 :] if wizard in stack else []:
        if isinstance(screen, LineItemSearchScreen):
            pending = screen.pending()
            if pending:
                found.append(f"{pending}, chosen but not added")
        elif isinstance(screen, FormScreen):
            values = screen.values()
            changed = [f.label for f in screen.fields if values[f.name] != f.value]
            if changed:
                found.append(f"{screen.title_text}: {', '.join(changed)}")
        elif isinstance(screen, ShipmentEditScreen):
            current = screen.shipment.shipping_address
            changed = [
                label
                for name, label in ADDRESS_FIELDS
                if screen.query_one(f"#f-{name}", Input).value
                != (getattr(current, name) if current else "")
            ]
            if changed:
                found.append(f"{screen.shipment.label} address: {', '.join(changed)}")
    return found
