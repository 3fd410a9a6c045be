"""The keys a screen answers to, read from its bindings, for the help screen and for hints
that name a key: nothing here is written by hand, so nothing can drift from what the keys
do (a keymap.toml that rebinds a key is seen too).

A screen's keys come in three groups, as in README's Keys section: what the screen does,
what the focused widget does (a text field, a table, a list), and what works everywhere
(the application's keys, and Textual's own screen keys such as Tab).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, TextArea

EVERYWHERE = "Everywhere"

_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Space",
    "delete": "Delete",
    "backspace": "Backspace",
    "pageup": "PageUp",
    "pagedown": "PageDown",
    "home": "Home",
    "end": "End",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "insert": "Insert",
}
_MODIFIERS = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "meta": "Meta", "super": "Super"}


def key_name(key: str) -> str:
    """A key as README writes it: `ctrl+n` is Ctrl+N, `f1` F1, `question_mark` ?."""
    *modifiers, last = key.split("+")
    if re.fullmatch(r"f\d+", last):
        name = last.upper()
    elif last in _NAMES:
        name = _NAMES[last]
    elif len(last) == 1:
        name = last.upper() if modifiers else last
    else:
        name = format_key(last)  # question_mark is ?, slash is /
    return "+".join([*(_MODIFIERS.get(m, m.title()) for m in modifiers), name])


@dataclass
class KeyRow:
    keys: list[str]  # as README writes them
    description: str  # the footer's word for it
    explanation: str  # what it does, when the binding says more than its footer word
    enabled: bool
    action: str


@dataclass
class KeyGroup:
    title: str
    rows: list[KeyRow] = field(default_factory=list)


def screen_name(screen: Screen) -> str:
    """The screen's title; a dialog's is its box's title; else its class, in words."""
    if screen.title:
        return screen.title
    for widget in screen.query(Widget):
        # The title as drawn (Textual's `border_title` gives it back as markup).
        title = widget._border_title
        if title is not None and title.plain:
            return title.plain
    words = re.findall(r"[A-Z][a-z]*", type(screen).__name__.removesuffix("Screen"))
    return " ".join(words).capitalize() or type(screen).__name__


def widget_name(widget: Widget) -> str:
    """What the focused widget is, in the words an agent would use."""
    titled = getattr(widget, "HELP_TITLE", None)
    if isinstance(titled, str):
        return titled
    if isinstance(widget, Input | TextArea):
        return "In a text field"
    if isinstance(widget, DataTable):
        return "In the table"
    if isinstance(widget, OptionList):
        return "In the list"
    words = re.findall(r"[A-Z][a-z]*", type(widget).__name__)
    return "In the " + " ".join(words).lower()


# Textual's scrolling actions step aside (SkipAction) when the widget cannot scroll that
# way, and the key goes on to the next binding: Down in the one-line search field is the
# order list's "to the results", not the field's "scroll down".
_SCROLLING = {
    "scroll_up": "allow_vertical_scroll",
    "scroll_down": "allow_vertical_scroll",
    "page_up": "allow_vertical_scroll",
    "page_down": "allow_vertical_scroll",
    "scroll_left": "allow_horizontal_scroll",
    "scroll_right": "allow_horizontal_scroll",
    "page_left": "allow_horizontal_scroll",
    "page_right": "allow_horizontal_scroll",
    "scroll_home": "_allow_scroll",
    "scroll_end": "_allow_scroll",
}


def _steps_aside(node: DOMNode, action: str) -> bool:
    allowed = _SCROLLING.get(action)
    if allowed is None or not isinstance(node, Widget):
        return False
    method = f"action_{action}"
    if getattr(type(node), method, None) is not getattr(Widget, method):
        return False  # the widget's own action (a table's page down moves its cursor)
    return not getattr(node, allowed)


def _in_effect(screen: Screen) -> list[tuple[str, DOMNode, Binding, bool]]:
    """(key, namespace, binding, enabled) of every key the screen answers to now, resolved
    as Textual resolves a key press: the focused widget first, then its containers, the
    screen, the application (on a dialog, only the application's priority keys, which
    reach past it); a priority binding wins; a binding whose action is not offered now
    (check_action False) or steps aside passes the key on."""
    app = screen.app
    chain = list(screen._modal_binding_chain)
    if screen.is_modal:
        chain += [(node, bindings) for node, bindings in screen._binding_chain if node is app]
    found: dict[str, tuple[DOMNode, Binding, bool]] = {}
    for node, bindings in chain:
        for key, binding in bindings:
            if node is app and screen.is_modal and not binding.priority:
                continue
            state = app._check_action_state(binding.action, node)
            if state is False or _steps_aside(node, binding.action):
                continue
            if key not in found or (binding.priority and not found[key][1].priority):
                found[key] = (node, binding, bool(state))
    return [(key, node, binding, enabled) for key, (node, binding, enabled) in found.items()]


def key_groups(screen: Screen) -> list[KeyGroup]:
    """Every key `screen` answers to now, grouped: the screen's, the focused widget's, and
    those that work everywhere. One row per action, naming all of its keys."""
    app: App = screen.app
    focused = screen.focused
    groups = {
        "screen": KeyGroup(screen_name(screen)),
        "widget": KeyGroup(widget_name(focused) if focused is not None else ""),
        "app": KeyGroup(EVERYWHERE),
    }
    rows: dict[tuple[str, str], KeyRow] = {}
    for key, node, binding, enabled in _in_effect(screen):
        if binding.system or not binding.description:
            continue
        if node is app or (node is screen and binding.id is None):
            # Textual's own screen keys (Tab, Shift+Tab, copy) are the same on every screen.
            place = "app"
        elif node is screen:
            place = "screen"
        else:
            place = "widget"
        name = key_name(key)
        row = rows.get((place, binding.action))
        if row is None:
            row = KeyRow([], binding.description, binding.tooltip, enabled, binding.action)
            rows[(place, binding.action)] = row
            groups[place].rows.append(row)
        if name not in row.keys:
            row.keys.append(name)
        row.enabled = row.enabled or enabled
    return [group for group in groups.values() if group.rows]


def keys_for(screen: Screen, action: str) -> list[str]:
    """The keys that run `action` on `screen` now (after any keymap), as README writes them."""
    return [
        key_name(key) for key, _node, binding, _on in _in_effect(screen) if binding.action == action
    ]
