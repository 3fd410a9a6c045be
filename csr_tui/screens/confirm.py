"""Confirm a destructive action. Enter confirms, Escape backs out."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import lines, plain


class ConfirmScreen(DialogFooter, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; height: auto; max-width: 95%;
        border: thick $error; background: $panel; padding: 1 2;
    }
    ConfirmScreen #question { margin-bottom: 1; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("enter", "confirm", "Confirm", priority=True, id="confirm.yes"),
        Binding("escape", "cancel", "Back", id="confirm.no"),
    ]

    def __init__(self, question: str, confirm_label: str, *, title: str = "Please confirm"):
        """The question is shown as it is: it quotes names and numbers, never markup."""
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text)
            yield Static(lines(self.question), id="question")
            with Horizontal():
                yield Button(plain("Back (Esc)"), id="no")
                yield Button(plain(f"{self.confirm_label} (Enter)"), id="yes", variant="error")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
