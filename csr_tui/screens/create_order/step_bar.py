"""The wizard's steps in a line: Market, Customer, Shipment, Items, Review,
the current one highlighted, the complete ones ticked."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Static

from csr_tui.screens.widgets.safe_text import text


@dataclass(frozen=True)
class Step:
    id: str
    title: str


STEPS = (
    Step("market", "Market"),
    Step("customer", "Customer"),
    Step("shipment", "Shipment"),
    Step("items", "Items"),
    Step("review", "Review"),
)
STEP_IDS = tuple(step.id for step in STEPS)


class StepBar(Static):
    DEFAULT_CSS = """
    StepBar { height: 1; padding: 0 1; background: $panel; }
    """

    def show_steps(self, current: str, complete: set[str]) -> None:
        parts: list[str | tuple[str, str]] = []
        for number, step in enumerate(STEPS, start=1):
            if parts:
                parts.append((" › ", "dim"))
            tick = "✓" if step.id in complete else ""
            label = f"{tick}{number} {step.title}"
            if step.id == current:
                parts.append((f" {label} ", "bold reverse"))
            else:
                parts.append((label, "green" if step.id in complete else "dim"))
        self.update(text(*parts))
