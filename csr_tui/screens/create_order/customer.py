"""Step 2, Customer: type any part of the name, email or phone number; the matches follow
the typing; Enter takes the highlighted one (the first unless Up/Down moved it). F3 Create
Contact (each field checked as you leave it, every problem shown at its field), F4 an order
without a customer account. Whatever is chosen fills the shipment with the customer's
default address and phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static
from textual.worker import Worker, WorkerState

from csr_tui.domain.customers import ISO_COUNTRIES, Address, contact_errors, full_name
from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Cart
from csr_tui.screens.form import Field, FormScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.key_holds import AfterAnswer
from csr_tui.screens.widgets.safe_text import PlainInput, option, plain, text
from csr_tui.services import CustomerRow, Services

SEARCH_DEBOUNCE = 0.025  # as the order list: a pause in the typing, then the query


def contact_line(cart: Cart) -> list[str | tuple[str, str]]:
    who = [p for p in (cart.customer_name, cart.customer_email or "", cart.customer_phone) if p]
    if not who:
        return [("No customer yet.", "yellow")]
    return [
        ("Customer: ", "bold"),
        " · ".join(who),
        (" (no customer account)", "dim") if cart.is_anonymous else "",
    ]


class CustomerStep(Vertical):
    BINDINGS = [
        Binding("f3", "screen.new_customer", "New customer", id="wizard.new_customer"),
        Binding("f4", "screen.guest", "Guest", id="wizard.guest"),
        Binding("down", "move(1)", "Next match", id="wizard.customer_down", show=False),
        Binding("up", "move(-1)", "Previous match", id="wizard.customer_up", show=False),
        Binding("escape", "clear", "Clear/Leave", id="wizard.customer_clear"),
    ]

    class Chosen(Message):
        def __init__(self, customer_id: int) -> None:
            super().__init__()
            self.customer_id = customer_id

    class Done(Message):
        """Enter with nothing typed: keep the customer the order has."""

    def __init__(self, services: Callable[[], Services], *, id: str) -> None:
        super().__init__(id=id)
        self.services = services
        self.matches: list[CustomerRow] = []
        self.searched: str | None = None
        self.has_customer = False
        self._debounce: Timer | None = None
        self._choose_first = False
        self._after_matches = AfterAnswer()  # see action_move

    def compose(self) -> ComposeResult:
        yield Static(plain("No customer yet.", "yellow"), id="customer-current")
        with Horizontal(classes="search-row"):
            yield Label(plain("Find"))
            yield PlainInput(
                placeholder="any part of the name, email or phone number", id="customer-search"
            )
        yield OptionList(id="customer-matches")
        yield Static(
            plain(
                "Enter: take the highlighted customer · ↑↓ move · F3: new customer "
                "(Create Contact) · F4: no customer account (guest)"
            ),
            classes="hint",
        )

    def on_mount(self) -> None:
        self.query_one("#customer-matches").display = False

    def focus_step(self) -> None:
        self.query_one("#customer-search", Input).focus()

    def typed(self) -> str:
        return self.query_one("#customer-search", Input).value

    def show_cart(self, cart: Cart) -> None:
        self.has_customer = bool(cart.customer_name or cart.customer_email)
        self.query_one("#customer-current", Static).update(text(*contact_line(cart)))

    # -- searching -----------------------------------------------------------------------

    @on(Input.Changed, "#customer-search")
    def search_soon(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, self.search_now)

    def search_now(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.find(self.typed())

    @background("customer-search")
    def find(self, typed: str) -> None:
        try:
            found = self.services().search_customers(typed) if typed.strip() else []
        except DomainError as error:
            self.app.call_from_thread(self.show_matches, [], typed, str(error))
            return
        self.app.call_from_thread(self.show_matches, found, typed, "")

    def show_matches(self, found: list[CustomerRow], typed: str, problem: str) -> None:
        if typed != self.typed():
            return  # the agent typed on since
        self.matches = found
        self.searched = typed
        if self._choose_first and found:
            self._choose_first = False
            self.post_message(self.Chosen(found[0].id))
            self._matches_shown()
            return
        self._choose_first = False
        options = self.query_one("#customer-matches", OptionList)
        options.clear_options()
        options.add_options(
            [option(f"{c.name}  {c.email or ''}  {c.phone}", id=str(c.id)) for c in found]
        )
        if typed.strip() and not found:
            options.add_option(
                option(problem or f"No customer matches '{typed}' · F3 creates one", disabled=True)
            )
        if found:
            options.highlighted = 0
        options.display = bool(typed.strip())
        self._matches_shown()

    def _matches_shown(self) -> None:
        self._after_matches.shown()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "customer-search":
            # The error is shown: no matches for what is typed, and the keys held go on.
            self.matches, self.searched = [], self.typed()
            self._matches_shown()

    def action_move(self, step: int) -> None:
        if self.typed().strip() and self.searched != self.typed():
            # The matches shown are for what was typed before: this Down (and the keys
            # behind it, typed in one go) choose among those of what the field holds now.
            self._after_matches.wait(self.app, lambda: self.action_move(step))
            return
        options = self.query_one("#customer-matches", OptionList)
        if self.matches and options.display:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.matches) - 1, current + step))

    def action_clear(self) -> None:
        """Escape clears what was typed; with nothing typed it leaves the wizard."""
        if not self.typed():
            raise SkipAction()
        self.reset()

    def reset(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.matches = []
        self.searched = None
        self.query_one("#customer-matches").display = False
        self.query_one("#customer-search", Input).value = ""

    @on(Input.Submitted, "#customer-search")
    def take(self) -> None:
        """Enter takes the highlighted match; typed ahead of the matches, the first one when
        they arrive; with nothing typed, the customer the order already has."""
        typed = self.typed()
        if not typed.strip():
            if self.has_customer:
                self.post_message(self.Done())
            else:
                self.app.notify(
                    "Type a name, email or phone number; F3 creates a contact, "
                    "F4 takes the order without a customer account.",
                    timeout=5,
                )
            return
        if self.matches and typed == self.searched:
            index = self.query_one("#customer-matches", OptionList).highlighted or 0
            self.post_message(self.Chosen(self.matches[min(index, len(self.matches) - 1)].id))
        else:
            self._choose_first = True
            self.search_now()

    @on(OptionList.OptionSelected, "#customer-matches")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(self.Chosen(int(event.option.id)))


CONTACT_FIELDS = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("line1", "Address line 1"),
    ("city", "City"),
    ("postal_code", "Postal code"),
    ("country", "Country (ISO)"),
]
ADDRESS_KEYS = ("line1", "city", "postal_code")


def contact_address(values: dict[str, str]) -> Address | None:
    """The address typed into Create Contact, if any: named after the contact, with their
    phone, so the shipment it fills needs nothing more."""
    if not any(values[key].strip() for key in ADDRESS_KEYS):
        return None
    return Address(
        name=full_name(values["first_name"], values["last_name"]),
        line1=values["line1"],
        city=values["city"],
        postal_code=values["postal_code"],
        country=values["country"],
        phone=values["phone"],
    )


def problems(values: dict[str, str]) -> dict[str, str]:
    return contact_errors(
        values["first_name"],
        values["last_name"],
        values["email"],
        values["phone"],
        contact_address(values),
    )


class RememberingForm(FormScreen[Any]):
    """A form inside the wizard: what was typed is kept if it is closed unsaved, and is
    there again the next time it opens."""

    def __init__(
        self,
        title: str,
        fields: list[Field],
        submit: Callable[[dict[str, str]], Any],
        remember: Callable[[dict[str, str]], None],
        **options: str,
    ) -> None:
        super().__init__(title, fields, submit, **options)
        self.remember = remember

    def action_cancel(self) -> None:
        if not self.busy:
            self.remember(self.values())
        super().action_cancel()


class ContactForm(RememberingForm):
    """Create Contact. Each field is checked as the agent leaves it, and a save
    shows every problem at its field at once; nothing is saved until all are right."""

    def __init__(
        self,
        values: dict[str, str],
        submit: Callable[[dict[str, str]], Any],
        remember: Callable[[dict[str, str]], None],
    ) -> None:
        super().__init__(
            "Create Contact",
            [Field(name, label, values.get(name, "")) for name, label in CONTACT_FIELDS],
            submit,
            remember,
            submit_label="Create contact",
            intro="The address is optional: it becomes the first in the address book and "
            "the order's ship-to.",
        )

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving a field, by Tab, Shift+Tab or Enter, checks it."""
        field = event.widget
        if isinstance(field, Input) and (field.id or "").startswith("f-") and not self.busy:
            name = (field.id or "").removeprefix("f-")
            self.show_problem(name, problems(self.values()).get(name))

    def show_problem(self, name: str, message: str | None) -> None:
        error = self.query_one(f"#e-{name}", Static)
        error.update(plain(message or ""))
        error.display = bool(message)

    def action_submit(self) -> None:
        if self.busy:
            return
        found = problems(self.values())
        if found:
            self.clear_errors()
            names = [name for name, _ in CONTACT_FIELDS]
            for name in names:
                self.show_problem(name, found.get(name))
            others = [message for name, message in found.items() if name not in names]
            self.query_one("#form-error", Static).update(plain(" ".join(others)))
            first = next((name for name in names if name in found), names[0])
            self.query_one(f"#f-{first}", Input).focus()
            return
        super().action_submit()


def new_contact_values(market_code: str) -> dict[str, str]:
    return {"country": market_code if market_code in ISO_COUNTRIES else ""}
