"""Text is data: what customers, agents and other systems wrote is shown, never obeyed.

Two rules live here, for every screen and the command line alike:

- `visible` turns characters a terminal would obey (C0 controls, DEL, C1 controls, the
  bidirectional overrides, line and paragraph separators) into visible placeholders, one
  character for one, so a stored `ESC ] 0 ; title BEL` reads `␛]0;title␇` and changes
  nothing. C0 controls become their Unicode "control pictures" (U+2400 block), DEL `␡`,
  the rest `�`. Where a field holds lines (a note's details) newline and tab are kept.
- `refuse_control_characters` is the domain's input check: new names, emails, addresses,
  notes and coupon codes carrying such characters are refused with a message naming the
  field. Display never relies on it: data written by other systems is still shown through
  `visible`.

Markup is a separate matter: nothing here escapes `[`, because stored text is never parsed
as markup in the first place (the screens build `rich.text.Text` from it).
"""

from __future__ import annotations

from collections.abc import Iterable

from csr_tui.domain.errors import ValidationError

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_C0 = range(0x00, 0x20)
_C1 = range(0x80, 0xA0)
# Characters that reorder or break what follows them on screen: bidirectional embeddings,
# overrides and isolates (the "Trojan Source" characters), and the Unicode line and
# paragraph separators that some code splits lines on.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_SEPARATORS = {0x2028: "\N{SYMBOL FOR NEWLINE}", 0x2029: "\N{SYMBOL FOR NEWLINE}"}


def _table(keep: Iterable[int]) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in _C0}
    table[0x7F] = "\N{SYMBOL FOR DELETE}"
    table.update({code: REPLACEMENT for code in (*_C1, *_BIDI)})
    table.update(_SEPARATORS)
    for code in keep:
        del table[code]
    return table


_ONE_LINE = _table(())
_LINES = _table((ord("\n"), ord("\t")))
CONTROL_CODES = frozenset(_ONE_LINE)
"""Every code point `visible` replaces on a single line."""


def visible(value: object, *, lines: bool = False) -> str:
    """`value` as text safe to write to a terminal; every character maps to exactly one, so
    styles on spans of the original still line up. With `lines`, newline and tab stay."""
    text = value if isinstance(value, str) else str(value)
    return text.translate(_LINES if lines else _ONE_LINE)


def control_characters(value: str, *, lines: bool = False) -> list[str]:
    """The characters of `value` that `visible` would replace, in order."""
    table = _LINES if lines else _ONE_LINE
    return [c for c in value if ord(c) in table]


def refuse_control_characters(
    value: str | None, field: str, *, label: str | None = None, lines: bool = False
) -> None:
    """Refuse `value` if it holds control characters, naming the field and what was found."""
    found = control_characters(value or "", lines=lines)
    if found:
        shown = " ".join(dict.fromkeys(f"{visible(c)} (U+{ord(c):04X})" for c in found))
        name = label or field.replace("_", " ")
        raise ValidationError(
            f"The {name} cannot contain control characters: remove {shown}.", field
        )
