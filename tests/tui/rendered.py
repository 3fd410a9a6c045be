"""What a screen puts on the terminal, read back: its text, and what would be obeyed in it.

`assert_shown_safely(app, expected)` is the check every screen with hostile data passes
(tests/hostile.py): nothing raises; every expected string is on the screen literally; no
character a terminal obeys (C0, DEL, C1, bidirectional overrides) is in what is drawn; no
span carries a link, a click action or a style from the data (blink: our screens never
blink, so blink can only come from `[blink]` in data). The screen is read as the terminal
gets it (the compositor's strips), plus the parts of each text widget scrolled out of view,
plus every cell of every table and every option of every list (a table or list draws the
Text it was given).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable, OptionList, Static

from csr_tui.domain.text import CONTROL_CODES

# Textual's own scroll bars are the one thing on our screens that carries an action.
SCROLLBAR_ACTIONS = [{"@mouse.down": a} for a in ("grab", "scroll_up", "scroll_down")]


def screen_strips(app: App) -> list[Strip]:
    """The current screen as the terminal would get it now."""
    return app.screen._compositor.render_strips()


def screen_text(app: App) -> str:
    return "\n".join(strip.text for strip in screen_strips(app))


def _text_widget_strips(app: App) -> Iterator[Strip]:
    """Every line of every text widget on the screen, including lines scrolled away."""
    for widget in app.screen.query(Static):
        if widget.display and widget.size.area:
            yield from widget.render_lines(Region(0, 0, *widget.size))


def _cells(app: App) -> Iterator[Text | Content | object]:
    for table in app.screen.query(DataTable):
        for row in range(table.row_count):
            yield from table.get_row_at(row)
    for options in app.screen.query(OptionList):
        for index in range(options.option_count):
            yield options.get_option_at_index(index).prompt


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text | Content) else str(cell)


def shown_text(app: App) -> str:
    strips = [*screen_strips(app), *_text_widget_strips(app)]
    return "\n".join([*(s.text for s in strips), *(_plain(c) for c in _cells(app))])


def _styles(app: App) -> Iterator[tuple[str, Style]]:
    for strip in (*screen_strips(app), *_text_widget_strips(app)):
        for segment in strip:
            if segment.style is not None:
                yield segment.text, segment.style
    for cell in _cells(app):
        if isinstance(cell, Text):
            for span in cell.spans:
                if isinstance(span.style, Style):
                    yield cell.plain[span.start : span.end], span.style


def obeyed(app: App) -> list[str]:
    """What in the drawn screen a terminal would obey or the app would act on."""
    found = [
        f"U+{ord(c):04X} in {line!r}"
        for line in shown_text(app).splitlines()
        for c in line
        if ord(c) in CONTROL_CODES and c != "\t"
    ]
    for text, style in _styles(app):
        if style.link:
            found.append(f"a link to {style.link} on {text!r}")
        actions = {k: v for k, v in style.meta.items() if str(k).startswith("@")}
        if actions and actions not in SCROLLBAR_ACTIONS:
            found.append(f"an action {actions} on {text!r}")
        if style.blink:
            found.append(f"blink on {text!r}")
    return found


def assert_shown_safely(app: App, expected: Iterable[str] = ()) -> None:
    text = shown_text(app)
    missing = [e for e in expected if e not in text]
    assert not missing, f"{type(app.screen).__name__} does not show {missing!r}"
    problems = obeyed(app)
    assert not problems, f"{type(app.screen).__name__} would obey: {problems[:5]}"
