"""The order list's table: one page of orders, columns fitted to the terminal's width.

Moving past the first or last row, PageUp/PageDown at the edges, Home and End ask the
screen for another page instead of scrolling a table that holds every match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from typing import Any, Literal

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.css.styles import RenderStyles
from textual.events import Event, Key, Resize
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from csr_tui.screens.widgets.formatting import local_time, money, status_text
from csr_tui.screens.widgets.safe_text import lines, plain, text
from csr_tui.services import OrderRow

PageWhere = Literal["next", "previous", "first", "last"]


@dataclass(frozen=True)
class _Column:
    key: str
    label: str
    width: int  # wide terminals
    narrow: int  # below NARROW_BELOW columns
    min_screen: int  # the column shows on terminals at least this wide
    cell: Callable[[OrderRow, bool], Text]  # (row, narrow) -> cell
    grow: int = 0  # at most this many extra cells when there is room


def _total(row: OrderRow, _narrow: bool) -> Text:
    return plain(money(row.total, row.currency), justify="right")


def _customer(row: OrderRow) -> Text:
    """An anonymous order says so, dimly, as the line below the list does."""
    return plain(row.customer_name) if row.customer_name else plain("(no name)", "dim")


COLUMNS = (
    _Column("number", "  No.", 11, 11, 0, lambda r, n: plain(r.number)),
    _Column("created", "Created", 16, 14, 0, lambda r, n: plain(local_time(r.created_at, short=n))),
    _Column("name", "Name", 11, 11, 150, lambda r, n: plain(r.name), grow=8),
    _Column("market", "Mkt", 3, 3, 0, lambda r, n: plain(r.market_code)),
    _Column("customer", "Customer Name", 18, 12, 0, lambda r, n: _customer(r), grow=14),
    _Column(
        "email", "Customer Email", 24, 24, 112, lambda r, n: plain(r.customer_email or ""), grow=16
    ),
    _Column("status", "Status", 17, 13, 0, lambda r, n: status_text(r.status, short=n)),
    _Column("total", "Total", 14, 13, 0, _total),
)
NARROW_BELOW = 100  # shorter dates and statuses below this width
CELL_PADDING = 2  # DataTable pads each cell by one on either side
SCROLLBAR = 1


def fit_columns(width: int) -> tuple[list[tuple[_Column, int]], bool]:
    """The columns that fit a terminal this wide, and their widths: spare cells go to the
    name and email columns, which are the ones that get cut."""
    narrow = width < NARROW_BELOW
    shown = [(c, c.narrow if narrow else c.width) for c in COLUMNS if width >= c.min_screen]
    spare = width - SCROLLBAR - sum(w + CELL_PADDING for _, w in shown)
    fitted = []
    for column, w in shown:
        extra = min(column.grow, max(spare, 0))
        spare -= extra
        fitted.append((column, w + extra))
    return fitted, narrow


def row_detail(row: OrderRow, width: int, max_lines: int = 2) -> Text:
    """The whole row, for a terminal too narrow for every column: each field whole, as
    many as fit on a line, on at most `max_lines` lines (what is left is cut with "…")."""
    fields = [
        plain(row.number, "bold"),
        plain(local_time(row.created_at)),
        plain(row.name),
        plain(row.market_code),
        plain(row.customer_name or "(no name)", "bold"),
        plain(row.customer_email or "(no email)"),
        status_text(row.status),
        plain(money(row.total, row.currency)),
    ]
    separator = plain(" · ", "dim")
    packed: list[list[Text]] = [[]]
    used = 0
    for field in fields:
        needed = field.cell_len + (separator.cell_len if packed[-1] else 0)
        if packed[-1] and used + needed > width and len(packed) < max_lines:
            packed.append([])
            used, needed = 0, field.cell_len
        packed[-1].append(field)
        used += needed
    shown = [separator.join(parts) for parts in packed]
    for line in shown:
        line.truncate(width, overflow="ellipsis")
    joined = lines("\n").join(shown)
    joined.no_wrap = True
    return joined


Layout = tuple[tuple[tuple[str, int], ...], bool]  # the columns' keys and widths; narrow


def _signature(layout: tuple[list[tuple[_Column, int]], bool]) -> Layout:
    columns, narrow = layout
    return tuple((c.key, w) for c, w in columns), narrow


@dataclass(frozen=True)
class PreparedPage:
    """A page's cells, and their one-line drawings at the widths of the columns a terminal
    this wide shows, worked out before the page reaches the UI thread (in the search's
    worker, while the UI thread waits for it): showing the page then only puts them in the
    table. Left unused if the table's columns changed meanwhile."""

    rows: list[OrderRow]
    layout: Layout
    cells: list[list[Text]]
    drawings: dict[tuple[object, ...], list[Segment]]


def prepare_page(rows: list[OrderRow], width: int, console: Console) -> PreparedPage:
    """The cells of `rows` (no order selected) and their drawings, for a terminal `width`
    columns wide. Reads nothing of the table: callable from a worker thread."""
    shown, narrow = fitted = fit_columns(width)
    layout = _signature(fitted)
    cells = [[_cell(c, row, narrow, frozenset()) for c, _ in shown] for row in rows]
    drawings: dict[tuple[object, ...], list[Segment]] = {}
    for row_cells in cells:
        for cell, (_, w) in zip(row_cells, shown, strict=True):
            key = _cell_key(cell, w)
            if key is not None and key not in drawings:
                drawings[key] = _draw(console, cell, w)
    return PreparedPage(rows, layout, cells, drawings)


def _cell(column: _Column, row: OrderRow, narrow: bool, selected: Set[str]) -> Text:
    return _number(row, selected) if column.key == "number" else column.cell(row, narrow)


def _draw(console: Console, cell: Text, width: int) -> list[Segment]:
    """The cell's one line as Rich draws a Text that does not wrap, `width` wide."""
    justify = cell.justify or "default"
    overflow = cell.overflow or "fold"
    wrapped = cell.wrap(console, width, justify=justify, overflow=overflow, no_wrap=True)
    rendered = Text("\n").join(wrapped).render(console, end=cell.end)
    lines = list(
        Segment.split_and_crop_lines(
            rendered, width, include_new_lines=False, pad=True, style=_NULL
        )
    )
    return lines[0] if lines else [Segment(" " * width, _NULL)]


class _PassStyles:
    """A component's styles with its Rich style worked out once."""

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> object:
        return getattr(self._styles, name)


def _unlink(cache: LRUCache[Any, Any]) -> None:
    """Empty each entry of the cache's ring, so that clearing it leaves no cycle behind."""
    for entry in cache._cache.values():
        entry.clear()
    cache._head.clear()


def _style(pre: Style, style: Style | None, post: Style) -> Style | None:
    """Segment.apply_style's `pre + style + post`, for one segment."""
    combined = pre + style if pre else style
    if post:
        combined = combined + post if combined else post
    return combined


def _number(row: OrderRow, selected: Set[str]) -> Text:
    if row.number in selected:
        return text(("✓ ", "bold green"), row.number)
    return text("  ", row.number)


_NULL = Style.null()
_FAST_JUSTIFY = frozenset({None, "default", "left", "right"})
_FAST_OVERFLOW = frozenset({None, "fold", "crop", "ellipsis"})


def _cell_key(cell: Text, width: int) -> tuple[object, ...] | None:
    """What a one-line cell's drawing depends on; None if it is not such a cell."""
    plain_text = cell.plain
    if (
        cell.no_wrap is False
        or cell.justify not in _FAST_JUSTIFY
        or cell.overflow not in _FAST_OVERFLOW
        or "\n" in plain_text
        or "\t" in plain_text
    ):
        return None
    return (plain_text, cell.style, tuple(cell.spans), cell.justify, cell.overflow, width)


class OrderTable(DataTable[Text]):
    HELP_TITLE = "In the list of orders"
    BINDINGS = [
        # The screen opens it as the key is handled (not at a message that follows, which
        # the keys typed behind Enter would overtake).
        Binding(
            "enter",
            "screen.open_highlighted",
            "Open",
            show=False,
            tooltip="the highlighted order (Order Details)",
        ),
        Binding(
            "home,ctrl+home",
            "page('first')",
            "First page",
            show=False,
            tooltip="the newest orders that match",
        ),
        Binding(
            "end,ctrl+end",
            "page('last')",
            "Last page",
            show=False,
            tooltip="the oldest orders that match",
        ),
    ]

    class PageRequest(Message):
        """The agent moved past this page: the screen loads `where`."""

        def __init__(self, where: PageWhere) -> None:
            super().__init__()
            self.where = where

    def __init__(self, *, typing_goes_to: str | None = None, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.typing_goes_to = typing_goes_to
        self._rows: list[OrderRow] = []
        self._selected: set[str] = set()
        self._layout: Layout | None = None
        self._prepared: PreparedPage | None = None  # the page being shown, worked out ahead
        self._shown: list[_Column] = []
        self._narrow = False
        # A cell's text drawn to a width, before the row's and the cursor's styles: the
        # same status, market or name on the next page is not drawn again.
        self._text_cache: LRUCache[tuple[object, ...], list[Segment]] = LRUCache(4096)
        # While the table draws its lines, the styles of its parts (header, odd and even
        # rows) are worked out once, not once per line: each walks the widget's ancestors.
        self._pass_styles: dict[tuple[str, ...], _PassStyles] | None = None
        self._scrolled_for: tuple[Size, Size, Size] | None = None
        self._meta_styles: dict[tuple[int, int], Style] = {}  # a cell's row and column

    # -- rendering ---------------------------------------------------------------------

    def _clear_caches(self) -> None:
        """As DataTable's, but each cache's entries are unlinked first. A Textual LRUCache
        is a ring of linked entries: cleared, the ring is left for the garbage collector,
        and a page's worth of drawn cells and lines (tens of thousands of objects) piled
        up at every keystroke until a full collection, 100-300 ms, stopped the screen."""
        for cache in (
            self._row_render_cache,
            self._cell_render_cache,
            self._row_renderable_cache,
            self._line_cache,
            self._offset_cache,
            self._ordered_row_cache,
        ):
            _unlink(cache)
        super()._clear_caches()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """As DataTable's, without measuring every new cell: that only sizes columns of
        automatic width, and every column here has its width set (fit_columns)."""
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
        else:
            super()._update_dimensions(())

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """As ScrollView's, but its scroll bar is drawn again only when the table's size or
        its rows changed. ScrollView compares its own virtual size (the rows) with the
        screen's layout's (the region), which always differ: every new layout of the
        screen (each keystroke in the search field) redrew the 33 lines of the bar."""
        basis = (size, self.virtual_size, self.styles.gutter.totals)
        if basis == self._scrolled_for and size == self._size:
            return self._container_size != container_size
        self._scrolled_for = basis
        return super()._size_updated(size, virtual_size, container_size, layout)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass_styles = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass_styles = None

    def get_component_styles(self, *names: str) -> RenderStyles:
        memo = self._pass_styles
        if memo is None:
            return super().get_component_styles(*names)
        styles = memo.get(names)
        if styles is None:
            styles = memo[names] = _PassStyles(super().get_component_styles(*names))
        return styles  # type: ignore[return-value]

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A body cell drawn as DataTable draws it (the same segments, styles and mouse
        metadata), without the general renderable machinery it goes through: a page of
        new rows is drawn at every keystroke, and that machinery cost most of the time
        from the page's arrival to the screen. Header cells, and any cell this shortcut
        does not cover, are drawn by DataTable itself."""
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._data[row_key].get(column_key) if row_key is not None else None
        padding = self.cell_padding
        inner = width - 2 * padding
        key = _cell_key(cell, inner) if isinstance(cell, Text) and inner > 0 else None
        if key is None or self.rows[row_key].height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        segments = self._text_cache.get(key)
        if segments is None:
            segments = _draw(self.app.console, cell, inner)
            self._text_cache.set(key, segments)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        # DataTable's `(base + meta) + component` and then `+ style + post` per segment, with
        # the cell's meta (its row and column, for the mouse) added last: the same styles,
        # but the combinations without the meta repeat from cell to cell, and Rich caches them.
        pre_style = base_style + component_style
        meta = self._meta_styles.get((row_index, column_index))
        if meta is None:
            meta = Style.from_meta({"row": row_index, "column": column_index})
            self._meta_styles[row_index, column_index] = meta
        pad = " " * padding
        line = [Segment(pad, _NULL), *segments, Segment(pad, _NULL)] if padding else segments
        styled = [
            Segment(
                text_,
                None if control else (_style(pre_style, style, post_style) or _NULL) + meta,
                control,
            )
            for text_, style, control in line
        ]
        lines = [styled]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _apply_layout(self) -> None:
        layout = fit_columns(self.app.size.width)
        signature = _signature(layout)
        if signature == self._layout:
            return
        self._layout = signature
        self._narrow = layout[1]
        self._shown = [c for c, _ in layout[0]]
        cursor = self.cursor_row
        self.clear(columns=True)
        for column, width in layout[0]:
            self.add_column(column.label, key=column.key, width=width)
        self._fill(cursor)

    def _fill(self, cursor_row: int) -> None:
        self.clear()
        prepared = self._prepared
        if prepared is not None and prepared.layout == self._layout:
            for drawing_key, drawing in prepared.drawings.items():
                self._text_cache.set(drawing_key, drawing)
            for row, cells in zip(self._rows, prepared.cells, strict=True):
                if row.number in self._selected:
                    cells = [_cell(c, row, self._narrow, self._selected) for c in self._shown]
                self.add_row(*cells, key=row.number)
        else:
            for row in self._rows:
                cells = [_cell(c, row, self._narrow, self._selected) for c in self._shown]
                self.add_row(*cells, key=row.number)
        self._prepared = None
        # Sized now, as DataTable does when its queue is next empty: that was one frame
        # later than the status line and the footer that come with the page.
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)
        if self._rows:
            self.move_cursor(row=max(0, min(cursor_row, len(self._rows) - 1)), animate=False)

    def show(
        self,
        rows: Iterable[OrderRow],
        selected: set[str],
        cursor_row: int = 0,
        prepared: PreparedPage | None = None,
    ) -> None:
        """Show these rows; `prepared`, if made from the same rows, holds their cells."""
        self._rows = list(rows)
        self._selected = selected
        self._prepared = prepared if prepared is not None and prepared.rows is rows else None
        if self._layout is None:
            self._apply_layout()
        else:
            self._fill(cursor_row)

    def refresh_selection(self, selected: set[str]) -> None:
        self._selected = selected
        for row in self._rows:
            self.update_cell(row.number, "number", _number(row, selected))

    def on_resize(self, _event: Resize) -> None:
        self._apply_layout()

    @property
    def current(self) -> OrderRow | None:
        if not self._rows or not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row]

    @property
    def rows_shown(self) -> list[OrderRow]:
        return list(self._rows)

    @property
    def hides_columns(self) -> bool:
        """Some columns are left out at this width (then a detail line shows the row)."""
        return len(fit_columns(self.app.size.width)[0]) < len(COLUMNS)

    # -- typing ------------------------------------------------------------------------

    def _forward_event(self, event: Event) -> None:
        """A printable key that no binding takes (Space selects, / searches, ? helps) goes
        to the search field, as if Escape had been pressed first: it starts a new search.
        Done here, as Textual hands the key over, and not once the key has reached the
        table: keys typed fast are already on their way by then, and would overtake it."""
        if (
            isinstance(event, Key)
            and self.typing_goes_to is not None
            and event.is_printable
            and event.key not in self.screen.active_bindings
        ):
            field = self.screen.query_one(f"#{self.typing_goes_to}")
            self.screen.set_focus(field)  # its Focus (which selects its text) comes first
            field._forward_event(event)
            return
        super()._forward_event(event)

    # -- paging at the edges -----------------------------------------------------------

    def action_page(self, where: PageWhere) -> None:
        self.post_message(self.PageRequest(where))

    def action_cursor_down(self) -> None:
        if self._rows and self.cursor_row >= len(self._rows) - 1:
            self.post_message(self.PageRequest("next"))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.PageRequest("previous"))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if self._rows and self.cursor_row >= len(self._rows) - 1:
            self.post_message(self.PageRequest("next"))
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.PageRequest("previous"))
        else:
            super().action_page_up()
