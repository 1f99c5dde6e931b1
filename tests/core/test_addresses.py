"""Structured postal addresses (core.addresses): the rules a payment file needs."""

import pytest

from core.addresses import (
    PostalAddress,
    address_errors,
    country_choices,
    normalise_address,
)

BERLIN = {
    "street": "Hauptstraße",
    "building_number": "5a",
    "postcode": "10115",
    "town": "Berlin",
    "country": "DE",
}


def test_a_complete_address_and_an_empty_one_are_both_accepted():
    assert address_errors(BERLIN) == {}
    assert address_errors({}) == {}
    assert address_errors({name: "  " for name in BERLIN}) == {}


def test_the_country_is_upper_cased_and_empty_parts_become_none():
    parts = normalise_address({**BERLIN, "country": " ch ", "address_line2": " "})
    assert parts["country"] == "CH"
    assert parts["address_line2"] is None
    assert address_errors({**BERLIN, "country": "fr"}) == {}


@pytest.mark.parametrize("country", ["XX", "Germany", "DEU", "D", "EU"])
def test_a_country_that_is_not_an_iso_3166_alpha_2_code_is_refused(country):
    errors = address_errors({**BERLIN, "country": country})
    assert set(errors) == {"country"}
    assert "is not an ISO 3166 country code" in errors["country"]
    assert country.upper() in errors["country"]


def test_a_town_without_its_country_is_refused_on_the_country():
    errors = address_errors({**BERLIN, "country": None})
    assert errors == {
        "country": "A town needs its country: a payment file names both (two "
        "letters, e.g. DE)."
    }


def test_a_country_without_its_town_is_refused_on_the_town():
    errors = address_errors({"country": "DE"})
    assert errors == {"town": "A country needs its town: a payment file names both."}


def test_the_other_parts_are_optional():
    assert address_errors({"town": "Zürich", "country": "CH"}) == {}
    assert address_errors({"street": "Bahnhofstrasse"}) == {}


@pytest.mark.parametrize(
    ("part", "limit", "element"),
    [
        ("street", 70, "StrtNm"),
        ("building_number", 16, "BldgNb"),
        ("address_line2", 70, "AdrLine"),
        ("postcode", 16, "PstCd"),
        ("town", 35, "TwnNm"),
    ],
)
def test_each_part_fits_its_pain001_element(part, limit, element):
    assert address_errors({**BERLIN, part: "x" * limit}) == {}
    errors = address_errors({**BERLIN, part: "x" * (limit + 1)})
    assert set(errors) == {part}
    assert f"At most {limit} characters (this has {limit + 1})" in errors[part]
    assert element in errors[part]


def test_a_part_that_is_not_text_is_refused():
    assert address_errors({**BERLIN, "postcode": 10115}) == {
        "postcode": "Must be text."
    }


def test_countries_to_choose_from_are_named_and_sorted_by_name():
    choices = dict(country_choices())
    assert choices["CH"] == "Switzerland (CH)"
    assert choices["DE"] == "Germany (DE)"
    names = [label for _, label in country_choices()]
    assert names == sorted(names, key=str.casefold)


def test_an_address_reads_as_one_line_and_names_its_country():
    address = PostalAddress(**BERLIN)
    assert address.one_line() == "Hauptstraße 5a, 10115 Berlin, DE"
    assert address.country_name == "Germany"
    assert address.has_town_and_country and not address.is_empty
    assert PostalAddress().is_empty and PostalAddress().country_name is None
