"""Text is data: control characters are shown as placeholders, and refused on input."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csr_tui.domain import Address, Customer, DiscountKind, ValidationError
from csr_tui.domain.catalog import coupon_code
from csr_tui.domain.text import CONTROL_CODES, visible
from tests.factories import HOME, cart, order

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("t\x1b]0;pwned\x07x", "t␛]0;pwned␇x"),  # OSC: set the terminal title
        ("\x1b[2Jgone", "␛[2Jgone"),  # CSI: clear the screen
        ("d\x1bPq#0\x1b\\", "d␛Pq#0␛\\"),  # DCS ... ST
        ("c1\x9b31m\x9d0;t", "c1�31m�0;t"),  # C1 CSI and OSC
        ("nul\x00del\x7f", "nul␀del␡"),
        ("two\nlines\ttab\r", "two␊lines␉tab␍"),
        ("abc\u202edcba\u2066x\u2069", "abc�dcba�x�"),  # bidirectional override, isolate
        ("para\u2028graph\u2029", "para␤graph␤"),
        ("Lee [/] [@click=app.quit]x", "Lee [/] [@click=app.quit]x"),  # markup is not ours
        ("Zoë 名前 Z\u200bW\u200dJ", "Zoë 名前 Z\u200bW\u200dJ"),  # printable, zero-width
    ],
)
def test_visible_shows_controls_as_placeholders(stored, shown):
    assert visible(stored) == shown


def test_lines_keep_newlines_and_tabs_only():
    assert visible("Called:\n\tasked for\x1b[5m a refund\r", lines=True) == (
        "Called:\n\tasked for␛[5m a refund␍"
    )


@given(st.text())
def test_visible_is_one_for_one_and_leaves_nothing_a_terminal_obeys(value):
    shown = visible(value)
    assert len(shown) == len(value)
    assert not any(ord(c) in CONTROL_CODES for c in shown)
    assert visible(shown) == shown


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Customer.new("Ann", "Lee\x1b]0;x\x07"), "last_name"),
        (lambda: Customer.new("Ann\x9b", "Lee"), "first_name"),
        (lambda: Customer.new("Ann", "Lee", "ann\x1b@example.com"), "email"),
        (lambda: Customer.new("Ann", "Lee", phone="555\x07"), "phone"),
        (lambda: Address(**{**HOME.__dict__, "line1": "1 Main\x1b[2J"}).validated(), "line1"),
        (lambda: Address(**{**HOME.__dict__, "region": "MA\x7f"}).validated(), "region"),
        (lambda: cart().set_anonymous_contact("Walk-in\u202e", None), "name"),
        (
            lambda: cart().add_discount("Good\x1bwill", DiscountKind.AMOUNT, Decimal(1)),
            "description",
        ),
        (lambda: order().add_note("Called\x00", "", "alice", NOW), "description"),
        (lambda: order().add_note("Called", "line\x1b[2J", "alice", NOW), "text"),
        (lambda: coupon_code("welcome10\x1b"), "code"),
    ],
)
def test_new_input_with_control_characters_is_refused_naming_the_field(make, field):
    with pytest.raises(ValidationError) as refused:
        make()
    assert refused.value.field == field
    assert "cannot contain control characters" in str(refused.value)
    assert "\x1b" not in str(refused.value) and "\x9b" not in str(refused.value)


def test_the_message_names_the_field_in_words_and_shows_the_character():
    with pytest.raises(ValidationError, match=r"The address line 1 .* ␛ \(U\+001B\)"):
        Address(**{**HOME.__dict__, "line1": "1 Main\x1b[2J"}).validated()
    with pytest.raises(ValidationError, match=r"The details cannot contain"):
        order().add_note("Called", "\x07", "alice", NOW)


def test_lines_newlines_and_brackets_are_still_accepted():
    note = order().add_note("Called [old account]", "Line one\n\tLine two", "alice", NOW)
    assert note.text == "Line one\n\tLine two"
    customer = Customer.new("Lee [/]", "[@click=app.quit]x", "lee@example.com")
    assert customer.full_name == "Lee [/] [@click=app.quit]x"
    assert coupon_code(" welcome10 ") == "WELCOME10"
