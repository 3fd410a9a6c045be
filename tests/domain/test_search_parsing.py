import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csr_tui.domain import ValidationError
from csr_tui.domain.search import (
    MIN_SUBSTRING,
    SearchKind,
    any_part,
    compact_key,
    parse_contains_search,
    parse_order_search,
    phone_key,
    search_key,
)

NAMES = [
    "Mercy Taylor",
    "Taylor Hayes",
    "Mercer Smith",
    "Ann O'Neil",
    "Émile Zola",
    "Jo_Ann Park",
    "Back\\Slash",
    "100% Pure",
]


def found(text):
    query = parse_order_search(text)
    return [n for n in NAMES if query.matches_name(n)]


def test_name_is_a_case_insensitive_prefix_of_first_then_last_name():
    assert found("Mer") == ["Mercy Taylor", "Mercer Smith"]
    assert found("mercy tay") == ["Mercy Taylor"]
    assert found("Taylor") == ["Taylor Hayes"]


def test_percent_is_a_wildcard_anywhere():
    assert found("%tay") == ["Mercy Taylor", "Taylor Hayes"]
    assert found("m%smith") == ["Mercer Smith"]


def test_underscore_backslash_and_quotes_are_literal():
    assert found("jo_") == ["Jo_Ann Park"]
    assert found("jo%ann") == ["Jo_Ann Park"]
    assert found("back\\") == ["Back\\Slash"]
    assert found("ann o'") == ["Ann O'Neil"]
    assert found("j_") == []


def test_non_ascii_names_fold_case():
    assert found("émile") == ["Émile Zola"]
    assert found("ÉMILE") == ["Émile Zola"]


def test_email_is_exact_and_case_insensitive():
    query = parse_order_search(" Mercy@Example.COM ")
    assert (query.kind, query.text) == (SearchKind.EMAIL, "mercy@example.com")
    assert parse_order_search("@example.com").text == "@example.com"


@pytest.mark.parametrize(
    ("text", "number"),
    [("PO1042", "PO1042"), ("po10", "PO10"), ("1042", "PO1042"), ("PO 77", "PO77")],
)
def test_order_numbers_are_recognised(text, number):
    query = parse_order_search(text)
    assert (query.kind, query.text) == (SearchKind.ORDER_NUMBER, number)


def test_blank_or_only_wildcards_means_everything():
    assert parse_order_search("   ").kind is SearchKind.ALL
    assert parse_order_search("%%").kind is SearchKind.ALL


def test_like_pattern_escapes_metacharacters():
    assert parse_order_search("jo_ann").like_pattern() == "jo\\_ann%"
    assert parse_order_search("%tay").like_pattern() == "%tay%"
    assert parse_order_search("a\\b%c").like_pattern() == "a\\\\b%c%"


def test_contains_search_needs_three_characters():
    with pytest.raises(ValidationError, match="3 or more characters"):
        parse_contains_search("dr", "find a variant")
    assert parse_contains_search(" DRESS ").matches("Summer dress")


@given(st.text(alphabet="ab_%\\ ", max_size=8), st.text(alphabet="ab_%\\ ", max_size=8))
def test_a_name_always_matches_its_own_prefix(name, extra):
    name, extra = name.replace("%", ""), extra.replace("%", "")
    query = parse_order_search(name)
    if query.kind is SearchKind.NAME:
        assert query.matches_name(name + extra)


def test_any_part_is_the_same_name_search_anywhere_in_the_name():
    assert any_part("Hayes") == "%Hayes"
    assert found(any_part("Hayes")) == ["Taylor Hayes"] and found("Hayes") == []
    assert any_part("  mer%  smith ") == "%mer% smith"
    for not_a_name_from_its_start in ("", "%tay", "PO1042", "104", "mercy@example.com"):
        assert any_part(not_a_name_from_its_start) is None


@given(st.text(alphabet="abmrtyeo %_\\", max_size=6), st.sampled_from(NAMES))
def test_any_part_finds_every_name_the_search_finds(text, name):
    anywhere = any_part(text)
    if anywhere is not None and parse_order_search(text).matches_name(name):
        assert parse_order_search(anywhere).matches_name(name)


def as_phone(typed):
    """The phone search the order list makes of `typed` when no order number matches."""
    search = parse_order_search(typed)
    return search.as_phone() if search.kind is SearchKind.ORDER_NUMBER else search


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 (555) 010-2030", "+1 555-010-2030"),
        ("+1 555 010 2030", "+1 555-010-2030"),
        ("1-555-010-2030", "+1 555-010-2030"),
        ("555.010.2030", "+1 555-010-2030"),
        ("5550102030", "+1 555-010-2030"),
        ("(555) 010-2030", "+1 555-010-2030"),
        ("2030", "+1 555-010-2030"),
        ("%2030", "+1 555-010-2030"),
        ("＋１ ５５５ ０１０ ２０３０", "+1 555-010-2030"),  # full-width, as some keyboards type
        ("020 7946 0123", "+44 20 7946 0123"),  # the trunk 0 is not part of the number
        ("0044 20 7946 0123", "+44 20 7946 0123"),
        ("0123", "+44 20 7946 0123"),  # ...but the last digits keep their 0
        ("070-123 45 67", "+46 70 123 45 67"),
        ("03-5550-2030", "+81 3-5550-2030"),
        ("2030", "020 5550 2030"),  # a number stored without its country code
    ],
)
def test_a_phone_number_in_any_common_form_finds_the_numbers_ending_with_it(typed, stored):
    search = as_phone(typed)
    assert search.kind is SearchKind.PHONE
    assert search.matches_phone(stored)
    assert not search.matches_phone(stored[:-1] + "9"), "the last digit differs"
    assert not search.matches_phone(""), "orders without a phone"


def test_digits_are_an_order_number_first_and_a_phone_number_otherwise():
    digits = parse_order_search("2030")
    assert digits.kind is SearchKind.ORDER_NUMBER and digits.text == "PO2030"
    assert digits.phone == phone_key("2030") and any_part("2030") == "%2030"
    assert parse_order_search("PO2030").phone == "", "typed as an order number: only that"
    assert parse_order_search("203").phone == "", "three digits are too few for a phone"
    for text in ("+1 555 010 2030", "%2030", "(555) 010-2030", "555-0102"):
        assert parse_order_search(text).kind is SearchKind.PHONE, text
    for text in ("100%", "%20", "ann 2030", "2030@example.com"):
        assert parse_order_search(text).kind is not SearchKind.PHONE, text
    assert as_phone("+1 (555) 010-2030").describe() == "phone number ending 15550102030"


def test_the_phone_key_is_the_digits_last_first_without_a_trunk_prefix():
    assert phone_key("+46 (70) 123-45.67") == "76543210764"
    assert phone_key("070-123 45 67") == "765432107"
    assert phone_key("") == "" and phone_key("ext.") == ""


@given(
    st.text(alphabet="0123456789 +-().", max_size=16), st.text(alphabet="0123456789", max_size=4)
)
def test_a_number_is_found_by_its_own_digits_in_any_spacing(number, before):
    typed = "".join(ch for ch in number if ch.isdigit())
    search = as_phone("+" + before + number) if len(typed) >= 4 else None
    if search is not None and search.kind is SearchKind.PHONE:
        assert search.matches_phone("+" + before + typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("muller", "Hans Müller"),
        ("MÜLLER", "Hans Müller"),
        ("mu\u0308ller", "Hans Müller"),  # decomposed: u + combining diaeresis
        ("lindstrom", "Eva Lindström"),
        ("jose", "José Núñez"),
        ("nunez", "José Núñez"),
        ("emile", "Émile Zola"),
        ("zoe\u0308", "Zoë Ström"),
        ("oneil", "Ann O'Neil"),
        ("o’neil", "Ann O'Neil"),  # a typographic apostrophe
        ("o-neil", "Ann O'Neil"),
        ("o'neil", "Ann O’Neil"),
        ("soren", "Søren Kierkegaard"),
        ("strasse", "Anna Straße"),
        ("lukasz", "Łukasz Nowak"),
        ("aesa", "Æsa Berg"),
        ("ｍｅｒｃｙ", "Mercy Taylor"),  # full-width Latin
        ("山田", "山田 太郎"),
        ("ｶﾞｯｺｳ", "ガッコウ 花子"),  # half-width kana, with its voicing mark
        ("smithjones", "Ann Smith-Jones"),
        ("o neil", "Ann O'Neil"),  # the words split where the name has none
        ("ann  o neil", "Ann O'Neil"),
        ("smith jones", "Ann Smith-Jones"),
        ("mary jane", "Mary-Jane Watson"),
        ("vanderberg", "Anna van der Berg"),  # and joined where it has them
        ("山田太郎", "山田　太郎"),  # an ideographic space
    ],
)
def test_names_are_found_as_callers_say_them(typed, stored):
    assert parse_order_search("%" + typed).matches_name(stored)
    assert compact_key(typed) in compact_key(stored)
    if len(compact_key(typed)) >= MIN_SUBSTRING:  # the customer and variant searches
        assert parse_contains_search(typed).matches(stored)


def old_meaning(text: str, name: str) -> bool:
    """A name search before names were compared compact: the folded keys, spaces kept."""
    key = search_key(text)
    fragments = [f for f in key.split("%") if f]
    pattern = (".*" if key.startswith("%") else "") + ".*".join(map(re.escape, fragments))
    return bool(fragments) and re.match(pattern, search_key(name), re.DOTALL) is not None


@given(
    st.text(alphabet="ab ’'-%éÉ_", max_size=8),
    st.text(alphabet="ab ’'-éÉ_\u3000", max_size=10),
)
def test_compact_matching_never_finds_fewer_names_than_the_keys_did(text, name):
    query = parse_order_search(text)
    if query.kind is SearchKind.NAME and old_meaning(text, name):
        assert query.matches_name(name)


def test_folding_keeps_what_tells_names_apart():
    assert search_key("ガッコウ") != search_key("カッコウ"), "kana keep their voicing marks"
    assert search_key("  Mercy   Taylor ") == "mercy taylor"
    assert search_key("100% Pure") == "100% pure" and search_key("Jo_Ann") == "jo_ann"


@given(st.text())
def test_folding_is_idempotent(text):
    assert search_key(search_key(text)) == search_key(text)
