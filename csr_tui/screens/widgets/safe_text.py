"""Text is data, on screen: the helpers every screen and widget builds its text with.

`plain`, `lines` and `text` (from `csr_tui.rich_text`) make a `rich.text.Text` of stored or
typed text: never parsed as markup, control characters shown as placeholders. Here too:
options and selections built from data, and `PlainInput`, an Input that draws what it
holds the same way. A widget is never given a `str` made from data.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Input
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from csr_tui.domain.text import visible
from csr_tui.rich_text import lines, plain, safe, text

__all__ = ["PlainInput", "lines", "option", "plain", "safe", "selection", "text"]


def option(prompt: object, id: str | None = None, *, disabled: bool = False) -> Option:
    return Option(plain(prompt), id=id, disabled=disabled)


def selection(prompt: object, value: str, selected: bool = False) -> Selection[str]:
    return Selection(plain(prompt), value, selected)


class PlainInput(Input):
    """An Input that draws what it holds like every other piece of data: a control
    character (typed, pasted, or in a stored value being corrected) shows as its
    placeholder, one cell wide, and is never written to the terminal. The value itself is
    kept as it is, so the domain refuses it with a message at the field.

    Textual draws an Input's value from `_value` and places the cursor by
    `_position_to_cell`; both are made to see the value as `visible` shows it. (Textual's
    own Text would drop BEL and CR silently and pass ESC on.)"""

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        return Text(visible(self.value), no_wrap=True, overflow="ignore", end="")

    def _position_to_cell(self, position: int) -> int:
        return cell_len(visible(self.value[:position]))
