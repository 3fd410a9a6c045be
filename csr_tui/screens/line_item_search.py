"""Add line items: search a product variant (the whole SKU, or three or more characters of
its name or description), then a Quantity and a Placed Price (the market price by default).

Enter in the search field takes the highlighted result (the first unless Up/Down moved it;
typed ahead of the results, the first one when they arrive); Enter on the quantity adds the
line. The popup stays open after each Add Line Item so several items go in quickly; Esc
closes it, and asks first when a chosen item was not added yet.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from csr_tui.domain.catalog import Market
from csr_tui.domain.errors import DomainError, ValidationError
from csr_tui.domain.orders import parse_quantity
from csr_tui.domain.search import MIN_SUBSTRING
from csr_tui.screens.form import FORM_CSS, NOT_SAVED, show_field_error
from csr_tui.screens.keep_or_discard import KeepOrDiscardScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.key_holds import AfterAnswer, KeysWaitFor
from csr_tui.screens.widgets.safe_text import PlainInput, lines, plain, text
from csr_tui.screens.widgets.styled_once import StyledOnce
from csr_tui.services import VariantRow

FIELDS = ["variant", "quantity", "price"]
NO_VARIANT = plain("No variant chosen.")
NEXT_ITEM = "Search for the next item, or Esc."
SEARCH_DEBOUNCE = 0.025  # as the order list: a pause in the typing, then the query


class LineItemSearchScreen(StyledOnce, DialogFooter, ModalScreen[None]):
    DEFAULT_CSS = (
        "LineItemSearchScreen { align: center middle; }\n"
        + FORM_CSS
        + """
    LineItemSearchScreen .form-box { width: 100; }
    LineItemSearchScreen DataTable { height: 9; margin-top: 1; }
    LineItemSearchScreen #chosen { margin-top: 1; height: auto; }
    LineItemSearchScreen #details { height: auto; color: $text-muted; }
    LineItemSearchScreen #quantity-row Input { width: 10; }
    """
    )
    BINDINGS = [
        Binding("escape", "close", "Close", id="line_items.close"),
        Binding("f2", "details", "More details", id="line_items.details"),
        Binding("ctrl+s", "add", "Add line item", id="line_items.add", priority=True),
        Binding("down", "move(1)", "Next result", id="line_items.down", show=False),
        Binding("up", "move(-1)", "Previous result", id="line_items.up", show=False),
    ]

    def __init__(
        self,
        title: str,
        market: Market,
        search: Callable[[str], list[VariantRow]],
        add: Callable[[str, int, Decimal], Any],
        on_added: Callable[[Any], None],
    ) -> None:
        super().__init__()
        self._for_order(title, market, search, add, on_added)
        self.results: list[VariantRow] = []
        self.chosen: VariantRow | None = None
        self._debounce: Timer | None = None
        self.busy = False
        self.searched: str | None = None
        self._choose_first = False
        self._after_results = AfterAnswer()  # see action_move
        # Keys typed behind the Enter that adds a line wait for it: Esc then closes the
        # popup (it asked to keep or discard the item being added).
        self._adding = KeysWaitFor("a line added")
        self._close_after_add = False

    def serve(
        self,
        title: str,
        market: Market,
        search: Callable[[str], list[VariantRow]],
        add: Callable[[str, int, Decimal], Any],
        on_added: Callable[[Any], None],
    ) -> LineItemSearchScreen:
        """A popup built ahead, before anyone knew for which order: made this one's (its
        title, market and currency, and what it searches and adds to). Once only."""
        assert not self.results and self.chosen is None, "a popup already used"
        self._for_order(title, market, search, add, on_added)
        self.query_one(".form-box").border_title = plain(title)
        self.query_one("#f-price", Input).placeholder = f"in {market.currency.code}"
        return self

    def _for_order(
        self,
        title: str,
        market: Market,
        search: Callable[[str], list[VariantRow]],
        add: Callable[[str, int, Decimal], Any],
        on_added: Callable[[Any], None],
    ) -> None:
        self.title_text = title
        self.market = market
        self.search_fn = search
        self.add_fn = add
        self.on_added = on_added

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box") as box:
            box.border_title = plain(self.title_text)
            with Horizontal(classes="form-row"):
                yield Label(plain("Product variant"))
                yield PlainInput(
                    placeholder="SKU, or 3+ characters of name or description", id="f-variant"
                )
            yield Static(classes="field-error", id="e-variant")
            yield DataTable(cursor_type="row", id="results")
            yield Static(NO_VARIANT, id="chosen")
            yield Static(id="details")
            with Horizontal(classes="form-row", id="quantity-row"):
                yield Label(plain("Quantity"))
                yield PlainInput("1", id="f-quantity")
            yield Static(classes="field-error", id="e-quantity")
            with Horizontal(classes="form-row"):
                yield Label(plain("Placed price"))
                yield PlainInput(placeholder=f"in {self.market.currency.code}", id="f-price")
            yield Static(classes="field-error", id="e-price")
            yield Static(classes="form-error", id="form-error")
            yield Static(
                plain(
                    "Enter: choose the highlighted result, then add it · ↑↓ move · "
                    "Tab: placed price · F2: more details · Esc: close"
                ),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        # The item name takes what the box leaves: at 80 columns price and stock still show.
        inner = min(100, int(self.app.size.width * 0.98)) - 4
        fixed = (("SKU", 12), ("Price", 13), ("Stock", 8))
        item = max(12, inner - sum(w + 2 for _, w in fixed) - 4)
        for label, width in (fixed[0], ("Item", item), *fixed[1:]):
            table.add_column(label, width=width)
        if self.app.size.height < 30:
            table.styles.height = 6  # the quantity and price stay on a 24-line terminal
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#f-variant", Input).focus()

    # -- searching -------------------------------------------------------------------

    @on(Input.Changed, "#f-variant")
    def variant_typed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, self.start_search)

    def start_search(self) -> None:
        text = self.query_one("#f-variant", Input).value
        if len(text.strip()) < MIN_SUBSTRING:
            self._choose_first = False
            typed = text.strip()
            self.show_results([], f"Enter {MIN_SUBSTRING} or more characters." if typed else "")
            return
        self.run_search(text)

    @background("variant-search")
    def run_search(self, text: str) -> None:
        try:
            rows = self.search_fn(text)
        except DomainError as error:
            self.app.call_from_thread(self.show_results, [], str(error), text)
            return
        self.app.call_from_thread(
            self.show_results, rows, "" if rows else "No variant found.", text
        )

    def show_results(self, rows: list[VariantRow], message: str, typed: str | None = None) -> None:
        if typed is not None and typed != self.query_one("#f-variant", Input).value:
            return  # the agent typed on since
        self.results = rows
        self.searched = typed
        table = self.query_one("#results", DataTable)
        table.clear()
        for row in rows:
            price = money(row.price, self.market.currency) if row.price is not None else "—"
            stock = "not sold" if not row.is_sold else row.in_stock
            table.add_row(
                plain(row.sku),
                plain(row.name),
                plain(price, justify="right"),
                plain(
                    stock, "yellow" if not row.is_sold or not row.in_stock else "", justify="right"
                ),
            )
        error = self.query_one("#e-variant", Static)
        error.update(plain(message))
        error.display = bool(message)
        if self._choose_first and rows:
            self.choose(rows[0])
        self._choose_first = False
        self._results_shown()

    def _results_shown(self) -> None:
        self._after_results.shown()

    def action_move(self, step: int) -> None:
        typed = self.query_one("#f-variant", Input).value
        if len(typed.strip()) >= MIN_SUBSTRING and typed != self.searched:
            # The results shown are for what was typed before: this Down (and the keys
            # behind it, typed in one go) choose among those of what the field holds now.
            self._after_results.wait(self.app, lambda: self.action_move(step))
            return
        table = self.query_one("#results", DataTable)
        if self.results and self.query_one("#f-variant", Input).has_focus:
            table.move_cursor(row=max(0, min(len(self.results) - 1, table.cursor_row + step)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "f-variant":
            self.take_highlighted()
        else:
            self.action_add()

    def take_highlighted(self) -> None:
        """Enter in the search field: the highlighted result; typed ahead of the results,
        the first one when they arrive."""
        typed = self.query_one("#f-variant", Input).value
        if self.results and typed == self.searched:
            table = self.query_one("#results", DataTable)
            self.choose(self.results[min(table.cursor_row, len(self.results) - 1)])
            return
        if self._debounce is not None:
            self._debounce.stop()
        self._choose_first = True
        self.start_search()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.results):
            self.choose(self.results[event.cursor_row])

    def choose(self, row: VariantRow) -> None:
        self.chosen = row
        price = "" if row.price is None else f"{self.market.currency.round(row.price)}"
        self.query_one("#chosen", Static).update(
            text(("Chosen: ", "bold"), f"{row.sku}  {row.name}")
        )
        self.query_one("#details", Static).update("")
        self.query_one("#f-price", Input).value = price
        quantity = self.query_one("#f-quantity", Input)
        quantity.focus()

    def action_details(self) -> None:
        table = self.query_one("#results", DataTable)
        row = self.chosen
        if table.has_focus and 0 <= table.cursor_row < len(self.results):
            row = self.results[table.cursor_row]
        if row is None:
            return
        copied = ""
        if row.product_url:
            self.app.copy_to_clipboard(row.product_url)
            copied = " (copied to the clipboard)"
        page = plain(f"Product page: {row.product_url or 'none'}{copied}")
        self.query_one("#details", Static).update(lines("\n").join([lines(row.description), page]))

    # -- adding --------------------------------------------------------------------------

    def action_add(self) -> None:
        if self.busy:
            return
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#form-error", Static).update("")
        try:
            if self.chosen is None:
                raise ValidationError("Search for a product variant and choose one.", "variant")
            quantity = parse_quantity(self.query_one("#f-quantity", Input).value)
            price = self.market.currency.parse(
                self.query_one("#f-price", Input).value, "price", "placed price"
            )
        except ValidationError as error:
            show_field_error(self, error, FIELDS)
            return
        self.busy = True
        self.app.hold_keys(self._adding)  # type: ignore[attr-defined]
        self.run_add(self.chosen.sku, quantity, price)

    @background("line-add")
    def run_add(self, sku: str, quantity: int, price: Decimal) -> None:
        try:
            result = self.add_fn(sku, quantity, price)
        except DomainError as error:
            if isinstance(error, ValidationError) and error.field == "placed_price":
                error = ValidationError(str(error), "price")
            self.app.call_from_thread(self.add_failed, error)
            return
        self.app.call_from_thread(self.added, sku, quantity, result)

    def add_failed(self, error: DomainError) -> None:
        self.busy = False
        self._close_after_add = False
        show_field_error(self, error, FIELDS)
        self.app.release_keys(self._adding)  # type: ignore[attr-defined]

    def added(self, sku: str, quantity: int, result: Any) -> None:
        self.busy = False
        self.on_added(result)
        name = self.chosen.name if self.chosen is not None and self.chosen.sku == sku else ""
        self.chosen = None
        self.app.release_keys(self._adding)  # type: ignore[attr-defined]
        if self._close_after_add:
            self.notify(f"Added {quantity} × {sku}.", timeout=3)
            self.dismiss(None)
            return
        # Said on the popup's own line: a toast would cover the quantity of the next item.
        self.query_one("#chosen", Static).update(
            text(("Added: ", "bold green"), f"{quantity} × {sku}  {name}".rstrip(), ". ", NEXT_ITEM)
        )
        self.query_one("#f-quantity", Input).value = "1"
        self.query_one("#f-price", Input).value = ""
        variant = self.query_one("#f-variant", Input)
        variant.value = ""
        variant.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "variant-search":
            # The error is shown: no results for what is typed, and the keys held go on.
            self.results = []
            self.searched = self.query_one("#f-variant", Input).value
            self._results_shown()
        if event.state is WorkerState.ERROR and event.worker.group == "line-add":
            self.busy = False
            self.query_one("#form-error", Static).update(NOT_SAVED)
            self.app.release_keys(self._adding)  # type: ignore[attr-defined]

    def pending(self) -> str | None:
        """A variant chosen and not added yet, as the agent would name it."""
        if self.chosen is None:
            return None
        quantity = self.query_one("#f-quantity", Input).value.strip() or "?"
        return f"{quantity} × {self.chosen.sku} {self.chosen.name}"

    def action_close(self) -> None:
        """Esc closes; a chosen item not added yet is not lost without a word."""
        pending = self.pending()
        if pending is None:
            self.dismiss(None)
            return

        def answered(answer: str | None) -> None:
            if answer == "keep":
                self._close_after_add = True
                self.action_add()
            elif answer == "discard":
                self.dismiss(None)

        self.app.push_screen(
            KeepOrDiscardScreen(
                f"{pending} is chosen but not added to the order.",
                keep="Add it",
                discard="Discard it",
                title="Item not added",
            ),
            answered,
        )
