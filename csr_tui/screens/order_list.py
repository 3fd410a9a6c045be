"""Order Management: the order list an agent lives in.

Typing searches as you go: each change to the search field starts its query in a worker,
and a newer keystroke cancels the query it supersedes (the database stops it) instead of
waiting for it. The page is painted as soon as it is read (while keys come faster than
answers, once the typing pauses), its count when that follows. Filters, paging
and selection work from the keyboard alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from csr_tui.domain.catalog import Market
from csr_tui.domain.dates import DateChoice
from csr_tui.domain.errors import DomainError
from csr_tui.domain.search import OrderSearch, SearchKind, any_part, parse_order_search
from csr_tui.domain.statuses import OrderStatus
from csr_tui.screens.choice_filter import ChoiceFilterScreen
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.date_filter import DateFilterScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.key_holds import AfterAnswer
from csr_tui.screens.widgets.keys import keys_for
from csr_tui.screens.widgets.order_table import (
    OrderTable,
    PageWhere,
    PreparedPage,
    prepare_page,
    row_detail,
)
from csr_tui.screens.widgets.safe_text import PlainInput, plain, text
from csr_tui.services import (
    PAGE_SIZE,
    Cancellation,
    Count,
    Cursor,
    OrderFilter,
    OrderPage,
    OrderRow,
    SearchCancelled,
)

if TYPE_CHECKING:
    from csr_tui.app import CsrApp

# Each change to the search field starts its query at once: a query that the next key
# supersedes is stopped by the database, not waited for. While keys come faster than an
# answer reaches the screen, the answer is read at once but shown only after a pause in the
# typing (the last gap between two keys and TYPING_MARGIN, at most TYPING_DEBOUNCE_MAX): a
# page that the next key replaces at once is not worth painting, and painting it held that
# key up (typed at 50 ms a key, every key started a search and a page).
TYPING_MARGIN = 0.025
TYPING_DEBOUNCE_MAX = 0.1
SEARCH_PLACEHOLDER = "order no. · name from its start (%: any part) · email · phone digits"


@dataclass(frozen=True)
class PageRequest:
    generation: int
    filter: OrderFilter
    after: Cursor | None = None
    before: Cursor | None = None
    last: bool = False
    with_count: bool = True
    cursor: Literal["first", "last", "keep"] = "first"
    offset: int | None = 0  # row offset of the page, when known
    # How many rows follow the page, when known from the end (paging back from the last
    # page of a list counted only as "10,000+").
    rows_after: int | None = None


@dataclass(frozen=True)
class AnyPartHint:
    """A name search from the first letter finds fewer orders than `text` (the same term,
    matching any part of the name) would: `count` of them."""

    filter: OrderFilter  # the search and filters it was counted for
    text: str
    count: Count


class OrderListScreen(Screen[None]):
    CSS_PATH = "order_list.tcss"
    TITLE = "Order Management"

    # The footer shows what fits, in this order; F1 lists them all (with the tooltips).
    BINDINGS = [
        # Offered only while a name search would find more with a leading %; else Tab
        # moves the focus, as everywhere.
        Binding(
            "tab",
            "search_any_part",
            "%Search",
            id="orders.search_any_part",
            tooltip="search any part of the name, as the line below the list offers",
        ),
        Binding("tab", "app.focus_next", "Next", show=False, tooltip="the next field"),
        Binding(
            "f2",
            "filter_status",
            "Status",
            id="orders.filter_status",
            tooltip="filter by status (choose several)",
        ),
        Binding(
            "f3",
            "filter_market",
            "Market",
            id="orders.filter_market",
            tooltip="filter by market (choose several; the ones you use most come first)",
        ),
        Binding(
            "f4",
            "filter_date",
            "Date",
            id="orders.filter_date",
            tooltip="filter by created date: a preset, or a start and an end date",
        ),
        Binding(
            "f6", "clear_filters", "Clear", id="orders.clear_filters", tooltip="clear every filter"
        ),
        Binding("f7", "carts", "Carts", id="orders.carts", tooltip="open carts and draft orders"),
        Binding(
            "ctrl+n",
            "new_order",
            "New",
            id="orders.new_order",
            tooltip="a new order: the market, then the customer, shipping and items",
        ),
        Binding(
            "f5",
            "refresh",
            "Refresh",
            id="orders.refresh",
            show=False,
            tooltip="read this page and the count again",
        ),
        Binding(
            "ctrl+f,slash",
            "focus_search",
            "Search",
            id="orders.search",
            show=False,
            tooltip="to the search field",
        ),
        Binding(
            "space",
            "toggle_select",
            "Select",
            id="orders.toggle_select",
            tooltip="select the highlighted order, or unselect it (selections survive paging)",
        ),
        Binding(
            "ctrl+a",
            "select_page",
            "Select page",
            id="orders.select_page",
            show=False,
            tooltip="select every order of the page, or unselect them",
        ),
        Binding(
            "delete",
            "delete",
            "Delete",
            id="orders.delete",
            tooltip="delete the selected orders (or the highlighted one), after confirmation",
        ),
        Binding(
            "escape",
            "escape",
            "Search",
            id="orders.escape",
            show=False,
            tooltip="back to the search field; there, clear it",
        ),
        # The table binds its own Down; from the search field Down goes to the results.
        Binding(
            "down",
            "focus_results",
            "Results",
            id="orders.results",
            show=False,
            tooltip="from the search field to the list",
        ),
    ]

    class PageLoaded(Message):
        """A page; with its count, when it came with it, and then with the any-part count
        (the Tab hint's text and count), so that the screen changes once."""

        def __init__(
            self,
            request: PageRequest,
            page: OrderPage,
            any_part: tuple[str, Count] | None,
            prepared: PreparedPage | None = None,
        ) -> None:
            super().__init__()
            self.request = request
            self.page = page
            self.any_part = any_part
            self.prepared = prepared  # the page's cells, worked out in the worker

    class CountLoaded(Message):
        def __init__(
            self, request: PageRequest, count: Count, any_part: tuple[str, Count] | None
        ) -> None:
            super().__init__()
            self.request = request
            self.count = count
            self.any_part = any_part

    class LoadFailed(Message):
        def __init__(self, request: PageRequest, error: str) -> None:
            super().__init__()
            self.request = request
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.statuses: frozenset[OrderStatus] = frozenset()
        self.markets: frozenset[str] = frozenset()
        self.dates = DateChoice()
        self.generation = 0
        self.page_request: PageRequest | None = None
        self.rows: list[OrderRow] = []
        self.more_after = False
        self.more_before = False
        self.row_offset: int | None = 0
        self.rows_after: int | None = None
        self.count: Count | None = None
        self.selected: dict[str, OrderRow] = {}
        self.busy = False
        self.problem = ""
        self.hint: AnyPartHint | None = None
        self._in_flight: Cancellation | None = None  # the query in flight, to cancel
        self._after_answer = AfterAnswer()  # see wait_for_answer
        self._left_for_a_screen = False  # Order Details, Carts or the wizard, not a dialog
        self._lines: dict[str, Text] = {}  # what show_line shows
        self._last_key = 0.0  # time.monotonic() of the last change to the search field
        self._asked: tuple[int, float] = (0, 0.0)  # the last search's generation, and when
        self._answer_seconds = 0.0  # from the last search's start to its page on screen
        self._show_at = 0.0  # time.monotonic() before which an answer waits (fast typing)
        self._held: list[Message] = []  # answers waiting (PageLoaded, CountLoaded), in order
        self._release: Timer | None = None  # shows the held answers
        self._held_seconds = 0.0  # how long the last answer shown had waited

    @property
    def csr(self) -> CsrApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-row"):
            yield Label("Search", id="search-label")
            yield PlainInput(
                placeholder=SEARCH_PLACEHOLDER,
                id="search",
            )
        yield Static(id="filters")
        yield OrderTable(id="orders", typing_goes_to="search")
        yield Static(id="empty")
        yield Static(id="detail")
        yield Static(id="status")
        # The filter line names Ctrl+P, so the footer keeps its width for the keys.
        yield KeyFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self.query_one("#empty").display = False
        self.query_one("#detail").display = False
        self.render_filters()
        self.render_status()
        if self.csr.services is not None:
            self.reload()

    # -- building the query ------------------------------------------------------------

    def current_filter(self) -> OrderFilter:
        days = self.dates.days(self.csr.today())
        start, end = days.utc_bounds() if days else (None, None)
        return OrderFilter(
            text=self.query_one("#search", Input).value,
            statuses=self.statuses,
            markets=self.markets,
            created_from=start,
            created_to=end,
        )

    def reload(self, *, keep_position: bool = False, typed: bool = False) -> None:
        """Load the first page (and the count) for the current search and filters; or,
        with keep_position, the page now shown again (after a change to the data).
        `typed`: the search field changed; the answer waits for a pause in fast typing."""
        if self.csr.services is None:
            return
        if not typed:
            self._show_at = 0.0
        self.drop_held()
        self.generation += 1
        if keep_position and self.page_request is not None:
            request = replace(
                self.page_request,
                generation=self.generation,
                filter=self.current_filter(),
                with_count=True,
                cursor="keep",
            )
        else:
            request = PageRequest(self.generation, self.current_filter())
        self._asked = (self.generation, time.monotonic())
        self.load(request)

    def load(self, request: PageRequest) -> None:
        self.cancel_running()
        self._in_flight = Cancellation()
        self.busy = True
        self.render_status()
        self.fetch(request, self._in_flight)

    def cancel_running(self) -> None:
        if self._in_flight is not None:
            self._in_flight.cancel()
            self._in_flight = None

    @background("order-page")
    def fetch(self, request: PageRequest, cancel: Cancellation) -> None:
        services = self.csr.services
        assert services is not None
        shown: list[OrderPage] = []

        def show_page(page: OrderPage) -> None:
            """The page, before its count (which takes another query)."""
            shown.append(page)
            self.post_message(self.PageLoaded(request, page, None))

        try:
            page = services.search_orders(
                request.filter,
                after=request.after,
                before=request.before,
                last=request.last,
                with_count=request.with_count,
                cancel=cancel,
                on_page=show_page,
            )
        except SearchCancelled:
            return  # a newer request superseded this one
        except DomainError as error:
            self.post_message(self.LoadFailed(request, str(error)))
            return
        hint = None
        if request.with_count and not cancel.cancelled:
            hint = self.count_any_part(request, page)
        if not shown:
            # With its count, if asked; its cells are made here, not on the UI thread.
            prepared = (
                None
                if cancel.cancelled
                else prepare_page(page.rows, self.app.size.width, self.app.console)
            )
            self.post_message(self.PageLoaded(request, page, hint, prepared))
        elif page.count is not None:
            self.post_message(self.CountLoaded(request, page.count, hint))

    def count_any_part(self, request: PageRequest, page: OrderPage) -> tuple[str, Count] | None:
        """A name search from the first letter that found few orders: would the same term
        anywhere in the name find more? Counted right after the search's own count, in its
        worker, and sent with it: the hint's line and key change with the answer, not in a
        message (and a frame) of their own after it."""
        text = any_part(request.filter.text)
        count = page.count
        if text is None or count is None or count.at_least:
            return None
        search = parse_order_search(request.filter.text)
        if (
            search.kind is SearchKind.ORDER_NUMBER
            and page.rows
            and not page.rows[0].number.startswith(search.text)
        ):
            # No order number starts with the digits: the page already holds the orders
            # whose phone numbers end with them, which the hint would find again.
            return None
        services = self.csr.services
        assert services is not None
        try:
            return text, services.count_orders(replace(request.filter, text=text))
        except DomainError:
            return None  # only a hint: the search's own answer already says what went wrong

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "order-page":
            # The toast names the log with the details; the status line keeps the gist.
            self.busy = False
            self.problem = f"Could not load orders ({type(event.worker.error).__name__})."
            self.render_status()
            self._answer_shown()

    def hold(self, message: PageLoaded | CountLoaded) -> bool:
        """Keep an answer until the typing pauses (TYPING_DEBOUNCE_MAX); True if held."""
        if self._release is None:
            wait = self._show_at - time.monotonic()
            if wait <= 0:
                return False
            self._held_seconds = wait
            self._release = self.set_timer(wait, self.release_held)
        self._held.append(message)
        return True

    def release_held(self) -> None:
        """The typing paused: show the answers held, in the order they came."""
        self._release = None
        held, self._held = self._held, []
        self._show_at = 0.0
        for message in held:
            if isinstance(message, self.PageLoaded):
                self.on_order_list_screen_page_loaded(message)
            else:
                self.on_order_list_screen_count_loaded(message)

    def drop_held(self) -> None:
        if self._release is not None:
            self._release.stop()
            self._release = None
        self._held.clear()
        self._held_seconds = 0.0

    def on_order_list_screen_page_loaded(self, message: PageLoaded) -> None:
        request, page = message.request, message.page
        if request.generation != self.generation:
            return  # a newer keystroke or page request superseded this one
        if self.hold(message):
            return
        self.busy = request.with_count and page.count is None  # until the count follows
        self.problem = ""
        if not page.rows and (request.after or request.before):
            # The page we were on emptied (rows deleted): show the first page instead.
            self.reload()
            return
        table = self.query_one(OrderTable)
        going_back = request.before is not None or request.last
        self.rows = page.rows
        for row in page.rows:  # a selected order is now seen as it is on this page
            if row.number in self.selected:
                self.selected[row.number] = row
        self.page_request = request
        if request.with_count:
            self.count = page.count
        self.more_after = page.more if not going_back else request.before is not None
        self.more_before = page.more if going_back else request.after is not None
        self.row_offset = request.offset
        self.rows_after = request.rows_after
        if going_back and not page.more:
            self.row_offset = 0  # paged back to the start
        elif (
            self.row_offset is None
            and self.rows_after is not None
            and self.count is not None
            and not self.count.at_least
        ):
            self.row_offset = self.count.value - self.rows_after - len(page.rows)
        cursor = {"first": 0, "last": len(page.rows) - 1, "keep": table.cursor_row}[request.cursor]
        table.show(page.rows, set(self.selected), cursor, message.prepared)
        if request.with_count:
            self.take_hint(request, message.any_part)
        self.query_one("#empty").display = not page.rows
        self.show_line("#empty", self.empty_text())
        table.display = bool(page.rows)
        if not page.rows and self.focused in (table, None):
            # The list is hidden (a delete or a filter emptied it): keys go to the field.
            self.query_one("#search", Input).focus()
        self.render_detail()
        self.render_status()
        if request.with_count:
            self.call_after_refresh(self._answered, request.generation)
        self._answer_shown()

    def take_hint(self, request: PageRequest, counted: tuple[str, Count] | None) -> None:
        """Offer the any-part search (Tab) if it finds more than the list shows."""
        hint = None
        if counted is not None and self.count is not None:
            text, count = counted
            # Phone numbers are another search, not more of the same: offered when they
            # find any.
            fewer = 0 if _is_phone(text) else self.count.value
            if count.at_least or count.value > fewer:
                hint = AnyPartHint(request.filter, text, count)
        if hint != self.hint:
            self.hint = hint
            self.refresh_bindings()

    @property
    def any_part_hint(self) -> AnyPartHint | None:
        """The hint, while the list shows what it was counted for."""
        shown = self.page_request
        if self.hint is None or shown is None or self.hint.filter != shown.filter:
            return None
        return self.hint

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search_any_part":
            return self.any_part_hint is not None
        return True

    def action_search_any_part(self) -> None:
        hint = self.any_part_hint
        if hint is not None:
            search = self.query_one("#search", Input)
            search.value = hint.text
            search.focus()

    def _hint_key(self) -> str:
        """The key that applies the hint, as bound now (keymap.toml may have moved it)."""
        return next(iter(keys_for(self, "search_any_part")), "Tab")

    def on_order_list_screen_count_loaded(self, message: CountLoaded) -> None:
        if message.request.generation != self.generation:
            return
        if self.hold(message):
            return
        self.busy = False
        self.count = message.count
        self.take_hint(message.request, message.any_part)
        self.show_line("#empty", self.empty_text())
        self.render_status()

    def on_order_list_screen_load_failed(self, message: LoadFailed) -> None:
        if message.request.generation != self.generation:
            return
        self.busy = False
        self.show_problem(message.error)
        self._answer_shown()

    def show_problem(self, problem: str) -> None:
        self.problem = problem
        self.render_status()
        self.notify(problem, title="Could not load orders", severity="error", timeout=8)

    # -- what the agent reads ----------------------------------------------------------

    def empty_text(self) -> Text:
        typed = self.query_one("#search", Input).value.strip()
        filtered = " with these filters. F6 clears the filters." if self.has_filters() else "."
        hint = self.any_part_hint
        search = parse_order_search(typed)
        if typed and search.kind is SearchKind.PHONE:
            return text("No phone number ends with ", _digits_of(search), filtered)
        if typed and search.kind is SearchKind.ORDER_NUMBER and search.phone:
            return text(
                "No order number starts with ",
                _digits_of(search),
                ", and no phone number ends with them" + filtered,
            )
        if typed and hint is not None:
            return text(
                "No name starts with “",
                typed,
                "”" + (" with these filters" if self.has_filters() else "") + " — ",
                (self._hint_key(), "bold"),
                " to search “",
                hint.text,
                "”" + _phone_note(hint.text),
                f": {_orders(hint.count)}",
            )
        if typed:
            return text("No orders match “", typed, "”" + filtered)
        return text("No orders exist" + filtered)

    def show_line(self, selector: str, content: Text) -> None:
        """A line whose size its content does not change (the status line, the
        empty list's message): repainted only if it changed, and without a new layout,
        which would repaint the table too."""
        if self._lines.get(selector) != content:
            self._lines[selector] = content
            self.query_one(selector, Static).update(content, layout=False)

    def render_detail(self) -> None:
        """Below a table too narrow for every column: the highlighted order, whole."""
        table = self.query_one(OrderTable)
        detail = self.query_one("#detail", Static)
        row = table.current
        detail.display = row is not None and table.display and table.hides_columns
        if row is not None and detail.display:
            content = row_detail(row, self.app.size.width - 2)
            before = self._lines.get("#detail")
            if before == content:
                return
            self._lines["#detail"] = content
            # A new layout (which repaints the table too) only when its height changes: not
            # at every page, nor at every move of the cursor.
            lines = content.plain.count("\n")
            detail.update(content, layout=before is None or before.plain.count("\n") != lines)

    def on_data_table_row_highlighted(self, _event: OrderTable.RowHighlighted) -> None:
        self.render_detail()

    def on_resize(self, _event: events.Resize) -> None:
        self.render_detail()

    def has_filters(self) -> bool:
        return bool(self.statuses or self.markets or self.dates.preset)

    def render_filters(self) -> None:
        parts = []
        if self.statuses:
            parts.append("Status: " + ", ".join(s.value for s in OrderStatus if s in self.statuses))
        if self.markets:
            parts.append("Market: " + ", ".join(sorted(self.markets)))
        if self.dates.preset:
            parts.append("Created: " + self.dates.describe(self.csr.today()))
        hint = "No filters · F2 Status · F3 Market · F4 Created date · Ctrl+P all commands"
        line = (
            text(("Filters", "bold"), f" {' │ '.join(parts)}  ", ("(F6 clears)", "dim"))
            if parts
            else plain(hint, "dim")
        )
        if self._lines.get("#filters") != line:
            # Wrapped over as many lines as it takes (a new layout): a filter in force that
            # is out of sight would leave the agent wondering why orders are missing.
            self._lines["#filters"] = line
            self.query_one("#filters", Static).update(line)

    def render_status(self) -> None:
        parts: list[Text] = []
        if self.csr.services is None:
            parts.append(plain("Opening the database…"))
        elif self.count is not None or self.page_request is not None:
            n = len(self.rows)
            total = "…" if self.count is None else str(self.count)  # … until it is counted
            if n == 0:
                parts.append(plain("0 orders"))
            elif total == "1":
                parts.append(plain("1 order"))
            elif self.row_offset is not None:
                first, last = self.row_offset + 1, self.row_offset + n
                parts.append(plain(f"{first:,}–{last:,} of {total} orders"))
            elif not self.rows_after:
                parts.append(plain(f"last {n} of {total} orders"))
            else:
                after = self.rows_after
                parts.append(plain(f"{after + 1:,}–{after + n:,} from the end of {total} orders"))
        # What the agent must not miss first: a long hint is what a narrow terminal cuts.
        if self.selected:
            parts.append(plain(f"{len(self.selected):,} selected", "bold"))
        if self.problem:
            parts.append(plain(self.problem, "red"))
        if self.busy:
            parts.append(plain("searching…", "italic"))
        hint = self.any_part_hint
        if hint is not None and self.rows:
            parts.append(
                text(
                    (self._hint_key(), "bold"),
                    " to search “",
                    hint.text,
                    "”" + _phone_note(hint.text),
                    f": {_orders(hint.count)}",
                )
            )
        self.show_line("#status", Text(" · ").join(parts))

    # -- typing ------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def search_changed(self) -> None:
        if self.hint is not None:
            self.hint = None
            self.refresh_bindings()
        now = time.monotonic()
        gap, self._last_key = now - self._last_key, now
        self._show_at = 0.0
        if gap < self._answer_seconds + TYPING_MARGIN:  # typing faster than answers come
            self._show_at = now + min(gap + TYPING_MARGIN, TYPING_DEBOUNCE_MAX)
        # What is shown no longer answers what is typed: an answer on its way or waiting to
        # be shown is dropped, the query in flight stopped, and the new one started.
        self.reload(typed=True)

    def _answered(self, generation: int) -> None:
        """The search of `generation` is on screen: how long answers take now (not counting
        the time the answer waited for the typing to pause)."""
        if self._asked[0] == generation:
            self._answer_seconds = time.monotonic() - self._asked[1] - self._held_seconds

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Enter: the answer to what the field holds now (a search still on its way is
        waited for, never an older one used) opens its order if it is the only one, else
        the agent goes to the list."""
        if self.csr.services is None:
            return
        self.reload()
        self.wait_for_answer(self.entered)

    def entered(self) -> None:
        count = self.count
        if len(self.rows) == 1 and count is not None and count.value == 1 and not count.at_least:
            self.csr.open_order(self.rows[0].number)
        elif self.rows:
            self.query_one(OrderTable).focus()

    def action_focus_results(self) -> None:
        if self.answer_pending:
            # The list shows what an older search found: the keys behind this Down choose
            # among what the field holds now, once it is on screen.
            self.wait_for_answer(self._go_to_results)
            return
        self._go_to_results()

    def _go_to_results(self) -> None:
        if self.rows:  # else the list is hidden: the keys that follow stay in the field
            self.query_one(OrderTable).focus()

    @property
    def answer_pending(self) -> bool:
        """The search for what the field holds (or the page asked for) is not shown yet."""
        shown = self.page_request
        return self.csr.services is not None and (
            shown is None or shown.generation != self.generation
        )

    def wait_for_answer(self, then: Callable[[], None]) -> None:
        """`then` once the answer on its way is shown (or has failed); the keys typed
        meanwhile wait for it too, and then go where it left the focus."""
        self._after_answer.wait(self.csr, then)

    def _answer_shown(self) -> None:
        self._after_answer.shown()

    # -- paging ------------------------------------------------------------------------

    def on_order_table_page_request(self, message: OrderTable.PageRequest) -> None:
        self.go(message.where)

    def go(self, where: PageWhere) -> None:
        if self.csr.services is None or (self.busy and where in ("next", "previous")):
            return
        f = self.page_request.filter if self.page_request else self.current_filter()
        self.generation += 1
        g = self.generation
        if where == "first":
            self.load(PageRequest(g, f, with_count=False))
        elif where == "last":
            self.load(
                PageRequest(
                    g, f, last=True, with_count=False, cursor="last", offset=None, rows_after=0
                )
            )
        elif where == "next":
            if not self.more_after or not self.rows:
                self.query_one(OrderTable).move_cursor(row=len(self.rows) - 1)
                self.notify("This is the last page.", timeout=2)
                return
            offset = self.row_offset + len(self.rows) if self.row_offset is not None else None
            after = None if self.rows_after is None else max(0, self.rows_after - PAGE_SIZE)
            self.load(
                PageRequest(
                    g,
                    f,
                    after=self.rows[-1].cursor,
                    with_count=False,
                    offset=offset,
                    rows_after=after,
                )
            )
        elif where == "previous":
            if not self.more_before or not self.rows:
                self.query_one("#search", Input).focus()
                return
            offset = max(0, self.row_offset - PAGE_SIZE) if self.row_offset is not None else None
            after = None if self.rows_after is None else self.rows_after + len(self.rows)
            self.load(
                PageRequest(
                    g,
                    f,
                    before=self.rows[0].cursor,
                    with_count=False,
                    cursor="last",
                    offset=offset,
                    rows_after=after,
                )
            )

    # -- filters -----------------------------------------------------------------------

    def filters_changed(self) -> None:
        self.render_filters()
        self.reload()

    def action_filter_status(self) -> None:
        options = [(s.value, s.value) for s in OrderStatus]

        def chosen(values: frozenset[str] | None) -> None:
            if values is not None:
                self.statuses = frozenset(OrderStatus(v) for v in values)
                self.filters_changed()

        self.app.push_screen(
            ChoiceFilterScreen("Status", options, {s.value for s in self.statuses}), chosen
        )

    def action_filter_market(self) -> None:
        if self.csr.services is None:
            self.show_market_filter(self.csr.markets)
        else:
            self.fetch_markets_by_use()

    @background("markets-by-use")
    def fetch_markets_by_use(self) -> None:
        services = self.csr.services
        assert services is not None
        try:
            markets = services.markets_by_use()
        except DomainError as error:
            self.app.call_from_thread(self.show_problem, str(error))
            return
        self.app.call_from_thread(self.show_market_filter, markets)

    def show_market_filter(self, markets: list[Market]) -> None:
        options = [(m.code, f"{m.code}  {m.name} ({m.currency.code})") for m in markets]

        def chosen(values: frozenset[str] | None) -> None:
            if values is not None:
                self.markets = values
                self.filters_changed()

        self.app.push_screen(ChoiceFilterScreen("Market", options, self.markets), chosen)

    def action_filter_date(self) -> None:
        def chosen(choice: DateChoice | None) -> None:
            if choice is not None:
                self.dates = choice
                self.filters_changed()

        self.app.push_screen(DateFilterScreen(self.dates, self.csr.today()), chosen)

    def action_clear_filters(self) -> None:
        self.statuses, self.markets, self.dates = frozenset(), frozenset(), DateChoice()
        self.filters_changed()
        self.notify("Filters cleared.", timeout=2)

    def action_refresh(self) -> None:
        self.reload(keep_position=True)

    def on_screen_suspend(self) -> None:
        self._left_for_a_screen = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from an order (or the carts, or a new order) with the keys in the search
        field: its text is selected, so the next caller's order number typed replaces the
        last one (it was appended to it: PO10421043)."""
        search = self.query_one("#search", Input)
        if self._left_for_a_screen and self.focused is search:
            search.select_all()
        self._left_for_a_screen = False

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search and search.value:
            search.value = ""
        search.focus()

    # -- selection and delete ------------------------------------------------------------

    def action_toggle_select(self) -> None:
        row = self.query_one(OrderTable).current
        if row is None:
            return
        if row.number in self.selected:
            del self.selected[row.number]
        else:
            self.selected[row.number] = row
        self.query_one(OrderTable).refresh_selection(set(self.selected))
        self.render_status()

    def action_select_page(self) -> None:
        numbers = {r.number for r in self.rows}
        if numbers <= set(self.selected):
            for number in numbers:
                self.selected.pop(number, None)
        else:
            self.selected.update({r.number: r for r in self.rows})
        self.query_one(OrderTable).refresh_selection(set(self.selected))
        self.render_status()

    def action_delete(self) -> None:
        if self.selected:
            rows = list(self.selected.values())
        else:
            row = self.query_one(OrderTable).current
            if row is None:
                return
            rows = [row]
        # Each order is deleted only if it is still the version on screen.
        versions = {r.number: r.version for r in rows}
        numbers = list(versions)
        listed = ", ".join(numbers[:5]) + (
            f" and {len(numbers) - 5:,} more" if len(numbers) > 5 else ""
        )
        noun = "order" if len(numbers) == 1 else "orders"
        question = (
            f"Delete {len(numbers):,} {noun}? {listed}\n\n"
            "This cannot be undone; the audit log keeps a copy of each order."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_orders(versions)

        self.app.push_screen(
            ConfirmScreen(question, f"Delete {len(numbers):,} {noun}", title="Delete orders"),
            confirmed,
        )

    @background("order-delete")
    def delete_orders(self, versions: dict[str, int]) -> None:
        services = self.csr.services
        assert services is not None
        try:
            deleted, missing = services.delete_orders(versions)
        except DomainError as error:
            self.app.call_from_thread(
                self.notify, str(error), title="Nothing was deleted", severity="error"
            )
            # Show what the orders are now, so that the agent decides again on what is true.
            self.app.call_from_thread(self.reload, keep_position=True)
            return
        self.app.call_from_thread(self.after_delete, deleted, missing)

    def after_delete(self, deleted: list[str], missing: list[str]) -> None:
        for number in deleted + missing:
            self.selected.pop(number, None)
        message = f"Deleted {len(deleted):,} order{'s' if len(deleted) != 1 else ''}."
        if missing:
            message += f" {len(missing):,} had already been deleted."
        self.notify(message, timeout=4)
        self.reload(keep_position=True)

    # -- opening orders, carts, new orders --------------------------------------------------

    def action_open_highlighted(self) -> None:
        row = self.query_one(OrderTable).current
        if row is not None:
            self.csr.open_order(row.number)

    def on_data_table_row_selected(self, event: OrderTable.RowSelected) -> None:
        """A click on a row."""
        row = self.query_one(OrderTable).current
        if row is not None:
            self.csr.open_order(row.number)

    def action_carts(self) -> None:
        self.csr.open_carts()

    def action_new_order(self) -> None:
        self.csr.new_order()


def _is_phone(text: str) -> bool:
    return parse_order_search(text).kind is SearchKind.PHONE


def _orders(count: object) -> str:
    return "1 order" if str(count) == "1" else f"{count} orders"


def _phone_note(text: str) -> str:
    """What a hint's search means, if it is a phone number's end."""
    search = parse_order_search(text)
    return (
        f" (phone numbers ending {search.phone[::-1]})" if search.kind is SearchKind.PHONE else ""
    )


def _digits_of(search: OrderSearch) -> str:
    """The digits a phone search looks for, as typed order: "2030"."""
    return "“" + search.phone[::-1] + "”"
