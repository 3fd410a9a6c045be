"""History: the order's audit records, newest first: when, who, what they did, and each
field that changed (before → after). A save that changed nothing left no record."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from csr_tui.domain.history import field_changes
from csr_tui.screens.widgets.formatting import local_time
from csr_tui.screens.widgets.safe_text import lines, plain, text
from csr_tui.services import AuditEntry


class HistoryPane(VerticalScroll):
    DEFAULT_CSS = """
    HistoryPane { height: 1fr; padding: 0 1; }
    HistoryPane #history-list { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(plain("Loading the history…", "dim"), id="history-list")

    def show(self, entries: list[AuditEntry]) -> None:
        shown = lines("")
        if not entries:
            shown.append_text(plain("No changes recorded for this order yet.", "dim"))
        for number, entry in enumerate(reversed(entries)):
            if number:
                shown.append("\n")
            when = (f"{local_time(entry.at)} · ", "dim")
            shown.append_text(text(when, entry.agent, " · ", (entry.action, "bold")))
            shown.append("\n")
            created = all(
                isinstance(c, dict) and c.get("before") is None for c in entry.changes.values()
            )
            if created and len(entry.changes) > 2:
                continue  # the whole new order: the action says it
            for change in field_changes(entry.changes):
                shown.append_text(
                    text(f"  {change.field}: ", (change.before, "dim"), " → ", change.after)
                )
                shown.append("\n")
        self.query_one("#history-list", Static).update(shown)
