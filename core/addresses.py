"""
Structured postal addresses, pure (issue 17).

Since November 2026 the EPC rulebooks and SWIFT CBPR+ refuse unstructured
addresses in payment messages: a party's address is its street, building
number, postcode, town and ISO 3166 alpha-2 country (`PstlAdr` with
`StrtNm`, `BldgNb`, `PstCd`, `TwnNm`, `Ctry`), never `AdrLine` alone.
Vendors and the company's own bank accounts keep these parts as fields;
a payment snapshots them when its run is built.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import pycountry

# The parts in the order a letter (and `PstlAdr`) writes them.
ADDRESS_FIELDS = (
    "street",
    "building_number",
    "address_line2",
    "postcode",
    "town",
    "country",
)


@dataclass(frozen=True)
class PostalAddress:
    """A structured address; every part may be missing on records kept before."""

    street: str | None = None
    building_number: str | None = None
    address_line2: str | None = None
    postcode: str | None = None
    town: str | None = None
    country: str | None = None  # ISO 3166 alpha-2, upper case

    @classmethod
    def of(cls, record) -> "PostalAddress":
        """The address parts of any record (or mapping attribute) that has them."""
        return cls(**{f.name: getattr(record, f.name, None) for f in fields(cls)})

    @property
    def has_town_and_country(self) -> bool:
        return bool(self.town and self.country)

    @property
    def country_name(self) -> str | None:
        return country_name(self.country) if self.country else None

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in ADDRESS_FIELDS)

    def one_line(self) -> str:
        """The address as one line of text ("Hauptstr. 5, 10115 Berlin, DE")."""
        street = " ".join(p for p in (self.street, self.building_number) if p)
        town = " ".join(p for p in (self.postcode, self.town) if p)
        parts = (street, self.address_line2, town, self.country)
        return ", ".join(p for p in parts if p)


# The longest each part may be in a pain.001.001.09 `PstlAdr` (StrtNm,
# BldgNb, AdrLine, PstCd, TwnNm, Ctry): a longer one would be cut or refused
# by the bank, so it is refused when entered.
ADDRESS_MAX_LENGTHS = {
    "street": 70,
    "building_number": 16,
    "address_line2": 70,
    "postcode": 16,
    "town": 35,
    "country": 2,
}
# What each part is called on pages, and in a payment file's `PstlAdr`.
ADDRESS_LABELS = {
    "street": "Street",
    "building_number": "Building number",
    "address_line2": "Address line 2",
    "postcode": "Postcode",
    "town": "Town",
    "country": "Country",
}
ADDRESS_ELEMENTS = {
    "street": "StrtNm",
    "building_number": "BldgNb",
    "address_line2": "AdrLine",
    "postcode": "PstCd",
    "town": "TwnNm",
    "country": "Ctry",
}


def country_name(code: str) -> str | None:
    """The country's common English name for an ISO 3166 alpha-2 code, or None."""
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return None
    return getattr(country, "common_name", None) or country.name


def country_choices() -> list[tuple[str, str]]:
    """(code, "Name (code)") of every ISO 3166 country, by name: a form's select."""
    countries = (
        (c.alpha_2, getattr(c, "common_name", None) or c.name)
        for c in pycountry.countries
    )
    return [
        (code, f"{name} ({code})")
        for code, name in sorted(countries, key=lambda c: c[1].casefold())
    ]


def normalise_address(parts: Mapping[str, Any]) -> dict[str, Any]:
    """
    The parts stripped, empty ones None, the country upper-cased; anything
    not text is left as it came, for `address_errors` to name.
    """
    normalised = {}
    for name in ADDRESS_FIELDS:
        value = parts.get(name)
        if isinstance(value, str):
            value = value.strip() or None
            if value and name == "country":
                value = value.upper()
        normalised[name] = value
    return normalised


def address_errors(parts: Mapping[str, Any]) -> dict[str, str]:
    """
    Return what is wrong with an address's parts, by part; {} when nothing is.

    Every part is optional, but a town and its country go together: a
    payment file names both or neither. The country is an ISO 3166 alpha-2
    code; each part fits its pain.001 element.
    """
    parts = normalise_address(parts)
    errors: dict[str, str] = {}
    for name in ADDRESS_FIELDS:
        value = parts[name]
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = "Must be text."
        elif name != "country" and len(value) > ADDRESS_MAX_LENGTHS[name]:
            errors[name] = (
                f"At most {ADDRESS_MAX_LENGTHS[name]} characters (this has "
                f"{len(value)}): a payment file's {ADDRESS_ELEMENTS[name]} holds "
                f"no more."
            )
    country = parts["country"]
    if isinstance(country, str) and country_name(country) is None:
        errors["country"] = (
            f"“{country[:40]}” is not an ISO 3166 country code: use two letters, "
            "e.g. DE, FR, CH or US."
        )
    if "town" not in errors and "country" not in errors:
        if parts["town"] and not country:
            errors["country"] = (
                "A town needs its country: a payment file names both (two "
                "letters, e.g. DE)."
            )
        elif country and not parts["town"]:
            errors["town"] = "A country needs its town: a payment file names both."
    return errors
