"""Choices whose state reads without colour: the chosen one of a list marked with a symbol,
a checked box with a tick (Textual draws the same X in both states, in two colours), and a
cursor that stops at the ends instead of jumping round to the other end (a second Down on
the last shipping method must not choose the first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, SelectionList

from csr_tui.screens.widgets.safe_text import option, text

CHOSEN, NOT_CHOSEN = "●", "○"
TICK = "✓"


class StopAtEnds(OptionList):
    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()


class ChoiceList(StopAtEnds):
    """One of a few values (a shipping method): the highlighted one is the choice, marked ●;
    the one saved before is marked "(current)"."""

    def __init__(
        self, choices: Sequence[tuple[str, str]], current: str | None = None, **kwargs: Any
    ) -> None:
        self.choices = list(choices)
        self.current = current
        super().__init__(
            *(option(self._label(i, False), id=value) for i, (value, _) in enumerate(choices)),
            **kwargs,
        )

    def _label(self, index: int, chosen: bool) -> Text:
        value, label = self.choices[index]
        return text(
            (CHOSEN if chosen else NOT_CHOSEN, "bold" if chosen else "dim"),
            " ",
            label,
            ("  (current)", "dim") if value == self.current else "",
        )

    @property
    def value(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.choices[self.highlighted][0]

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        for index in range(len(self.choices)):
            self.replace_option_prompt_at_index(index, self._label(index, index == highlighted))


class CheckList(SelectionList[str]):
    """A SelectionList whose box holds a tick when checked and is empty when not. Space
    ticks at once (Textual's Space posts a message that ticks later: an Enter typed right
    after it applied the choice without that tick); Enter is left to the dialog."""

    BINDINGS = [Binding("space", "toggle", "Toggle", show=False)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "select" and super().check_action(action, parameters)

    def action_toggle(self) -> None:
        if self.highlighted is not None:
            self.toggle(self.get_option_at_index(self.highlighted))

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or not 0 <= index < self.option_count:
            return line
        checked = self.get_option_at_index(index).value in self._selected
        box = segments[1]
        segments[1] = Segment(TICK if checked else " ", box.style, box.control)
        return Strip(segments, line.cell_length)


class TickBox(Checkbox):
    """A Checkbox with a tick when checked, and its label kept on one line when focused."""

    DEFAULT_CSS = """
    TickBox, TickBox:focus { border: none; height: 1; padding: 0; }
    """

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads this name
        return TICK if self.value else " "
