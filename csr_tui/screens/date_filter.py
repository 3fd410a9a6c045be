"""The Created On filter: a preset, or a custom Start Date and End Date with Apply."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static

from csr_tui.domain.dates import DateChoice, DatePreset, DayRange, parse_day
from csr_tui.domain.errors import ValidationError
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import PlainInput, option, plain

ANY = "any"


class DateFilterScreen(DialogFooter, ModalScreen[DateChoice | None]):
    DEFAULT_CSS = """
    DateFilterScreen { align: center middle; }
    DateFilterScreen > Vertical {
        width: 60; height: auto; max-width: 95%; max-height: 95%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    DateFilterScreen OptionList { height: auto; max-height: 10; border: none; }
    DateFilterScreen Horizontal { height: auto; }
    DateFilterScreen Label { padding: 1 1 0 0; }
    DateFilterScreen Input { width: 15; padding: 0 1; }  /* YYYY-MM-DD and the cursor */
    DateFilterScreen #apply { margin-left: 1; margin-top: 0; }
    DateFilterScreen #error { color: $error; height: auto; }
    DateFilterScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Back", id="date_filter.cancel")]

    def __init__(self, current: DateChoice, today: date) -> None:
        super().__init__()
        self.current = current
        self.today = today

    def compose(self) -> ComposeResult:
        custom = self.current.custom
        with Vertical() as box:
            box.border_title = plain("Created date")
            options = [option("Any date", id=ANY)]
            for preset in DatePreset:
                label = "Custom range…" if preset is DatePreset.CUSTOM else preset.value
                if preset is not DatePreset.CUSTOM:
                    days = DateChoice(preset).days(self.today)
                    label = f"{preset.value:<14}{days.describe() if days else ''}"
                options.append(option(label, id=preset.name))
            yield OptionList(*options)
            with Horizontal():
                yield Label(plain("Start"))
                yield PlainInput(
                    value=f"{custom.first:%Y-%m-%d}" if custom and custom.first else "",
                    placeholder="YYYY-MM-DD",
                    id="start",
                )
                yield Label(plain("End"))
                yield PlainInput(
                    value=f"{custom.last:%Y-%m-%d}" if custom and custom.last else "",
                    placeholder="YYYY-MM-DD",
                    id="end",
                )
                yield Button(plain("Apply"), id="apply", variant="primary")
            yield Static(id="error")
            yield Static(
                plain("Enter: choose · Tab: custom dates, Enter applies · Esc: back"),
                classes="hint",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        wanted = self.current.preset.name if self.current.preset else ANY
        for index in range(options.option_count):
            if options.get_option_at_index(index).id == wanted:
                options.highlighted = index
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == ANY:
            self.dismiss(DateChoice())
        elif choice == DatePreset.CUSTOM.name:
            self.query_one("#start", Input).focus()
        else:
            self.dismiss(DateChoice(DatePreset[choice or ""]))

    def on_input_changed(self, _event: Input.Changed) -> None:
        """The agent is correcting a date: the complaint about the old one goes."""
        self.query_one("#error", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "start" and not self.query_one("#end", Input).value:
            self.query_one("#end", Input).focus()
            return
        self.apply_custom()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.apply_custom()

    def apply_custom(self) -> None:
        error = self.query_one("#error", Static)
        try:
            first = parse_day(self.query_one("#start", Input).value, "start")
            last = parse_day(self.query_one("#end", Input).value, "end")
            if first is None and last is None:
                raise ValidationError("Enter a start date, an end date, or both.", "start")
            days = DayRange(first, last)
        except ValidationError as problem:
            error.update(plain(problem))
            self.query_one(
                "#end" if problem.field in ("end", "end_date") else "#start", Input
            ).focus()
            return
        self.dismiss(DateChoice(DatePreset.CUSTOM, days))

    def action_cancel(self) -> None:
        self.dismiss(None)
