"""Pick one or more values of a filter (statuses, markets). Space toggles, Enter applies."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static

from csr_tui.screens.widgets.choices import CheckList
from csr_tui.screens.widgets.safe_text import plain, selection


class ChoiceFilterScreen(ModalScreen[frozenset[str] | None]):
    """Returns the chosen values (empty: no filter), or None when the agent backs out."""

    DEFAULT_CSS = """
    ChoiceFilterScreen { align: center middle; }
    ChoiceFilterScreen > Vertical {
        width: 56; height: auto; max-height: 90%; max-width: 95%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    ChoiceFilterScreen SelectionList { height: auto; max-height: 16; border: none; }
    ChoiceFilterScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("enter", "apply", "Apply", priority=True, id="filter.apply"),
        Binding("escape", "cancel", "Back", id="filter.cancel"),
        Binding("a", "all", "All/none", id="filter.all"),
    ]

    def __init__(
        self, title: str, options: Iterable[tuple[str, str]], selected: Iterable[str]
    ) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.selected = set(selected)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text)
            yield CheckList(
                *(selection(label, value, value in self.selected) for value, label in self.options)
            )
            yield Static(
                plain("Space: toggle · A: all/none · Enter: apply · Esc: back"), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        self.dismiss(frozenset(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_all(self) -> None:
        choices = self.query_one(SelectionList)
        if len(choices.selected) == len(self.options):
            choices.deselect_all()
        else:
            choices.select_all()
