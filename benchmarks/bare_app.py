"""A bare Textual app with the order list's widgets and 50 rows: the start-up baseline."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Input, Static


class BareApp(App[None]):
    CSS = "DataTable { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search")
        yield Static("filters")
        yield DataTable()
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("No.", "Created", "Mkt", "Customer Name", "Status", "Total")
        for i in range(50):
            table.add_row(
                f"PO{1000 + i}", "2026-11-27 10:00", "US", "Mercy Taylor", "In Progress", "12.00"
            )
        self.query_one("#status", Static).update("1–50 of 50 orders")


if __name__ == "__main__":
    BareApp().run()
