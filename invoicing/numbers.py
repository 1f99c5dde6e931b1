"""
Invoice numbers compared as a person would (domain.md "Duplicate invoices").

`INV-0042`, `inv 42` and `INV/42` are one number: Unicode NFKC, case-folded,
spaces, dashes, dots, slashes and invisible characters removed, leading zeros
of every run of digits dropped.
"""

import re

from core.text import compact_key

_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def normalise_invoice_number(number: str) -> str:
    """Return the form two invoice numbers are compared in."""
    return _LEADING_ZEROS.sub("", compact_key(number))


_TRAILING_LEADING_ZEROS = re.compile(r"(?<!\d)0+$")


def invoice_number_prefix(text: str) -> str:
    """
    Return the normalised start of an invoice number being typed.

    "INV-00" is the start of "INV-0042" (normalised "inv42"), so zeros that
    can only be the leading zeros of a number still being typed are dropped.
    """
    key = normalise_invoice_number(text)
    return _TRAILING_LEADING_ZEROS.sub("", key) or key
