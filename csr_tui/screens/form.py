"""A small form in a modal: labelled inputs, submitted in a worker.

A ValidationError is shown under the field it names, and focus goes there; nothing is
saved until the whole submission succeeds. Enter moves to the next field and submits
from the last one; Ctrl+S submits from anywhere; Escape backs out. Whatever a submission
raises, the form stays usable: Escape and Ctrl+S work again once it has answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from csr_tui.domain.errors import ConcurrentEditError, DomainError, ValidationError
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import PlainInput, plain

T = TypeVar("T")
# The toast of an unexpected error names the log; the dialog says what it means here.
NOT_SAVED = plain("Nothing was saved: an unexpected error occurred (see the message).")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""


FORM_CSS = """
.form-box {
    width: 72; height: auto; max-width: 98%; max-height: 98%;
    border: thick $accent; background: $panel; padding: 0 1;
}
.form-row { height: 1; margin-top: 1; }
.form-row Label { width: 16; padding-right: 1; }
.form-row Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
.form-row Input:focus { background: $accent 25%; }
.field-error { color: $error; height: auto; padding-left: 16; }
.form-error { color: $error; height: auto; margin-top: 1; }
.form-buttons { height: auto; margin-top: 1; align-horizontal: right; }
.form-buttons Button { margin-left: 1; }
.form-hint { color: $text-muted; }
"""


def field_rows(fields: list[Field]) -> ComposeResult:
    for field in fields:
        with Horizontal(classes="form-row"):
            yield Label(plain(field.label))
            yield PlainInput(value=field.value, placeholder=field.placeholder, id=f"f-{field.name}")
        error = Static(classes="field-error", id=f"e-{field.name}")
        error.display = False
        yield error


class FormScreen(DialogFooter, ModalScreen[T | None], Generic[T]):
    DEFAULT_CSS = "FormScreen { align: center middle; }\n" + FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.submit", priority=True),
    ]

    def __init__(
        self,
        title: str,
        fields: list[Field],
        submit: Callable[[dict[str, str]], T],
        *,
        submit_label: str = "Save",
        intro: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit_fn = submit
        self.submit_label = submit_label
        self.intro = intro
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form-box") as box:
            box.border_title = plain(self.title_text)
            if self.intro:
                yield Static(plain(self.intro), classes="form-hint")
            yield from field_rows(self.fields)
            yield Static(classes="form-error", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(plain("Back (Esc)"), id="cancel")
                yield Button(plain(f"{self.submit_label} (Ctrl+S)"), id="submit", variant="primary")

    def on_mount(self) -> None:
        self.query_one(f"#f-{self.fields[0].name}", Input).focus()

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#f-{f.name}", Input).value for f in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = [f"f-{f.name}" for f in self.fields]
        index = names.index(event.input.id or "")
        if index + 1 < len(names):
            self.query_one(f"#{names[index + 1]}", Input).focus()
        else:
            self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.clear_errors()
        self.run_submit(self.values())

    @background("form")
    def run_submit(self, values: dict[str, str]) -> None:
        try:
            result = self.submit_fn(values)
        except DomainError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        self.app.call_from_thread(self.dismiss, result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.busy = False
            self.query_one("#form-error", Static).update(NOT_SAVED)

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#form-error", Static).update("")

    def show_error(self, error: DomainError) -> None:
        self.busy = False
        show_field_error(self, error, [f.name for f in self.fields])


class StaleCopy(Message):
    """Sent to the screen under a dialog whose save was refused because another agent
    saved first: that screen shows an older copy, and reads it again."""


def show_field_error(screen: Any, error: DomainError, names: list[str]) -> None:
    """Put the message under the field it is about, or at the foot of the form."""
    stack = screen.app.screen_stack
    if isinstance(error, ConcurrentEditError) and screen in stack[1:]:
        stack[stack.index(screen) - 1].post_message(StaleCopy())
    field = error.field if isinstance(error, ValidationError) else None
    if field in names:
        message = screen.query_one(f"#e-{field}", Static)
        message.update(plain(error))
        message.display = True
        screen.query_one(f"#f-{field}", Input).focus()
    else:
        screen.query_one("#form-error", Static).update(plain(error))
