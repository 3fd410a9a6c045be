"""Text is data, on screen: the helpers every screen and widget builds its text with.

`plain`, `lines` and `text` (from `csr_tui.rich_text`) make a `rich.text.Text` of stored or
typed text: never parsed as markup, control characters shown as placeholders. Here too:
options and selections built from data, and `PlainInput`, an Input that draws what it
holds the same way. A widget is never given a `str` made from data.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
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


class _ControlPictures(Highlighter):
    """Shows what an Input holds with controls as placeholders; the value itself is kept,
    so the domain can refuse a pasted escape sequence with a message at the field."""

    def highlight(self, text: Text) -> None:
        text.plain = visible(text.plain)


class PlainInput(Input):
    """An Input whose value is drawn like every other piece of data: nothing it holds is
    written raw to the terminal."""

    def __init__(self, value: str | None = None, **kwargs: object) -> None:
        kwargs.setdefault("highlighter", _ControlPictures())
        super().__init__(value, **kwargs)  # type: ignore[arg-type]
