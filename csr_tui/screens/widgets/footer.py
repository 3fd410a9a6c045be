"""The footer every screen shows: whole keys only, as many as fit, in the order the screen
lists them (most used first), and always F1 Help, where every key is.

Textual's footer lays its keys out in one row and lets the terminal's edge, or the
command-palette key docked on the right, cut through them: "F5 Refr" at 120 columns, and a
stray character of a hidden key after "^p palette" (the docked key leaves the last column
uncovered). This one stops before the first key that would not fit whole.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = ("help", "app.help")


class KeyFooter(Footer):
    """Its keys are changed in place when the screen's keys change (Footer builds all its
    keys anew on every focus change and step: on the wizard and Order Details that was
    a good part of each key's time)."""

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(compact=True, show_command_palette=show_command_palette)
        self._composed_width = 0
        self._composed: tuple[tuple[str, ...], ...] | None = None
        self._shown: tuple[tuple[str, ...], ...] = ()  # what each key widget shows now

    @staticmethod
    def _key_classes(enabled: bool, classes: str) -> str:
        # Always compact: the class is given, not bound (a bound reactive restyles each key
        # once more as it mounts).
        return " ".join(c for c in ("-compact", "" if enabled else "-disabled", classes) if c)

    def _key(self, binding: Binding, enabled: bool, tooltip: str, classes: str = "") -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,  # a click on it rings the bell
            tooltip=tooltip or binding.tooltip,
            classes=self._key_classes(True, classes),  # and FooterKey adds "-disabled"
        )

    def _width(self, binding: Binding) -> int:
        """Cells a compact key takes: key, space, description, and the gap after it."""
        return cell_len(self.app.get_key_display(binding)) + 1 + cell_len(binding.description) + 1

    def compose(self) -> ComposeResult:
        self._composed_width = self.size.width or self.app.size.width
        keys = self._keys()
        self._composed = self._shown = self._signature(keys)
        for binding, enabled, tooltip, classes in keys:
            yield self._key(binding, enabled, tooltip, classes)

    @staticmethod
    def _signature(keys: list[tuple[Binding, bool, str, str]]) -> tuple[tuple[str, ...], ...]:
        return tuple(
            (b.key, b.action, b.description, str(enabled), tooltip or b.tooltip, classes)
            for b, enabled, tooltip, classes in keys
        )

    def on_mount(self, event: events.Mount) -> None:
        # Footer's own subscription (which this replaces) waits its turn in the footer's
        # queue: the keys then changed a frame after what changed them (the order list's
        # "Tab %Search", 30-40 ms after the page it goes with).
        event.prevent_default()
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed, immediate=True)

    def bindings_changed(self, screen: Screen) -> None:
        """Changed only when what it shows changed (the screen's bindings are refreshed on
        every focus change and step), and at once: in the frame that shows what changed
        them, not in one more after it (40-60 ms after the order list's page, at every
        search whose Tab hint came or went)."""
        self._bindings_ready = True  # as Footer does: the keys are known from now on
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        width = self.size.width or self.app.size.width
        keys = self._keys()
        if width == self._composed_width and self._signature(keys) == self._composed:
            return  # shown already
        self.update_keys(keys)

    def update_keys(self, keys: list[tuple[Binding, bool, str, str]] | None = None) -> None:
        """The keys as they are now: the shown ones changed in place, the others hidden
        (kept for the next time there are more keys) or added."""
        if not self.is_attached:  # asked for just before its screen was closed
            return
        self._composed_width = self.size.width or self.app.size.width
        if keys is None:
            keys = self._keys()
        self._composed = signature = self._signature(keys)
        shown = list(self.query_children(FooterKey))
        before = self._shown
        self._shown = signature
        for index, (widget, (binding, enabled, tooltip, classes)) in enumerate(
            zip(shown, keys, strict=False)
        ):
            if index < len(before) and before[index] == signature[index]:
                continue  # this key shows that already: not restyled, not laid out again
            widget.key = binding.key
            widget.key_display = self.app.get_key_display(binding)
            widget.description = binding.description
            widget.action = binding.action
            widget._disabled = not enabled
            widget.tooltip = tooltip or binding.tooltip or None
            widget.set_classes(self._key_classes(enabled, classes))
            widget.display = True
            widget.refresh(layout=True)
        for widget in shown[len(keys) :]:
            widget.display = False
        if len(keys) > len(shown):
            self.mount_all([self._key(*key) for key in keys[len(shown) :]])

    def _keys(self) -> list[tuple[Binding, bool, str, str]]:
        """The keys to show, in order: (binding, enabled, tooltip, classes)."""
        keys: list[tuple[Binding, bool, str, str]] = []
        if not self._bindings_ready:
            return keys
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        helps = [shown.pop(action) for action in HELP_ACTIONS if action in shown]
        if not helps and self.screen.is_modal and self.app.check_action("help", ()):
            # A dialog's bindings leave the app's out, but F1 (a priority key) still works.
            helps = [(b, True, "") for b in self._app_bindings("help")[:1]]
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = found
        room = (self.size.width or self.app.size.width) - sum(self._width(b) for b, _, _ in helps)
        if palette is not None:
            room -= self._width(palette.binding) + 1  # and the column it leaves uncovered
        for binding, enabled, tooltip in shown.values():
            room -= self._width(binding)
            if room < 0:
                break
            keys.append((binding, enabled, tooltip, ""))
        for binding, enabled, tooltip in helps:
            keys.append((binding, enabled, tooltip, ""))
        if palette is not None:
            keys.append((palette.binding, palette.enabled, palette.tooltip, "-command-palette"))
        return keys

    def _app_bindings(self, action: str) -> list[Binding]:
        return [
            binding
            for bindings in self.app._bindings.key_to_bindings.values()
            for binding in bindings
            if binding.action == action
        ]

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._composed_width:
            self.call_after_refresh(self.update_keys)


class DialogFooter:
    """Mixed into a dialog (a ModalScreen), before it: the dialog's own keys in a footer at
    the bottom. Without it the footer of the screen under the dialog showed through, with
    keys that mean something else here (Ctrl+S "Create order" under the item search, where
    Ctrl+S adds the line)."""

    def on_mount(self) -> None:
        # Textual calls the on_mount of each class of the screen, this one's too.
        self.mount(KeyFooter())  # type: ignore[attr-defined]
