"""
When a transfer must carry the creditor's postal address, pure (issue 17).

Since November 2026 the EPC's SEPA rulebooks require the payee's address
(at least town and country) when the payee's bank is outside the EEA (a
SEPA country such as CH, GB or MC), and SWIFT CBPR+ requires it on every
cross-border or non-euro transfer. A run refuses such a payment at build,
not at the bank, when the vendor has no town and country.
"""

# The European Economic Area: the EU's 27 and Iceland, Liechtenstein, Norway.
EEA_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO "
    "PL PT RO SE SI SK".split()
)


def address_requirement(
    *, currency: str, iban: str | None, country: str | None
) -> str | None:
    """
    Return what makes this transfer need the creditor's address ("a USD
    transfer"), or None when a SEPA transfer within the EEA needs none.
    `country` is the creditor's (ISO 3166 alpha-2), when known.
    """
    if currency != "EUR":
        return f"a {currency} transfer"
    if not iban:
        return "a transfer without an IBAN"
    if iban[:2] not in EEA_COUNTRIES:
        return f"a transfer to an account outside the EEA ({iban[:2]})"
    if country and country not in EEA_COUNTRIES:
        return f"a transfer to a creditor outside the EEA ({country})"
    return None


def address_required(*, currency: str, iban: str | None, country: str | None) -> bool:
    """Whether the transfer's creditor must have a town and country on file."""
    return (
        address_requirement(currency=currency, iban=iban, country=country) is not None
    )


def missing_address_message(
    *, vendor_name: str, country: str | None, requirement: str
) -> str:
    """The build's refusal, naming the vendor and what needs the address."""
    named = f"{vendor_name} ({country})" if country else vendor_name
    return (
        f"{named} has no town and country in its address; a bank refuses "
        f"{requirement} without them. Add them on the vendor's page."
    )
