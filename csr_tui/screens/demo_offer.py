"""An empty database: offer demo data, and load it with a progress bar if accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from csr_tui.domain.errors import DomainError
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import lines, plain
from csr_tui.services import DEFAULT_DEMO_ORDERS

if TYPE_CHECKING:
    from csr_tui.app import CsrApp


class _BarProgress:
    """Demo loader progress, forwarded from the worker thread to the progress bar."""

    def __init__(self, screen: DemoOfferScreen) -> None:
        self.screen = screen

    def phase(self, name: str, total: int) -> None:
        self.screen.app.call_from_thread(self.screen.phase, name, total)

    def advance(self, amount: int) -> None:
        self.screen.app.call_from_thread(self.screen.advance, amount)


class DemoOfferScreen(DialogFooter, ModalScreen[bool]):
    DEFAULT_CSS = """
    DemoOfferScreen { align: center middle; }
    DemoOfferScreen > Vertical {
        width: 64; height: auto; max-width: 95%;
        border: thick $accent; background: $panel; padding: 1 2;
    }
    DemoOfferScreen ProgressBar { margin-top: 1; }
    """
    BINDINGS = [
        Binding("enter", "load", "Load demo data", priority=True, id="demo.load"),
        Binding("escape", "skip", "Start empty", id="demo.skip"),
    ]

    def __init__(self, orders: int = DEFAULT_DEMO_ORDERS) -> None:
        super().__init__()
        self.orders = orders
        self.busy = False

    @property
    def csr(self) -> CsrApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain("Empty database")
            yield Static(
                lines(
                    "This database has no markets and no orders yet.\n\n"
                    f"Enter: load demo data ({self.orders:,} orders in five markets, "
                    "customers including Mercy Taylor and Taylor Hayes).\n"
                    "Escape: start with an empty database."
                ),
                id="text",
            )
            yield ProgressBar(total=None, show_eta=False, id="bar")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def action_skip(self) -> None:
        if not self.busy:
            self.dismiss(False)

    def action_load(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one(ProgressBar).display = True
        self.query_one("#text", Static).update(plain("Loading demo data…"))
        self.load()

    @background("demo")
    def load(self) -> None:
        services = self.csr.services
        assert services is not None
        try:
            services.load_demo(self.orders, _BarProgress(self))
        except DomainError as error:
            self.app.call_from_thread(self.failed, str(error))
            return
        self.app.call_from_thread(self.dismiss, True)

    def phase(self, name: str, total: int) -> None:
        self.query_one("#text", Static).update(plain(f"Loading demo data: {name}…"))
        self.query_one(ProgressBar).update(total=total, progress=0)

    def advance(self, amount: int) -> None:
        self.query_one(ProgressBar).advance(amount)

    def failed(self, error: str) -> None:
        self.busy = False
        self.query_one("#text", Static).update(plain(f"Demo data could not be loaded: {error}"))
        self.notify(error, severity="error")
