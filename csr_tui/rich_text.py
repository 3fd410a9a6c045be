"""Text is data: how stored or typed text becomes something Rich or Textual may show.

Anything that came from the database or from a person's typing is handed to a widget or a
Rich console as a `rich.text.Text` built here, never as a `str`: Textual and Rich parse a
`str` as markup (DataTable cells, Static, Label, Option and Selection prompts, border
titles, buttons, Rich tables and `Console.print`), so `Lee [/]` would crash a screen and
`[@click=app.quit]x` would become a clickable action. Every string also passes through
`visible`, so control characters and escape sequences show as placeholders instead of
reaching the terminal. Our own styling goes on spans: `text(("Customer: ", "bold"), name)`.

This module needs only Rich (the command line uses it without loading Textual); the
screens use it through `csr_tui.screens.widgets.safe_text`.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text

from csr_tui.domain.text import visible

Justify = Literal["default", "left", "center", "right", "full"]
Part = str | Text | tuple[str, str]


def plain(value: object, style: str = "", *, justify: Justify | None = None) -> Text:
    """One line of data as plain text: no markup, controls shown as placeholders."""
    if isinstance(value, Text):
        return safe(value)
    return Text(visible(value), style=style, justify=justify)


def lines(value: object, style: str = "") -> Text:
    """Text that may hold several lines (a note's details): newlines and tabs are kept."""
    if isinstance(value, Text):
        return safe(value)
    return Text(visible(value, lines=True), style=style)


def text(*parts: Part, style: str = "", justify: Justify | None = None) -> Text:
    """Several pieces on one line: a str is data, a (str, style) pair is data with our
    style, a Text is kept with its spans (made safe)."""
    result = Text(style=style, justify=justify)
    for part in parts:
        if isinstance(part, Text):
            result.append_text(safe(part))
        elif isinstance(part, tuple):
            result.append(visible(part[0]), style=part[1])
        else:
            result.append(visible(part))
    return result


def safe(value: Text) -> Text:
    """A copy of `value` with its characters made visible; its spans stay where they were.
    Newlines stay: data made `plain` has none left, and `lines` kept them on purpose."""
    copy = value.copy()
    copy.plain = visible(value.plain, lines=True)
    return copy
