"""Notes: what agents wrote about the order, newest first; each with its time and creator,
its description and its details on lines of their own. N adds one (from any tab)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from csr_tui.domain.orders import PurchaseOrder
from csr_tui.screens.widgets.formatting import local_time
from csr_tui.screens.widgets.safe_text import lines, plain


class NotesPane(VerticalScroll):
    DEFAULT_CSS = """
    NotesPane { height: 1fr; padding: 0 1; }
    NotesPane #notes-list { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="notes-list")

    def show(self, order: PurchaseOrder) -> None:
        notes = list(reversed(order.notes))  # they load in the order they were written
        shown = lines("")
        if not notes:
            shown.append_text(plain("No notes yet: N adds one.", "dim"))
        for note in notes:
            shown.append_text(plain(f"{local_time(note.created_at)} · {note.created_by}", "dim"))
            shown.append("\n")
            shown.append_text(plain(note.description, "bold"))
            shown.append("\n")
            if note.text:
                shown.append_text(lines(note.text))
                shown.append("\n")
            shown.append("\n")
        self.query_one("#notes-list", Static).update(shown)
