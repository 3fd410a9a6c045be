"""Pick one or more values of a filter (statuses, markets). Space toggles, Enter applies."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static

from csr_tui.screens.widgets.choices import CheckList
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.keys import keys_for
from csr_tui.screens.widgets.safe_text import plain, selection


class ChoiceFilterScreen(DialogFooter, ModalScreen[frozenset[str] | None]):
    """Returns the chosen values (empty: no filter), or None when the agent backs out."""

    DEFAULT_CSS = """
    ChoiceFilterScreen { align: center middle; }
    ChoiceFilterScreen > Vertical {
        width: 58; height: auto; max-height: 90%; max-width: 95%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    ChoiceFilterScreen SelectionList { height: auto; max-height: 16; border: none; }
    ChoiceFilterScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding(
            "enter",
            "apply",
            "Apply",
            id="filter.apply",
            tooltip="filter by what is ticked (nothing ticked: no filter)",
        ),
        Binding(
            "escape", "cancel", "Back", id="filter.cancel", tooltip="leave the filter as it was"
        ),
        Binding("a,A", "all", "All/none", id="filter.all", tooltip="tick every value, or none"),
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
            yield Static(classes="hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self.call_after_refresh(self.show_keys)

    def show_keys(self) -> None:
        """The keys as they are bound (a keymap may have changed them)."""

        def keys(action: str) -> str:
            return "/".join(keys_for(self, action))

        self.query_one(".hint", Static).update(
            plain(
                f"{keys('toggle')} toggle · {keys('all')} all/none · "
                f"{keys('apply')} apply · {keys('cancel')} back"
            )
        )

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
