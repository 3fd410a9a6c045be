"""A shipment's options menu (the seed's "…"): exactly what its state allows, each with its
key. Enter chooses, Escape backs out; an irreversible step still asks to confirm."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from csr_tui.domain.offers import ShipmentAction
from csr_tui.screens.widgets.choices import StopAtEnds
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.safe_text import option, plain, text

LABELS = {
    ShipmentAction.EDIT: "Edit",
    ShipmentAction.ADD_ITEMS: "Add line items",
    ShipmentAction.RELEASE: "Release",
    ShipmentAction.ADD_TO_PICKLIST: "Add to Picklist",
    ShipmentAction.COMPLETE: "Complete",
    ShipmentAction.CHECK_INVENTORY: "Check inventory",
    ShipmentAction.REMOVE: "Remove shipment",
}


class ShipmentMenuScreen(DialogFooter, ModalScreen[str | None]):
    DEFAULT_CSS = """
    ShipmentMenuScreen { align: center middle; }
    ShipmentMenuScreen > Vertical {
        width: 40; height: auto; max-width: 95%; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    ShipmentMenuScreen OptionList { height: auto; border: none; }
    ShipmentMenuScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Back", id="shipment_menu.cancel")]

    def __init__(self, title: str, entries: list[tuple[ShipmentAction, str]]) -> None:
        """`entries`: the actions offered, each with the key that runs it directly."""
        super().__init__()
        self.title_text = title
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(self.title_text)
            yield StopAtEnds(
                *(
                    option(text(LABELS[action].ljust(18), (key, "dim")), id=action.value)
                    for action, key in self.entries
                )
            )
            yield Static(plain("↑↓ move · Enter: choose · Esc: back"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
