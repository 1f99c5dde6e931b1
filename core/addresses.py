"""
Structured postal addresses, pure (issue 17).

Since November 2026 the EPC rulebooks and SWIFT CBPR+ refuse unstructured
addresses in payment messages: a party's address is its street, building
number, postcode, town and ISO 3166 alpha-2 country (`PstlAdr` with
`StrtNm`, `BldgNb`, `PstCd`, `TwnNm`, `Ctry`), never `AdrLine` alone.
Vendors and the company's own bank accounts keep these parts as fields;
a payment snapshots them when its run is built.
"""

from dataclasses import dataclass, fields

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
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in ADDRESS_FIELDS)

    def one_line(self) -> str:
        """The address as one line of text ("Hauptstr. 5, 10115 Berlin, DE")."""
        street = " ".join(p for p in (self.street, self.building_number) if p)
        town = " ".join(p for p in (self.postcode, self.town) if p)
        parts = (street, self.address_line2, town, self.country)
        return ", ".join(p for p in parts if p)
