"""The csr-tui application. One factory for the command line and the tests."""

from __future__ import annotations

import importlib
import time
import tomllib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_config_dir
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from csr_tui.config import short_database_name
from csr_tui.domain.agent import Agent
from csr_tui.domain.catalog import Market
from csr_tui.domain.errors import DomainError
from csr_tui.domain.text import visible
from csr_tui.error_log import log_unexpected
from csr_tui.rich_text import plain
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.collector import IdleCollector
from csr_tui.services import Services, open_services
from csr_tui.services.services import Clock, utc_now

if TYPE_CHECKING:
    from csr_tui.screens.create_order import CreateOrderScreen
    from csr_tui.screens.line_item_search import LineItemSearchScreen
    from csr_tui.screens.order_details import OrderDetailsScreen
    from csr_tui.services import VariantRow

IDLE_SECONDS = 2.0  # no key or click for this long: a pause in which to work ahead
IDLE_WORK_FROM = 3.0  # seconds after the database opened (the warm-up loaded the screens)
IDLE_TICK = 0.25  # seconds between two pieces of work in a pause
# The keys behind a key wait at most this long for it to be handled (see `_watch_holds`).
KEY_TRIP_SECONDS = 1.0
# Keys held for a search, a save or a popup (hold_keys) that is still not there after this
# long are dropped, not replayed on what may no longer be the list they were typed for.
HELD_KEYS_SECONDS = 10.0


def _unused(*_: object) -> None:
    """What a popup built ahead would add to, until `serve` says."""
    raise AssertionError("a popup built ahead was used before it was served")


class _ScreenResumed:
    """Holds the keys until the screen on top has resumed (see CsrApp._hold_for_screen)."""


def keymap_path() -> Path:
    return Path(user_config_dir("csr-tui")) / "keymap.toml"


class CsrApp(App[None]):
    TITLE = "Order Management"
    CSS = """
    Screen { background: $surface; }
    ModalScreen { background: $background 60%; }
    Toast { max-width: 70; }
    """
    # Priority: these keys reach past dialogs too. A text field keeps "?" for itself
    # (Textual drops a key from the bindings above a widget that takes it as text).
    BINDINGS = [
        Binding(
            "f1,question_mark",
            "help",
            "Help",
            id="app.help",
            priority=True,
            tooltip="every key of this screen, as it is now",
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            id="app.command_palette",
            show=False,
            priority=True,
            tooltip="find any action of this screen by name, and run it",
        ),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="app.quit",
            show=False,
            priority=True,
            tooltip="leave csr-tui (what was saved stays saved)",
        ),
    ]

    class DatabaseReady(Message):
        def __init__(
            self, services: Services, markets: list[Market], empty: bool, warnings: list[str]
        ) -> None:
            super().__init__()
            self.services = services
            self.markets = markets
            self.empty = empty
            self.warnings = warnings

    class KeyTrip(Message):
        """Posted behind a key, along its way: reaching the app, the key before it has been
        handled wherever it went (its binding run, the focus move it asked for queued).
        Then sent along the same way again, behind what the binding posted there (a list's
        OptionSelected, whose handler moves the focus): `first` is the trip it follows."""

        def __init__(self, target: MessagePump, first: CsrApp.KeyTrip | None = None) -> None:
            super().__init__()
            self.target = target
            self.first = first

    class DatabaseFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        *,
        database_url: str | None = None,
        agent: Agent | str = "agent",
        services: Services | None = None,
        clock: Clock = utc_now,
        keymap_file: Path | None = None,
        collector: IdleCollector | None = None,
        prepare_ahead: bool = False,
    ) -> None:
        """`collector`: the process's cycle collector deferred to pauses (the command line
        gives one; it changes the whole process's collector, so tests run without).
        `prepare_ahead`: the screens of the next phone order are built in a pause (the
        command line asks for it; tests that do ask wait for it)."""
        super().__init__()
        if database_url is None and services is None:
            raise ValueError("CsrApp needs a database URL or services")
        self.database_url = database_url
        self.identity = agent if isinstance(agent, Agent) else Agent(agent)
        self.agent = services.agent if services else self.identity.name
        self.clock = clock
        self.services: Services | None = None
        self._given_services = services
        self.markets: list[Market] = []
        self.keymap_file = keymap_file if keymap_file is not None else keymap_path()
        self.collector = collector
        self.prepare_ahead = prepare_ahead
        self._spare_wizard: CreateOrderScreen | None = None
        self._spare_item_search: LineItemSearchScreen | None = None
        self._spare_order_details: OrderDetailsScreen | None = None
        self._last_input = time.monotonic()
        self._key_holds: set[object] = set()  # while any is held, keys wait (hold_keys)
        self._waiting_keys: list[events.Key] = []  # in the order they came
        self._holds_watch: Timer | None = None  # see _watch_holds
        self._held_watch: Timer | None = None  # see _held_too_long

    def today(self) -> date:
        return self.clock().astimezone().date()

    # -- text is data, everywhere ----------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text, whoever asks for it: messages quote what customers and
        agents typed (Textual would parse them as markup, and pass escape sequences on)."""
        super().notify(
            visible(message, lines=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header names a cart, an order number, the agent: shown, never obeyed."""
        return super().format_title(visible(title), visible(sub_title))

    def _handle_exception(self, error: Exception) -> None:
        """Textual stops the app after an unexpected error and prints a traceback with local
        variables (customer data among them). The traceback goes to the log instead, and
        the terminal gets one line naming it."""
        message = log_unexpected(error, "csr-tui")
        super()._handle_exception(error)
        self._exit_renderables[:] = [plain(f"csr-tui stopped. {message}", "bold red")]

    def on_mount(self) -> None:
        from csr_tui.screens.order_list import OrderListScreen

        if self.collector is not None:
            self.collector.start()
        self._load_keymap()
        self.sub_title = f"{self.agent} · {short_database_name(self.database_url)}"
        self.push_screen(OrderListScreen())
        self.open_database()

    def _load_keymap(self) -> None:
        """Keys are rebindable: keymap.toml maps binding ids (see README) to keys."""
        try:
            text = self.keymap_file.read_text()
        except OSError:
            return
        try:
            keymap = tomllib.loads(text).get("keymap", {})
            self.set_keymap({str(k): str(v) for k, v in keymap.items()})
        except (tomllib.TOMLDecodeError, AttributeError) as error:
            self.notify(f"{self.keymap_file}: {error}", title="Keymap ignored", severity="warning")

    # -- the database, opened off the UI thread -------------------------------------------

    @background("database")
    def open_database(self) -> None:
        try:
            services = self._given_services
            if services is None:
                assert self.database_url is not None
                services = open_services(self.database_url, self.identity, self.clock)
            markets = services.markets()
            empty = not markets and not services.has_orders()
            warnings = services.db.warnings()
        except DomainError as error:
            self.post_message(self.DatabaseFailed(str(error)))
            return
        self.post_message(self.DatabaseReady(services, markets, empty, warnings))

    def on_csr_app_database_ready(self, message: DatabaseReady) -> None:
        self.services = message.services
        self.markets = message.markets
        for warning in message.warnings:
            self.notify(warning, title="Database", severity="warning", timeout=30)
        if message.empty:
            from csr_tui.screens.demo_offer import DemoOfferScreen

            self.push_screen(DemoOfferScreen(), self._after_demo)
        else:
            self._refresh_list()
        self.set_timer(1.0, self.warm_up)  # after the first page, not racing it
        if self.collector is not None or self.prepare_ahead:
            self.set_timer(IDLE_WORK_FROM, self._start_idle_work)

    # -- work done in the agent's pauses -------------------------------------------------

    def _start_idle_work(self) -> None:
        self.set_interval(IDLE_TICK, self._idle_tick)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._waiting_keys.append(event)
            await self._dispatch_waiting_keys()
            return
        await super().on_event(event)

    # -- keys that arrive together -------------------------------------------------------
    # Over SSH several keys often arrive in one read. Textual hands each to the widget
    # focused when the app takes it from its queue, and a key's binding runs (and asks to
    # move the focus, or opens a screen) only later: the keys behind it went to the widget
    # it was leaving. So a key holds the keys behind it until it has been handled (a
    # KeyTrip follows it on its way and releases them); a screen pushed or popped holds
    # them until it has resumed; and a search, a save or a popup that the next key acts on
    # holds them until it is on screen (hold_keys, released by the code that held them).

    def hold_keys(self, holder: object) -> None:
        """Keys wait until `release_keys(holder)`: what they act on is not on screen yet."""
        self._key_holds.add(holder)
        if not isinstance(holder, self.KeyTrip | _ScreenResumed) and self._held_watch is None:
            self._held_watch = self.set_timer(HELD_KEYS_SECONDS, self._held_too_long)

    def _held_too_long(self) -> None:
        """A search, a save or a popup still not there after HELD_KEYS_SECONDS (a database
        that does not answer): the keyboard is never stuck. The keys typed meanwhile are
        dropped, and the agent told so: replayed, they would act on what they were not
        typed for (the next Enter opening another order)."""
        self._held_watch = None
        explicit = {h for h in self._key_holds if not isinstance(h, self.KeyTrip | _ScreenResumed)}
        if not explicit:
            return
        self._key_holds -= explicit
        dropped = len(self._waiting_keys)
        self._waiting_keys.clear()
        if dropped:
            self.notify(
                f"The database took over {HELD_KEYS_SECONDS:.0f} s to answer: the {dropped} "
                f"key{'' if dropped == 1 else 's'} typed meanwhile "
                f"{'was' if dropped == 1 else 'were'} not used. Type again.",
                severity="warning",
                timeout=8,
            )

    def release_keys(self, holder: object) -> None:
        if holder in self._key_holds:
            self._key_holds.discard(holder)
            if self._held_watch is not None and not any(
                not isinstance(h, self.KeyTrip | _ScreenResumed) for h in self._key_holds
            ):
                self._held_watch.stop()
                self._held_watch = None
            if not self._key_holds and self._waiting_keys:
                # After the focus moves asked for meanwhile, which are queued callbacks too.
                self.call_later(self._dispatch_waiting_keys)

    async def _dispatch_waiting_keys(self) -> None:
        while self._waiting_keys and not self._key_holds:
            key = self._waiting_keys.pop(0)
            target = self.focused or self.screen
            trip = self.KeyTrip(target)
            self.hold_keys(trip)
            self._watch_holds()
            await super().on_event(key)
            target.post_message(trip)

    def on_csr_app_key_trip(self, message: CsrApp.KeyTrip) -> None:
        message.stop()
        if message.first is None and message.target.post_message(
            self.KeyTrip(message.target, message)
        ):
            return
        self.call_later(self.release_keys, message.first or message)

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        """As App's; the keys behind the one that opened it wait for its focus."""
        result = super().push_screen(screen, *args, **kwargs)
        self._hold_for_screen()
        return result

    def pop_screen(self):  # type: ignore[no-untyped-def]
        result = super().pop_screen()
        self._hold_for_screen()
        return result

    def switch_screen(self, screen):  # type: ignore[no-untyped-def]
        result = super().switch_screen(screen)
        self._hold_for_screen()
        return result

    def _hold_for_screen(self) -> None:
        """Until the screen now on top has resumed (its focus set): its queue comes first.
        The key that changed the screen has done its work: its trip, which may have
        followed it into a screen now closed, is no longer waited for."""
        screen = self.screen
        self._key_holds = {h for h in self._key_holds if not isinstance(h, self.KeyTrip)}
        holder = _ScreenResumed()
        self.hold_keys(holder)
        self._watch_holds()
        screen.call_later(self.release_keys, holder)

    def _watch_holds(self) -> None:
        """A key's trip or a screen's callback can be lost (the widget it was queued on
        closed first): after KEY_TRIP_SECONDS the keys go on where the focus is, never
        stuck. A search's hold (hold_keys) is not cut short."""
        if self._holds_watch is None:
            self._holds_watch = self.set_timer(KEY_TRIP_SECONDS, self._holds_lost)
        else:
            self._holds_watch.reset()

    def _holds_lost(self) -> None:
        self._holds_watch = None
        for holder in list(self._key_holds):
            if isinstance(holder, self.KeyTrip | _ScreenResumed):
                self.release_keys(holder)

    def _idle_tick(self) -> None:
        """Neither a key nor a click for IDLE_SECONDS: the screens of the next phone order
        are built ahead (the wizard, the item search, Order Details: one a tick), then the
        garbage of the last minutes is collected."""
        if time.monotonic() - self._last_input < IDLE_SECONDS:
            return
        # One piece of work a tick at most: a key pressed meanwhile waits for one only.
        if self.prepare_ahead and (
            self._prepare_wizard() or self._prepare_item_search() or self._prepare_order_details()
        ):
            return
        if self.collector is not None:
            self.collector.tick()

    def _build_off_screen(self, screen: Screen[object]) -> None:
        """Its stylesheet read, its widgets composed, mounted and styled (and what its
        on_mount loads, loaded), so that showing it later only lays it out and paints it.
        Textual does the same steps when a screen is pushed (App.push_screen:
        _load_screen_css, then _register through _get_screen); here they run before."""
        self._load_screen_css(screen)
        self._register(self, screen)

    def _prepare_wizard(self) -> bool:
        """Build the next new order's wizard off screen (its markets loaded too), so Ctrl+N
        only shows it."""
        from csr_tui.screens.create_order import CreateOrderScreen

        if self._spare_wizard is not None or self.services is None or not self.markets:
            return False
        self._spare_wizard = CreateOrderScreen()
        self._build_off_screen(self._spare_wizard)
        return True

    def _prepare_item_search(self) -> bool:
        """Build the next line-item search popup off screen, for whichever order adds items
        next (see `item_search`)."""
        from csr_tui.screens.line_item_search import LineItemSearchScreen

        if self._spare_item_search is not None or not self.markets:
            return False
        popup = LineItemSearchScreen("", self.markets[0], lambda _: [], _unused, _unused)
        self._spare_item_search = popup
        self._build_off_screen(popup)
        return True

    def _prepare_order_details(self) -> bool:
        """Build the next Order Details off screen, for whichever order opens next (see
        `order_details`)."""
        from csr_tui.screens.order_details import OrderDetailsScreen

        if self._spare_order_details is not None or self.services is None:
            return False
        self._spare_order_details = OrderDetailsScreen()
        self._build_off_screen(self._spare_order_details)
        return True

    def item_search(
        self,
        title: str,
        market: Market,
        search: Callable[[str], list[VariantRow]],
        add: Callable[[str, int, Decimal], object],
        on_added: Callable[[object], None],
    ) -> LineItemSearchScreen:
        """The line-item search popup for an order: the one built in a pause, else a new one."""
        from csr_tui.screens.line_item_search import LineItemSearchScreen

        popup = self._spare_item_search
        if popup is not None and popup.is_mounted:
            self._spare_item_search = None
            return popup.serve(title, market, search, add, on_added)
        # None built yet, or one still being built: that one stays for the next order.
        return LineItemSearchScreen(title, market, search, add, on_added)

    @background("warm-up")
    def warm_up(self) -> None:
        """Load the code of the screens a phone order goes through while the agent reads
        the list, so the first Ctrl+N does not wait for it (about 0.2 s)."""
        for module in ("csr_tui.screens.create_order", "csr_tui.screens.order_details"):
            importlib.import_module(module)
        if self.collector is not None:
            self.collector.freeze()  # that code lives as long as the app too

    def _after_demo(self, _loaded: bool | None) -> None:
        self.reload_markets()

    @background("markets")
    def reload_markets(self) -> None:
        assert self.services is not None
        try:
            markets = self.services.markets()
        except DomainError as error:
            self.post_message(self.DatabaseFailed(str(error)))
            return
        self.call_from_thread(self._markets_loaded, markets)

    def _markets_loaded(self, markets: list[Market]) -> None:
        self.markets = markets
        self._refresh_list()

    def _refresh_list(self) -> None:
        from csr_tui.screens.order_list import OrderListScreen

        for screen in self.screen_stack:
            if isinstance(screen, OrderListScreen):
                screen.reload()
                screen.render_status()

    def on_csr_app_database_failed(self, message: DatabaseFailed) -> None:
        self.notify(message.error, title="Database", severity="error", timeout=30)
        from csr_tui.screens.order_list import OrderListScreen

        for screen in self.screen_stack:
            if isinstance(screen, OrderListScreen):
                screen.problem = message.error
                screen.render_status()

    # -- navigation ------------------------------------------------------------------------

    def open_order(self, number: str, *, created: bool = False) -> None:
        self.push_screen(self.order_details(number, created=created))

    def order_details(self, number: str, *, created: bool = False) -> OrderDetailsScreen:
        """Order Details of `number`: the screen built in a pause, else a new one."""
        from csr_tui.screens.order_details import OrderDetailsScreen

        screen = self._spare_order_details
        if screen is not None and screen.is_mounted:
            self._spare_order_details = None
            return screen.serve(number, created=created)
        # None built yet, or one still being built: that one stays for the next order.
        return OrderDetailsScreen(number, created=created)

    def open_carts(self) -> None:
        from csr_tui.screens.carts import CartsScreen

        if self.services is not None:
            self.push_screen(CartsScreen())

    def open_cart_details(self, cart_id: int) -> None:
        from csr_tui.screens.cart import CartScreen

        self.push_screen(CartScreen(cart_id))

    def open_cart(
        self, cart_id: int, notices: list[str] | None = None, *, created_here: bool = True
    ) -> None:
        """A cart in the create-order wizard's steps: a Reorder's draft (with what the agent
        must know of it), or a cart to Convert to Purchase Order (not `created_here`)."""
        from csr_tui.screens.create_order import CreateOrderScreen

        self.push_screen(CreateOrderScreen(cart_id, notices, created_here=created_here))

    def new_order(self) -> None:
        """Create an order: the wizard, from the market on."""
        from csr_tui.screens.create_order import CreateOrderScreen

        if self.services is None or not self.markets:
            self.notify("There are no markets yet.", severity="warning")
            return
        wizard, self._spare_wizard = self._spare_wizard, None
        if wizard is None:
            wizard = CreateOrderScreen()
        else:
            wizard.load_markets()  # the order of use as it is now (a market just used)
        self.push_screen(wizard)

    async def action_quit(self) -> None:
        """Ctrl+Q: an order being created with content asks first (keep it as a cart,
        discard it, or continue); so does a dialog holding what was typed into it."""
        from csr_tui.screens.create_order import CreateOrderScreen

        wizards = [s for s in self.screen_stack if isinstance(s, CreateOrderScreen)]
        if wizards and wizards[-1].ask_before_quitting():
            return
        self.exit()

    def order_changed(self) -> None:
        """An order was created, changed or deleted elsewhere: the list shows it."""
        from csr_tui.screens.order_list import OrderListScreen

        for screen in self.screen_stack:
            if isinstance(screen, OrderListScreen):
                screen.reload(keep_position=True)

    # -- help: every key of the current screen ------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from csr_tui.screens.help import HelpScreen

        if action == "help":
            return not isinstance(self.screen, HelpScreen)
        return True

    def action_help(self) -> None:
        from csr_tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    # -- every binding of the current screen is also a command ----------------------------

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        if display[:1] == "f" and display[1:].isdigit():
            return display.upper()
        return {
            "space": "Spc",
            "delete": "Del",
            "del": "Del",
            "escape": "Esc",
            "esc": "Esc",
            "shift+tab": "⇧Tab",
            "tab": "Tab",
        }.get(display, display)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            keys = self.get_key_display(binding) or key
            yield SystemCommand(
                binding.description,
                f"Key: {keys}",
                partial(self._run_binding, active.node, binding.action),
            )

    def _run_binding(self, node: object, action: str) -> None:
        self.call_later(self.run_action, action, node)
