"""
Invoice numbers compared as a person would (domain.md "Duplicate invoices").

`INV-0042`, `inv 42` and `INV/42` are one number: Unicode NFKC, case-folded,
spaces, dashes, dots, slashes and invisible characters removed, leading zeros
of every run of digits dropped.
"""

import re

from p2p_site.text import compact_key

_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def normalise_invoice_number(number: str) -> str:
    """Return the form two invoice numbers are compared in."""
    return _LEADING_ZEROS.sub("", compact_key(number))
