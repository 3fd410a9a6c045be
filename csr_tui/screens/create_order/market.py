"""Step 1, Market: the markets in the order this agent uses them, the last used highlighted
so Enter alone takes it. Typing filters the list (code or name); Up and Down move in it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static

from csr_tui.domain.catalog import Market
from csr_tui.domain.search import compact_key
from csr_tui.screens.widgets.safe_text import PlainInput, option, plain


def market_label(market: Market) -> str:
    return f"{market.code}  {market.name} ({market.currency.code})"


class MarketStep(Vertical):
    BINDINGS = [
        Binding("down", "move(1)", "Next market", id="wizard.market_down", show=False),
        Binding("up", "move(-1)", "Previous market", id="wizard.market_up", show=False),
    ]

    class Chosen(Message):
        def __init__(self, market: Market) -> None:
            super().__init__()
            self.market = market

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.markets: list[Market] = []
        self.shown: list[Market] = []
        self.fixed: Market | None = None
        self._take_when_loaded = False

    def compose(self) -> ComposeResult:
        yield Static(plain("Select the market of the order.", "bold"), id="market-intro")
        with Horizontal(classes="search-row"):
            yield Label(plain("Market"))
            yield PlainInput(placeholder="type to filter: code or name", id="market-filter")
        yield OptionList(id="markets")
        yield Static(
            plain("Enter: take the highlighted market · ↑↓ move · Esc: leave"), classes="hint"
        )

    def focus_step(self) -> None:
        if self.fixed is None:
            self.query_one("#market-filter", Input).focus()
        else:
            self.query_one("#markets", OptionList).focus()

    def set_markets(self, markets: list[Market]) -> None:
        self.markets = markets
        self.filter_markets()
        if self._take_when_loaded:
            self._take_when_loaded = False
            self.take()

    def fix(self, market: Market) -> None:
        """The order has content: its market no longer changes (prices are the market's)."""
        self.fixed = market
        self.markets = self.shown = [market]
        self.query_one("#market-intro", Static).update(
            plain("The market is fixed now that the order has content.", "bold")
        )
        self.query_one(".search-row").display = False
        options = self.query_one("#markets", OptionList)
        options.clear_options()
        options.add_option(option(market_label(market), id=market.code))
        options.highlighted = 0

    @on(Input.Changed, "#market-filter")
    def filter_markets(self) -> None:
        typed = compact_key(self.query_one("#market-filter", Input).value)
        self.shown = [m for m in self.markets if typed in compact_key(market_label(m))]
        options = self.query_one("#markets", OptionList)
        options.clear_options()
        options.add_options([option(market_label(m), id=m.code) for m in self.shown])
        if not self.shown and self.markets:
            options.add_option(option("No market matches.", disabled=True))
        if self.shown:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one("#markets", OptionList)
        if self.shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    @on(Input.Submitted, "#market-filter")
    def take(self) -> None:
        if self.fixed is not None:
            self.post_message(self.Chosen(self.fixed))
            return
        if not self.markets:
            self._take_when_loaded = True  # Enter before the list arrived: take the first
            return
        index = self.query_one("#markets", OptionList).highlighted
        if self.shown and index is not None and index < len(self.shown):
            self.post_message(self.Chosen(self.shown[index]))

    @on(OptionList.OptionSelected, "#markets")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        chosen = next((m for m in self.shown if m.code == event.option.id), None)
        if chosen is not None:
            self.post_message(self.Chosen(chosen))
