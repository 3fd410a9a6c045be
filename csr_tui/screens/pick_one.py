"""Pick one value from a short list (the market of a new order). Enter picks, Esc backs out."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import option, plain


class PickOneScreen(DialogFooter, ModalScreen[str | None]):
    DEFAULT_CSS = """
    PickOneScreen { align: center middle; }
    PickOneScreen > Vertical {
        width: 60; height: auto; max-width: 95%; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    PickOneScreen OptionList { height: auto; max-height: 16; border: none; }
    PickOneScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Back", id="pick.cancel")]

    def __init__(self, title: str, options: Iterable[tuple[str, str]], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.hint = hint or "↑↓ move · Enter: choose · Esc: back"

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text)
            yield OptionList(*(option(label, id=value) for value, label in self.options))
            yield Static(plain(self.hint), classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
