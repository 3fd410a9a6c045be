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
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = ("help", "app.help")


class KeyFooter(Footer):
    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(compact=True, show_command_palette=show_command_palette)
        self._composed_width = 0

    def _key(self, binding: Binding, enabled: bool, tooltip: str, classes: str = "") -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip or binding.tooltip,
            classes=classes,
        ).data_bind(compact=Footer.compact)

    def _width(self, binding: Binding) -> int:
        """Cells a compact key takes: key, space, description, and the gap after it."""
        return cell_len(self.app.get_key_display(binding)) + 1 + cell_len(binding.description) + 1

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        helps = [shown.pop(action) for action in HELP_ACTIONS if action in shown]
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = found
        width = self.size.width or self.app.size.width
        self._composed_width = width
        room = width - sum(self._width(b) for b, _, _ in helps)
        if palette is not None:
            room -= self._width(palette.binding) + 1  # and the column it leaves uncovered
        for binding, enabled, tooltip in shown.values():
            room -= self._width(binding)
            if room < 0:
                break
            yield self._key(binding, enabled, tooltip)
        for binding, enabled, tooltip in helps:
            yield self._key(binding, enabled, tooltip)
        if palette is not None:
            yield self._key(palette.binding, palette.enabled, palette.tooltip, "-command-palette")

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
