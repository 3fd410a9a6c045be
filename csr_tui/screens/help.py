"""Help (F1, or ? outside a text field): every key of the screen it was opened on, read
from that screen's bindings at that moment (widgets/keys.py), so it cannot drift from
what the keys do. Escape closes it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.keys import KeyGroup, key_groups, screen_name
from csr_tui.screens.widgets.safe_text import plain, text


class HelpScreen(DialogFooter, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    HelpScreen DataTable { height: auto; }
    HelpScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.about = screen_name(screen)
        self.groups: list[KeyGroup] = key_groups(screen)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = plain(f"Keys: {self.about}")
            yield DataTable(cursor_type="none", zebra_stripes=False, show_header=False)
            yield Static(
                plain("Up/Down, PageUp/PageDown scroll · Esc closes"),
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        keys = max(
            [len(", ".join(r.keys)) for g in self.groups for r in g.rows]
            + [len(g.title) for g in self.groups]
        )
        keys = min(keys, 24)
        # Room for the box and the hint line: the table scrolls within the rest.
        table.styles.max_height = max(3, self.app.size.height - 4)
        table.add_column("Key", width=keys)
        # The box (border and padding: 4), two cells' padding (4), the scroll bar (2).
        room = min(100, self.app.size.width) - 10 - keys
        table.add_column("Action", width=max(20, room))
        for group in self.groups:
            if table.row_count:
                table.add_row(Text(""), Text(""))
            table.add_row(plain(group.title, "bold underline"), Text(""))
            for row in group.rows:
                style = "" if row.enabled else "dim"
                table.add_row(
                    plain(", ".join(row.keys), f"bold {style}".strip()),
                    text(
                        (row.description, f"bold {style}".strip()),
                        (f" — {row.explanation}" if row.explanation else "", style),
                        (" (not now)" if not row.enabled else "", "italic"),
                    ),
                    key=f"{group.title}/{row.action}",
                    height=None,  # what a key does may take two lines on a narrow terminal
                )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
