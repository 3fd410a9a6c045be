"""Something unfinished is about to be left: keep it (Enter), discard it (D), or go on
with it (Escape). Returns "keep", "discard" or "continue"."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import lines, plain

Answer = Literal["keep", "discard", "continue"]


class KeepOrDiscardScreen(DialogFooter, ModalScreen[Answer]):
    DEFAULT_CSS = """
    KeepOrDiscardScreen { align: center middle; }
    KeepOrDiscardScreen > Vertical {
        width: 70; height: auto; max-width: 95%;
        border: thick $warning; background: $panel; padding: 1 2;
    }
    KeepOrDiscardScreen #question { margin-bottom: 1; }
    KeepOrDiscardScreen Horizontal { height: auto; align-horizontal: right; }
    KeepOrDiscardScreen Button { margin-left: 1; min-width: 10; }
    """
    BINDINGS = [
        Binding("enter", "answer('keep')", "Keep", priority=True, id="leave.keep"),
        Binding("d", "answer('discard')", "Discard", id="leave.discard"),
        Binding("escape", "answer('continue')", "Continue", id="leave.continue"),
    ]

    def __init__(
        self, question: str, *, keep: str | None, discard: str, title: str = "Please choose"
    ) -> None:
        """With `keep` None there is nothing to keep: Enter does nothing."""
        super().__init__()
        self.question = question
        self.keep = keep
        self.discard = discard
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text)
            yield Static(lines(self.question), id="question")
            with Horizontal():
                yield Button(plain("Continue (Esc)"), id="continue")
                yield Button(plain(f"{self.discard} (D)"), id="discard", variant="error")
                if self.keep is not None:
                    yield Button(plain(f"{self.keep} (Enter)"), id="keep", variant="primary")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "answer" and parameters == ("keep",) and self.keep is None)

    def action_answer(self, answer: Answer) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)  # type: ignore[arg-type]
